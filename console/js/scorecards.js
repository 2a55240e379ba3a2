// Agencies' scorecards on /track/, if this server offers them. The `agencyScorecards` query
// arrived after this page was first written; against a server without it the query fails
// validation and the section simply stays hidden, rather than breaking the page.

import { post } from "./api.js";
import { byId, h, replace } from "./dom.js";

const SCORECARDS = `query Scorecards($filter: ReportFilter) {
  agencyScorecards(filter: $filter) {
    agency { id name }
    reports
    sampleTooSmall minimumSample
    onTime { answered onTime share }
    timeToFirstResponse { medianHours }
    timeToResolution { medianHours }
    satisfaction { ratings shares { satisfaction share } }
  }
}`;

function percent(share) {
  return share === null || share === undefined ? "—" : `${Math.round(share * 100)}%`;
}

function duration(hours) {
  if (hours === null || hours === undefined) return "—";
  return hours < 48 ? `${hours.toFixed(1)} giờ` : `${(hours / 24).toFixed(1)} ngày`;
}

function satisfied(card) {
  const shares = card.satisfaction.shares.filter((s) => s.satisfaction !== "DISSATISFIED");
  if (shares.some((s) => s.share === null)) return null;
  return shares.reduce((sum, s) => sum + s.share, 0);
}

/** Show the scorecards for the list's filter (status aside: it would skew the rates). */
export async function loadScorecards(filter) {
  const section = byId("scorecards");
  let cards;
  try {
    const data = await post(SCORECARDS, { filter: { ...filter, status: null } });
    cards = data.agencyScorecards;
  } catch {
    section.hidden = true;
    return;
  }
  const withReports = cards.filter((card) => card.reports > 0);
  if (withReports.length === 0) {
    section.hidden = true;
    return;
  }
  const minimum = withReports[0].minimumSample;
  byId("scorecards-note").textContent =
    `Tỷ lệ chỉ hiển thị khi cơ quan có từ ${minimum} phản ánh trở lên: số liệu quá ít dễ gây hiểu lầm.`;
  const header = ["Cơ quan", "Số phản ánh", "Trả lời đúng hạn", "Phản hồi đầu tiên (trung vị)", "Giải quyết (trung vị)", "Hài lòng"];
  replace(
    byId("scorecards-table"),
    h(
      "table",
      { class: "scorecards" },
      h("caption", { class: "visually-hidden" }, "Kết quả xử lý theo cơ quan"),
      h("thead", {}, h("tr", {}, header.map((text, i) => h("th", { scope: "col", class: i ? "num" : null }, text)))),
      h(
        "tbody",
        {},
        withReports.map((card) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, card.agency.name),
            h("td", { class: "num" }, String(card.reports)),
            h("td", { class: "num" }, percent(card.onTime.share)),
            h("td", { class: "num" }, duration(card.timeToFirstResponse.medianHours)),
            h("td", { class: "num" }, duration(card.timeToResolution.medianHours)),
            h("td", { class: "num" }, percent(satisfied(card))),
          ),
        ),
      ),
    ),
  );
  section.hidden = false;
}
