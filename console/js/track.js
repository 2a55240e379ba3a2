// The public page of one report, /track/{code}: its status and timeline, live. It needs no
// account; it sees exactly what the API shows anyone (no personal data, no internal notes).

import { post } from "./api.js";
import { announce, byId, h, replace, timeEl } from "./dom.js";
import { EVENT, SATISFACTION, label } from "./labels.js";
import { LiveClient, STATUS as LIVE } from "./live.js";
import { mapPoint } from "./map.js";
import { gallery } from "./media.js";
import { EVENT_FIELDS, PAGE, TIMELINE_PAGE, allNodes } from "./ops.js";
import { addEvents, statusBadge } from "./timeline.js";

const HEAD_FIELDS = `
  id code title description status isOverdue dueAt submittedAt resolvedAt closedAt
  category { name notice } area { name } assignedAgency { name }
  location { latitude longitude address }
  attachments { id url contentType }
  reporter { displayName }
  rating { satisfaction comment ratedAt }
  duplicateOf { code title }`;

const PUBLIC_REPORT = `query PublicReport($code: String!) {
  report(code: $code) {
    ${HEAD_FIELDS}
    timeline(first: ${PAGE}) { pageInfo { hasNextPage endCursor } edges { node { ${EVENT_FIELDS} } } }
  }
}`;

const PUBLIC_HEAD = `query PublicHead($code: String!) { report(code: $code) { ${HEAD_FIELDS} } }`;

const LIVE_EVENTS = `subscription PublicReportLive($reportId: ID!, $after: String) {
  reportEvents(reportId: $reportId, after: $after) {
    ${EVENT_FIELDS}
    report { id status isOverdue dueAt resolvedAt closedAt assignedAgency { name } rating { satisfaction comment ratedAt } }
  }
}`;

const main = byId("main");
const code = decodeURIComponent(location.pathname.replace(/\/+$/, "").split("/").pop() || "");
let report = null;
let parts = null;
let release = () => {};

function setLiveStatus(status) {
  const node = byId("live-status");
  node.dataset.status = status;
  node.textContent = {
    [LIVE.CONNECTING]: "Đang kết nối…",
    [LIVE.LIVE]: "● Cập nhật trực tiếp",
    [LIVE.RECONNECTING]: "Mất kết nối — đang thử lại…",
    [LIVE.CLOSED]: "Đã ngắt",
  }[status];
}

function build() {
  parts = {
    code: h("p", { class: "code" }, report.code),
    title: h("h1", { id: "report-title" }, report.title),
    status: h("div", { class: "status-line", id: "report-status" }),
    facts: h("dl", { class: "facts" }),
    answer: h("section", { class: "answer", hidden: true }),
    description: h("div", {}),
    photos: h("div", {}),
    timeline: h("ol", { class: "timeline", id: "timeline", "aria-label": "Diễn biến xử lý" }),
  };
  replace(
    main,
    h(
      "article",
      { "aria-labelledby": "report-title" },
      h("header", { class: "tracker-head" }, parts.code, parts.title, parts.status, parts.facts),
      h(
        "div",
        { class: "tracker-body" },
        h(
          "div",
          { class: "panel" },
          parts.answer,
          h("h2", {}, "Nội dung phản ánh"),
          parts.description,
          h("h2", {}, "Ảnh"),
          parts.photos,
          h("h2", {}, "Vị trí"),
          mapPoint(report.location, report.area),
        ),
        h(
          "section",
          { class: "panel", "aria-labelledby": "timeline-title" },
          h("h2", { id: "timeline-title" }, "Diễn biến xử lý"),
          parts.timeline,
        ),
      ),
    ),
  );
  document.title = `${report.code}: ${report.title} — PhanAnh`;
}

