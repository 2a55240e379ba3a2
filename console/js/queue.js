// The live list on the left of the console: the agency inbox for officers, the triage queue
// for coordinators. It loads a page over HTTP, then applies each live event's report to it,
// so that a new assignment appears without reloading, with a count and a chime.

import { announce, h, replace, timeEl } from "./dom.js";
import { PAGE, REPORT_LIST } from "./ops.js";
import { request } from "./session.js";
import { chime } from "./sound.js";
import { statusBadge } from "./timeline.js";

/**
 * @param {object} options
 * @param {HTMLElement} options.root the section to draw in
 * @param {Array<{id, label, filter, matches}>} options.tabs lists the person can switch between
 * @param {(handlers) => object} options.follow starts the live feed with those handlers
 * @param {(event) => string|null} options.newWork a sentence when an event brings new work
 * @param {(row) => void} options.onOpen called when a report is chosen
 */
export class QueueView {
  constructor({ root, title, tabs, follow, newWork, onOpen }) {
    Object.assign(this, { root, tabs, follow, newWork, onOpen });
    this.tab = tabs[0];
    this.rows = new Map(); // report id -> its <li>
    this.unseen = new Set(); // report ids that arrived live and were not opened yet
    this.selectedId = null;
    this.endCursor = null;
    this.loading = 0;
    this.baseTitle = document.title;
    this.render(title);
  }

  render(title) {
    this.countBadge = h(
      "button",
      { type: "button", class: "new-count", hidden: true, onclick: () => this.markAllSeen() },
      "",
    );
    this.total = h("span", { class: "total muted" });
    this.list = h("ul", { class: "report-list", "aria-labelledby": "queue-title" });
    this.more = h(
      "button",
      { type: "button", class: "secondary", hidden: true, onclick: () => this.load(true) },
      "Xem thêm",
    );
    this.empty = h("p", { class: "muted empty", hidden: true }, "Không có phản ánh nào.");
    // Toggle buttons rather than ARIA tabs: each one reloads the same list with another filter.
    const tabList = h(
      "div",
      { class: "tabs", role: "group", "aria-label": "Lọc danh sách" },
      this.tabs.map((tab) =>
        h(
          "button",
          {
            type: "button",
            class: "tab",
            id: `tab-${tab.id}`,
            "aria-pressed": String(tab === this.tab),
            onclick: () => this.switchTo(tab),
          },
          tab.label,
        ),
      ),
    );
    replace(
      this.root,
      h("div", { class: "queue-head" }, h("h2", { id: "queue-title" }, title), this.countBadge),
      tabList,
      h("div", { class: "queue-meta" }, this.total),
      this.list,
      this.empty,
      this.more,
    );
  }

  /** Start the live feed first, then load: anything that happens in between is applied twice,
   * which is harmless, rather than not at all. */
  start() {
    this.feed = this.follow({
      onEvent: (event) => this.apply(event),
      onGap: () => this.load(),
      onError: (errors) => announce(`Lỗi cập nhật trực tiếp: ${errors[0]?.message ?? ""}`),
    });
    return this.load();
  }

  switchTo(tab) {
    this.tab = tab;
    this.root.querySelectorAll(".tab").forEach((button) => {
      button.setAttribute("aria-pressed", String(button.id === `tab-${tab.id}`));
    });
    this.load();
  }

  async load(more = false) {
    const ticket = ++this.loading; // a newer load (another tab clicked) wins
    const variables = { first: PAGE, filter: this.tab.filter, after: more ? this.endCursor : null };
    this.root.setAttribute("aria-busy", "true");
    try {
      const { reports } = await request(REPORT_LIST, variables);
      if (ticket !== this.loading) return;
      if (!more) {
        this.rows.clear();
        this.list.replaceChildren();
      }
      for (const { node } of reports.edges) this.put(node, false);
      this.endCursor = reports.pageInfo.endCursor;
      this.more.hidden = !reports.pageInfo.hasNextPage;
      this.total.textContent = `${reports.totalCount} phản ánh`;
      this.totalCount = reports.totalCount;
      this.empty.hidden = this.rows.size > 0;
    } catch (error) {
      if (ticket === this.loading) announce(`Không tải được danh sách: ${error.message}`);
    } finally {
      if (ticket === this.loading) this.root.removeAttribute("aria-busy");
    }
  }

