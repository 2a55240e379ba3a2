// The staff console at /console/: sign-in, then the agency inbox (officers) or the triage
// queue (coordinators and administrators) beside the opened report, all kept live over one
// WebSocket.

import { ApiError } from "./api.js";
import { announce, byId, h, replace } from "./dom.js";
import { ROLE, label } from "./labels.js";
import { LiveClient, STATUS as LIVE } from "./live.js";
import { AGENCIES, AGENCY_INBOX, TRIAGE_QUEUE, VIEWER } from "./ops.js";
import { ReportPanel } from "./panel.js";
import { QueueView } from "./queue.js";
import * as session from "./session.js";
import { chimesPlayed, setMuted, unlockSound } from "./sound.js";

const OPEN = ["ASSIGNED", "IN_PROGRESS"];
const SOUND_KEY = "phananh.console.sound";

let live = null;
let queue = null;
let panel = null;

function officerTabs(agencyId) {
  const mine = (row) => row.assignedAgency?.id === agencyId;
  return [
    { id: "open", label: "Cần xử lý", filter: { agencyId, status: OPEN }, matches: (r) => mine(r) && OPEN.includes(r.status) },
    { id: "overdue", label: "Quá hạn", filter: { agencyId, overdue: true }, matches: (r) => mine(r) && r.isOverdue },
    { id: "answered", label: "Đã trả lời", filter: { agencyId, status: ["RESOLVED"] }, matches: (r) => mine(r) && r.status === "RESOLVED" },
    { id: "all", label: "Tất cả", filter: { agencyId }, matches: mine },
  ];
}

function coordinatorTabs() {
  return [
    { id: "triage", label: "Chờ phân loại", filter: { status: ["SUBMITTED"] }, matches: (r) => r.status === "SUBMITTED" },
    { id: "overdue", label: "Quá hạn", filter: { overdue: true }, matches: (r) => r.isOverdue },
    { id: "answered", label: "Đã trả lời", filter: { status: ["RESOLVED"] }, matches: (r) => r.status === "RESOLVED" },
    { id: "all", label: "Tất cả", filter: {}, matches: () => true },
  ];
}

// What deserves the officer's attention (a count and a chime), and how to say it.
function officerNews(event) {
  const code = event.report?.code ?? "";
  switch (event.type) {
    case "ASSIGNED":
      return `Phản ánh mới được chuyển đến: ${code}`;
    case "REOPENED":
      return `Phản ánh được mở lại: ${code}`;
    case "ANSWER_SENT_BACK":
      return `Ban chỉ đạo yêu cầu trả lời lại: ${code}`;
    default:
      return null;
  }
}

function triageNews(event) {
  const code = event.report?.code ?? "";
  switch (event.type) {
    case "SUBMITTED":
      return `Phản ánh mới chờ phân loại: ${code}`;
    case "RETURNED":
      return `Cơ quan trả lại phản ánh: ${code}`;
    case "REOPENED":
      return `Phản ánh được mở lại: ${code}`;
    case "OVERDUE":
      return `Phản ánh quá hạn: ${code}`;
    case "RATED":
      return `Người dân không hài lòng: ${code}`;
    default:
      return null;
  }
}

function showLogin(message = "") {
  byId("app-view").hidden = true;
  byId("who").hidden = true;
  byId("login-view").hidden = false;
  const error = byId("login-error");
  error.textContent = message;
  byId("username").focus();
}

async function onLogin(event) {
  event.preventDefault();
  unlockSound(); // this click is the gesture that lets the chime play later
  const form = event.currentTarget;
  const error = byId("login-error");
  const button = form.querySelector("button[type=submit]");
  error.textContent = "";
  button.disabled = true;
  try {
    const viewer = await session.signIn(form.username.value.trim(), form.password.value);
    form.reset();
    await start(viewer);
  } catch (problem) {
    error.textContent = problem.message;
  } finally {
    button.disabled = false;
  }
}