function renderHead() {
  replace(
    parts.status,
    statusBadge(report.status),
    report.isOverdue ? h("span", { class: "badge overdue-badge" }, "Quá hạn") : null,
  );
  main.querySelector(".tracker-head").classList.toggle("overdue", report.isOverdue);
  const facts = [
    ["Lĩnh vực", report.category.name],
    ["Khu vực", report.area?.name ?? "—"],
    ["Cơ quan xử lý", report.assignedAgency?.name ?? "Chưa phân công"],
    ["Hạn xử lý", report.dueAt ? timeEl(report.dueAt) : "—"],
    ["Gửi lúc", timeEl(report.submittedAt)],
    ["Người phản ánh", report.reporter.displayName],
    report.duplicateOf
      ? ["Trùng với", h("a", { href: `/track/${report.duplicateOf.code}` }, report.duplicateOf.code)]
      : null,
  ].filter(Boolean);
  replace(parts.facts, facts.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
  replace(
    parts.description,
    h("p", { class: "prewrap" }, report.description),
    report.category.notice ? h("p", { class: "notice" }, report.category.notice) : null,
  );
  release();
  if (report.attachments.length) {
    const shown = gallery(report.attachments, null);
    release = shown.release;
    replace(parts.photos, shown.element);
  } else {
    replace(parts.photos, h("p", { class: "muted" }, "Không có ảnh."));
  }
  renderAnswer();
}

/** The agency's latest answer and the citizen's rating, above everything else once there. */
function renderAnswer() {
  const answers = [...parts.timeline.querySelectorAll(".event-resolved .event-note")];
  const answer = answers[answers.length - 1]?.textContent;
  parts.answer.hidden = !answer && !report.rating;
  replace(
    parts.answer,
    h("h2", {}, "Kết quả xử lý"),
    answer ? h("p", { class: "prewrap" }, answer) : null,
    report.rating
      ? h(
          "p",
          { class: "rating" },
          h("strong", {}, "Người dân đánh giá: "),
          label(SATISFACTION, report.rating.satisfaction),
          report.rating.comment ? ` — “${report.rating.comment}”` : "",
        )
      : null,
  );
}

function onEvent(event) {
  addEvents(parts.timeline, [event]);
  Object.assign(report, event.report);
  renderHead();
  announce(`Cập nhật: ${label(EVENT, event.type)}`);
  // An answer can bring photos; the event does not carry them, so ask once more.
  if (event.type === "RESOLVED") {
    post(PUBLIC_HEAD, { code }).then((data) => {
      if (data.report) {
        Object.assign(report, data.report);
        renderHead();
      }
    });
  }
}

async function load() {
  const data = await post(PUBLIC_REPORT, { code });
  if (!data.report) {
    replace(
      main,
      h("h1", {}, "Không tìm thấy phản ánh"),
      h(
        "p",
        {},
        `Không có phản ánh công khai mang mã ${code}. Phản ánh chỉ công khai sau khi Ban chỉ đạo chuyển đến cơ quan xử lý.`,
      ),
      h("p", {}, h("a", { href: "/track/" }, "Xem tất cả phản ánh")),
    );
    byId("live-status").hidden = true;
    return;
  }
  report = data.report;
  const events = await allNodes(post, report.timeline, TIMELINE_PAGE, report.id, "timeline");
  build();
  addEvents(parts.timeline, events);
  renderHead();
  const live = new LiveClient({ onStatus: setLiveStatus });
  window.__phananhLive = live; // for the browser tests
  // Resume right after the newest event on the page: nothing between loading and going live
  // is lost, and those already shown are marked so that a replay does not show them twice.
  const last = events[events.length - 1];
  const feed = live.subscribe(
    LIVE_EVENTS,
    { reportId: report.id, after: last?.cursor ?? null },
    { onEvent, onError: (errors) => announce(errors[0]?.message ?? "Lỗi cập nhật trực tiếp") },
  );
  feed.markSeen(events.map((event) => event.id));
  document.body.dataset.ready = "1";
}

load()
  .catch((error) => replace(main, h("p", { class: "error", role: "alert" }, error.message)))
  .finally(() => main.removeAttribute("aria-busy"));
