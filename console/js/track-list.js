// /track/: every public report, searchable (with or without diacritics, as the API folds
// them) and filtered by status and category, with counts and the agencies' scorecards.
// The filters live in the address (?q=&status=&category=) so that a search can be shared.

import { post } from "./api.js";
import { announce, byId, h, replace, timeEl } from "./dom.js";
import { STATUS, label } from "./labels.js";
import { CATEGORIES } from "./ops.js";
import { statusBadge } from "./timeline.js";
import { loadScorecards } from "./scorecards.js";

const PUBLIC_LIST = `query PublicList($first: Int, $after: String, $filter: ReportFilter) {
  reports(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id code title status isOverdue submittedAt dueAt
      category { name } area { name } assignedAgency { name }
    } }
  }
}`;

const STATS = `query PublicStats($filter: ReportFilter) {
  reportStats(filter: $filter) { total byStatus { status count } }
}`;

const form = byId("search-form");
const results = byId("results");
const more = byId("more");
let endCursor = null;
let ticket = 0;

function currentFilter() {
  const filter = {};
  const q = form.q.value.trim();
  if (q) filter.search = q;
  if (form.status.value) filter.status = [form.status.value];
  if (form.category.value) filter.categoryIds = [form.category.value];
  return filter;
}

function resultItem(report) {
  return h(
    "li",
    { class: `result${report.isOverdue ? " overdue" : ""}`, dataset: { code: report.code } },
    h(
      "a",
      { href: `/track/${encodeURIComponent(report.code)}` },
      h(
        "span",
        { class: "row-top" },
        h("span", { class: "code" }, report.code),
        statusBadge(report.status),
        report.isOverdue ? h("span", { class: "badge overdue-badge" }, "Quá hạn") : null,
      ),
      h("span", { class: "row-title" }, report.title),
      h(
        "span",
        { class: "row-meta muted" },
        report.category.name,
        report.area ? ` · ${report.area.name}` : "",
        report.assignedAgency ? ` · ${report.assignedAgency.name}` : "",
        " · ",
        timeEl(report.submittedAt, false),
      ),
    ),
  );
}

async function search(append = false) {
  const mine = ++ticket; // typing fast: only the newest search may draw
  const filter = currentFilter();
  const variables = { first: 20, filter, after: append ? endCursor : null };
  const [list, stats] = await Promise.all([
    post(PUBLIC_LIST, variables),
    append ? null : post(STATS, { filter: { ...filter, status: null } }).catch(() => null),
  ]);
  if (mine !== ticket) return;
  if (!append) results.replaceChildren();
  list.reports.edges.forEach(({ node }) => results.append(resultItem(node)));
  endCursor = list.reports.pageInfo.endCursor;
  more.hidden = !list.reports.pageInfo.hasNextPage;
  const count = list.reports.totalCount;
  byId("result-count").textContent = count ? `${count} phản ánh` : "Không có phản ánh nào phù hợp.";
  if (stats) renderStats(stats.reportStats);
}

function renderStats(stats) {
  replace(
    byId("stats"),
    stats.byStatus
      .filter((item) => item.count > 0)
      .map((item) => h("li", {}, h("strong", {}, String(item.count)), label(STATUS, item.status))),
  );
}

function syncAddress() {
  const params = new URLSearchParams();
  if (form.q.value.trim()) params.set("q", form.q.value.trim());
  if (form.status.value) params.set("status", form.status.value);
  if (form.category.value) params.set("category", form.category.value);
  const query = params.toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
}

async function start() {
  const params = new URLSearchParams(location.search);
  Object.entries(STATUS).forEach(([value, text]) => form.status.append(h("option", { value }, text)));
  const { categories } = await post(CATEGORIES);
  categories.forEach((c) => form.category.append(h("option", { value: c.id }, c.name)));
  form.q.value = params.get("q") ?? "";
  form.status.value = params.get("status") ?? "";
  form.category.value = params.get("category") ?? "";
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    syncAddress();
    search().catch((error) => announce(error.message));
    loadScorecards(currentFilter());
  });
  form.status.addEventListener("change", () => form.requestSubmit());
  form.category.addEventListener("change", () => form.requestSubmit());
  more.addEventListener("click", () => search(true).catch((error) => announce(error.message)));
  await search();
  await loadScorecards(currentFilter());
  document.body.dataset.ready = "1";
}

start().catch((error) => {
  byId("result-count").textContent = error.message;
});
