// Small DOM helpers. Everything shown comes from the API (citizens' own words among it), so
// text always goes in through textContent: no innerHTML anywhere, no chance of injection.

/**
 * Create an element: h("button", {class: "primary", onclick: fn}, "Gửi").
 * Attributes starting with "on" become listeners; `dataset` and `aria-*` are set as given;
 * null/false attributes and children are skipped so that callers can write conditions inline.
 */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      node.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(node.dataset, value);
    } else if (name === "class") {
      node.className = value;
    } else if (name in node && typeof value !== "string") {
      node[name] = value; // properties such as `checked`, `disabled`, `value`
    } else {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace an element's content. */
export function replace(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

/** The element with this id; a missing one is a bug in the page, so fail loudly. */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing from the page`);
  return node;
}

// Vietnam has one time zone and no daylight saving; showing times there keeps a coordinator
// abroad (or a test machine in UTC) reading the same deadline as the agency.
const TIME_ZONE = "Asia/Ho_Chi_Minh";
const dateTime = new Intl.DateTimeFormat("vi-VN", {
  timeZone: TIME_ZONE,
  hour: "2-digit",
  minute: "2-digit",
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
});
const dateOnly = new Intl.DateTimeFormat("vi-VN", {
  timeZone: TIME_ZONE,
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
});

export function formatDateTime(iso) {
  return iso ? dateTime.format(new Date(iso)) : "";
}

export function formatDate(iso) {
  return iso ? dateOnly.format(new Date(iso)) : "";
}

/** A <time> element: machine-readable for assistive technology, Vietnamese for people. */
export function timeEl(iso, withTime = true) {
  return h("time", { datetime: iso }, withTime ? formatDateTime(iso) : formatDate(iso));
}

/** Today's date in Vietnam as YYYY-MM-DD, for the `min` of date pickers. */
export function todayInVietnam() {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: TIME_ZONE }).format(new Date());
  return parts; // en-CA formats as YYYY-MM-DD
}

/** A moment in time that is announced politely to screen readers (new reports, errors). */
export function announce(message) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  // A fresh text node in a separate task makes screen readers read repeated messages too.
  setTimeout(() => {
    region.textContent = message;
  }, 50);
}