  /** One live event: refresh its report's row, and count it if it brings new work. */
  apply(event) {
    const row = event.report;
    if (!row) return;
    const sentence = this.newWork(event);
    if (sentence) this.unseen.add(row.id); // before drawing: the row shows it is new
    const known = this.rows.has(row.id);
    const matches = this.tab.matches(row);
    if (matches) this.put(row, !known);
    else if (known) this.remove(row.id);
    if (matches && !known && this.totalCount !== undefined) this.setTotal(this.totalCount + 1);
    if (!matches && known) this.setTotal(this.totalCount - 1);
    if (sentence) {
      this.showCount();
      chime();
      announce(sentence);
    }
  }

  setTotal(count) {
    this.totalCount = Math.max(0, count);
    this.total.textContent = `${this.totalCount} phản ánh`;
  }

  /** Insert or refresh a row; new live arrivals go to the top (the list is newest first). */
  put(report, atTop) {
    const item = this.rowFor(report);
    const existing = this.rows.get(report.id);
    if (existing) existing.replaceWith(item);
    else if (atTop) this.list.prepend(item);
    else this.list.append(item);
    this.rows.set(report.id, item);
    this.empty.hidden = true;
  }

  remove(id) {
    this.rows.get(id)?.remove();
    this.rows.delete(id);
    this.empty.hidden = this.rows.size > 0;
  }

  rowFor(report) {
    const classes = ["report-row"];
    if (report.isOverdue) classes.push("overdue");
    if (this.unseen.has(report.id)) classes.push("is-new");
    const button = h(
      "button",
      {
        type: "button",
        class: "row-button",
        "aria-current": report.id === this.selectedId ? "true" : null,
        onclick: () => this.select(report),
      },
      h(
        "span",
        { class: "row-top" },
        h("span", { class: "code" }, report.code),
        statusBadge(report.status),
        report.isOverdue ? h("span", { class: "badge overdue-badge" }, "Quá hạn") : null,
        this.unseen.has(report.id) ? h("span", { class: "badge new-badge" }, "Mới") : null,
      ),
      h("span", { class: "row-title" }, report.title),
      h(
        "span",
        { class: "row-meta muted" },
        report.category.name,
        report.area ? ` · ${report.area.name}` : "",
        report.dueAt ? [" · Hạn ", timeEl(report.dueAt, false)] : "",
      ),
    );
    return h("li", { class: classes.join(" "), dataset: { reportId: report.id, code: report.code } }, button);
  }

  select(report) {
    this.selectedId = report.id;
    this.unseen.delete(report.id);
    this.showCount();
    this.rows.forEach((item, id) => {
      const button = item.querySelector(".row-button");
      if (id === report.id) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    });
    const item = this.rows.get(report.id);
    if (item) {
      item.classList.remove("is-new");
      item.querySelector(".new-badge")?.remove();
    }
    this.onOpen(report);
  }

  markAllSeen() {
    this.unseen.clear();
    this.rows.forEach((item) => {
      item.classList.remove("is-new");
      item.querySelector(".new-badge")?.remove();
    });
    this.showCount();
  }

  showCount() {
    const count = this.unseen.size;
    this.countBadge.hidden = count === 0;
    this.countBadge.textContent = `${count} mới`;
    this.countBadge.setAttribute("aria-label", `${count} phản ánh mới — bấm để đánh dấu đã xem`);
    // The tab's title shows the count too: an officer working in another tab still sees it.
    document.title = count ? `(${count}) ${this.baseTitle}` : this.baseTitle;
  }

  /** After an action in the panel: the report as it now is. */
  refresh(report) {
    if (this.tab.matches(report)) {
      if (this.rows.has(report.id)) this.put(report, false);
    } else if (this.rows.has(report.id)) {
      this.remove(report.id);
      this.setTotal(this.totalCount - 1);
    }
  }

  stop() {
    this.feed?.unsubscribe();
  }
}