function renderWho(viewer) {
  const status = h("span", { id: "live-status", class: "live-status", role: "status" }, "Đang kết nối…");
  const sound = h("input", {
    type: "checkbox",
    id: "sound-toggle",
    checked: localStorage.getItem(SOUND_KEY) !== "off",
    onchange: (event) => {
      const on = event.currentTarget.checked;
      localStorage.setItem(SOUND_KEY, on ? "on" : "off");
      setMuted(!on);
      if (on) unlockSound();
    },
  });
  setMuted(localStorage.getItem(SOUND_KEY) === "off");
  replace(
    byId("who"),
    h(
      "span",
      { class: "viewer" },
      h("strong", {}, viewer.displayName),
      ` · ${label(ROLE, viewer.role)}`,
      viewer.agency ? ` · ${viewer.agency.name}` : "",
    ),
    status,
    h("span", { class: "sound" }, sound, h("label", { for: "sound-toggle" }, "Âm báo")),
    h("button", { type: "button", class: "secondary", onclick: () => session.signOut() }, "Đăng xuất"),
  );
  byId("who").hidden = false;
}

function showLiveStatus(status, detail) {
  const node = document.getElementById("live-status");
  if (!node) return;
  node.dataset.status = status;
  node.textContent = {
    [LIVE.CONNECTING]: "Đang kết nối…",
    [LIVE.LIVE]: "● Trực tiếp",
    [LIVE.RECONNECTING]: detail.retryInMs
      ? `Mất kết nối — thử lại sau ${Math.ceil(detail.retryInMs / 1000)} giây`
      : "Đang kết nối lại…",
    [LIVE.CLOSED]: "Đã ngắt",
  }[status];
}

async function start(viewer) {
  if (!["COORDINATOR", "ADMIN", "AGENCY_OFFICER"].includes(viewer.role)) {
    await session.signOut();
    showLogin("Bảng điều khiển dành cho cán bộ. Người dân theo dõi phản ánh tại trang /track/.");
    return;
  }
  byId("login-view").hidden = true;
  byId("app-view").hidden = false;
  renderWho(viewer);
  live = new LiveClient({
    connectionParams: async () => {
      const token = await session.accessToken();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    onAuthRejected: async () => {
      // The server refused the token: renew it now (or end the session if that fails).
      await session.request(VIEWER);
    },
    onStatus: showLiveStatus,
  });
  // Tests (and curious developers) can reach the live client: see tests/browser.
  window.__phananhLive = live;
  window.__phananhChimes = chimesPlayed;

  const { agencies } = await session.request(AGENCIES);
  panel = new ReportPanel({
    root: byId("detail"),
    live,
    agencies,
    onChanged: (report) => queue?.refresh(report),
  });
  const officer = viewer.role === "AGENCY_OFFICER";
  queue = new QueueView({
    root: byId("queue"),
    title: officer ? `Hộp thư: ${viewer.agency?.name ?? ""}` : "Hàng chờ phân loại",
    tabs: officer ? officerTabs(viewer.agency.id) : coordinatorTabs(),
    follow: (handlers) =>
      officer
        ? live.subscribe(AGENCY_INBOX, { agencyId: viewer.agency.id }, handlers)
        : live.subscribe(TRIAGE_QUEUE, {}, handlers),
    newWork: (event) => {
      const news = officer ? officerNews(event) : triageNews(event);
      if (news && event.type === "RATED" && event.rating?.satisfaction !== "DISSATISFIED") return null;
      return news;
    },
    onOpen: (row) => {
      history.replaceState(null, "", `#${row.code}`);
      panel.open(row.id);
    },
  });
  await queue.start();
  const code = decodeURIComponent(location.hash.slice(1));
  if (code) {
    const row = [...queue.rows.values()].find((item) => item.dataset.code === code);
    if (row) row.querySelector("button").click();
  }
  document.body.dataset.ready = "1";
}

function stop() {
  queue?.stop();
  panel?.close();
  live?.close();
  queue = panel = live = null;
  document.title = "Bảng điều khiển PhanAnh";
  delete document.body.dataset.ready;
}

async function boot() {
  byId("login-form").addEventListener("submit", onLogin);
  // After a reload the session is restored without a click: the first click unlocks sound.
  document.addEventListener("pointerdown", unlockSound, { once: true });
  session.onSignedOut(() => {
    stop();
    showLogin("Bạn đã đăng xuất.");
  });
  if (!session.viewer()) {
    showLogin();
    return;
  }
  try {
    // Check that the stored session still works (it may have been ended elsewhere).
    const { viewer } = await session.request(VIEWER);
    if (!viewer) throw new ApiError("Phiên đăng nhập đã hết hạn.", "UNAUTHENTICATED");
    await start(viewer);
  } catch (error) {
    announce(error.message);
    showLogin(error.message);
  }
}

boot();
