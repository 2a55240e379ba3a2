// The report on the right of the console: facts, photos, map point, conversation, timeline and
// the workflow actions. It follows the report live (`reportEvents`), so a citizen's reply or a
// colleague's action shows up while it is open, without losing what is being typed.

import { announce, h, replace, timeEl } from "./dom.js";
import { SATISFACTION, label } from "./labels.js";
import { mapPoint } from "./map.js";
import { gallery } from "./media.js";
import { MESSAGES_PAGE, REPORT_DETAIL, REPORT_EVENTS, TIMELINE_PAGE, allNodes } from "./ops.js";
import { accessToken, request } from "./session.js";
import { addEvents, statusBadge, visibilityBadge } from "./timeline.js";
import { ActionBar } from "./workflow.js";

const REFRESH_DEBOUNCE_MS = 150;

export class ReportPanel {
  constructor({ root, live, agencies, onChanged }) {
    Object.assign(this, { root, live, agencies, onChanged });
    this.report = null;
    this.feed = null;
    this.releaseMedia = [];
    this.showPlaceholder();
  }

  showPlaceholder() {
    replace(
      this.root,
      h("p", { class: "placeholder muted" }, "Chọn một phản ánh trong danh sách để xem chi tiết."),
    );
  }

  async open(id) {
    this.close();
    this.root.setAttribute("aria-busy", "true");
    let report;
    try {
      report = await this.fetch(id);
    } catch (error) {
      replace(this.root, h("p", { class: "error", role: "alert" }, error.message));
      return;
    } finally {
      this.root.removeAttribute("aria-busy");
    }
    if (!report) {
      replace(this.root, h("p", { class: "error", role: "alert" }, "Không tìm thấy phản ánh."));
      return;
    }
    this.build(report);
    this.update(report);
    // The list may be stale (another coordinator took the report out of triage, which the
    // triage feed does not announce): the row follows what was just loaded.
    this.onChanged(report);
    this.root.querySelector("#detail-title")?.focus();
    this.follow(report);
  }

  close() {
    this.feed?.unsubscribe();
    this.feed = null;
    clearTimeout(this.refreshTimer);
    this.releaseMedia.forEach((release) => release());
    this.releaseMedia = [];
    this.actions = null;
    this.report = null;
  }

  /** The report with its whole timeline and conversation (pages of 100 followed). */
  async fetch(id) {
    const { report } = await request(REPORT_DETAIL, { id });
    if (!report) return null;
    report.events = await allNodes(request, report.timeline, TIMELINE_PAGE, report.id, "timeline");
    report.allMessages = await allNodes(request, report.messages, MESSAGES_PAGE, report.id, "messages");
    return report;
  }

  /** Live: resume right after the newest event shown, so nothing between load and now is lost. */
  follow(report) {
    const last = report.events[report.events.length - 1];
    this.feed = this.live.subscribe(
      REPORT_EVENTS,
      { reportId: report.id, after: last?.cursor ?? null },
      {
        onEvent: () => this.scheduleRefresh(),
        onGap: () => this.scheduleRefresh(),
        onError: (errors) => announce(`Lỗi cập nhật trực tiếp: ${errors[0]?.message ?? ""}`),
      },
    );
    this.feed.markSeen(report.events.map((event) => event.id));
  }

  // Several events often come together (an answer and its message): reload once for all.
  scheduleRefresh() {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.reload(), REFRESH_DEBOUNCE_MS);
  }

  async reload() {
    if (!this.report) return;
    const id = this.report.id;
    try {
      const report = await this.fetch(id);
      if (report && this.report?.id === id) {
        this.update(report);
        this.onChanged(report);
      }
    } catch (error) {
      announce(`Không tải lại được phản ánh: ${error.message}`);
    }
  }

  /** The skeleton, once per opened report; `update` fills it and refills it on changes. */
  build(report) {
    this.parts = {
      code: h("p", { class: "code" }),
      title: h("h2", { id: "detail-title", tabindex: "-1" }),
      badges: h("div", { class: "badges" }),
      facts: h("dl", { class: "facts" }),
      toolbar: h("div", { class: "toolbar", role: "group", "aria-label": "Thao tác xử lý" }),
      forms: h("div", { class: "action-forms" }),
      description: h("div", { class: "description" }),
      photos: h("div", { class: "photos" }),
      map: h("div", { class: "map-host" }),
      messageFilter: h(
        "select",
        { id: "message-filter", onchange: () => this.renderMessages() },
        h("option", { value: "" }, "Tất cả"),
        h("option", { value: "PUBLIC" }, "Công khai"),
        h("option", { value: "PARTICIPANTS" }, "Người phản ánh và cán bộ"),
        h("option", { value: "INTERNAL" }, "Nội bộ"),
      ),
      messages: h("ol", { class: "messages", "aria-label": "Tin nhắn" }),
      composer: h("div", { class: "composer" }),
      timeline: h("ol", { class: "timeline", "aria-label": "Diễn biến" }),
    };
    const p = this.parts;
    replace(
      this.root,
      h(
        "article",
        { class: "report", "aria-labelledby": "detail-title", dataset: { reportId: report.id } },
        h("header", { class: "report-head" }, p.code, p.title, p.badges, p.facts),
        h("section", { class: "actions", "aria-label": "Thao tác" }, p.toolbar, p.forms),
        h("section", {}, h("h3", {}, "Nội dung phản ánh"), p.description),
        h("section", {}, h("h3", {}, "Ảnh, video"), p.photos),
        h("section", {}, h("h3", {}, "Vị trí"), p.map),
        h(
          "section",
          { class: "conversation" },
          h(
            "div",
            { class: "section-head" },
            h("h3", {}, "Trao đổi"),
            h("label", { for: "message-filter", class: "inline" }, "Hiển thị: "),
            p.messageFilter,
          ),
          p.messages,
          p.composer,
        ),
        h("section", {}, h("h3", {}, "Diễn biến"), p.timeline),
      ),
    );
    this.actions = new ActionBar({
      toolbar: p.toolbar,
      formsHost: p.forms,
      composer: p.composer,
      agencies: this.agencies,
      current: () => this.report,
      onDone: (changed) => (changed ? this.afterChange(changed) : this.reload()),
      onStale: () => this.scheduleRefresh(),
    });
    this.actions.renderComposer(report);
  }

  update(report) {
    const previous = this.report;
    this.report = report;
    const p = this.parts;
    p.code.textContent = report.code;
    p.title.textContent = report.title;
    replace(
      p.badges,
      statusBadge(report.status),
      report.isOverdue ? h("span", { class: "badge overdue-badge" }, "Quá hạn") : null,
    );
    this.root.querySelector("article").classList.toggle("overdue", report.isOverdue);
    this.renderFacts(report);
    this.actions.render(report);
    replace(
      p.description,
      h("p", { class: "prewrap" }, report.description),
      report.category.notice ? h("p", { class: "notice" }, report.category.notice) : null,
      report.rating
        ? h(
            "p",
            { class: "rating" },
            h("strong", {}, "Đánh giá: "),
            label(SATISFACTION, report.rating.satisfaction),
            report.rating.comment ? ` — “${report.rating.comment}”` : "",
          )
        : null,
    );
    const photoIds = (r) => r?.attachments.map((a) => a.id).join(",");
    if (!previous || photoIds(previous) !== photoIds(report)) this.renderPhotos(report);
    if (!previous) replace(p.map, mapPoint(report.location, report.area));
    this.renderMessages();
    addEvents(p.timeline, report.events);
    this.parts.composer.hidden = !report.availableActions.includes("POST_MESSAGE");
  }

  renderFacts(report) {
    const rows = [
      ["Lĩnh vực", report.category.name],
      ["Khu vực", report.area?.name ?? "—"],
      ["Cơ quan xử lý", report.assignedAgency?.name ?? "Chưa phân công"],
      report.suggestedAgency ? ["Cơ quan đề xuất", report.suggestedAgency.name] : null,
      ["Hạn xử lý", report.dueAt ? timeEl(report.dueAt) : "—"],
      ["Gửi lúc", timeEl(report.submittedAt)],
      ["Người phản ánh", report.reporter.displayName],
      report.reporter.phone
        ? ["Điện thoại", h("a", { href: `tel:${report.reporter.phone}` }, report.reporter.phone)]
        : null,
      report.duplicateOf ? ["Trùng với", report.duplicateOf.code] : null,
    ].filter(Boolean);
    replace(this.parts.facts, rows.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
  }

  renderPhotos(report) {
    this.releaseMedia.forEach((release) => release());
    this.releaseMedia = [];
    const photos = [...report.attachments];
    if (photos.length === 0) {
      replace(this.parts.photos, h("p", { class: "muted" }, "Không có ảnh."));
      return;
    }
    accessToken().then((token) => {
      const shown = gallery(photos, token);
      this.releaseMedia.push(shown.release);
      replace(this.parts.photos, shown.element);
    });
  }

  renderMessages() {
    if (!this.report) return;
    const only = this.parts.messageFilter.value;
    const messages = this.report.allMessages.filter((m) => !only || m.visibility === only);
    if (messages.length === 0) {
      replace(this.parts.messages, h("li", { class: "muted" }, "Chưa có tin nhắn."));
      return;
    }
    accessToken().then((token) => {
      replace(
        this.parts.messages,
        messages.map((message) => {
          const photos = message.attachments.length ? gallery(message.attachments, token, "Ảnh tin nhắn") : null;
          if (photos) this.releaseMedia.push(photos.release);
          return h(
            "li",
            { class: `message msg-${message.visibility.toLowerCase()}`, dataset: { messageId: message.id } },
            h(
              "div",
              { class: "message-head" },
              h("strong", {}, message.authorLabel),
              " ",
              visibilityBadge(message.visibility),
              " ",
              timeEl(message.createdAt),
            ),
            h("p", { class: "prewrap" }, message.body),
            photos?.element,
          );
        }),
      );
    });
  }

  async afterChange(report) {
    report.events = await allNodes(request, report.timeline, TIMELINE_PAGE, report.id, "timeline");
    report.allMessages = await allNodes(request, report.messages, MESSAGES_PAGE, report.id, "messages");
    this.update(report);
    this.onChanged(report);
  }
}
