// A report's timeline as a list, shared by the console and the public tracker. Each item
// carries its event id (data-event-id) so that live events can be added without repeats.

import { h, timeEl } from "./dom.js";
import { EVENT, SATISFACTION, STATUS, VISIBILITY, label } from "./labels.js";

export function statusBadge(status) {
  return h("span", { class: `badge status-${status.toLowerCase()}` }, label(STATUS, status));
}

export function visibilityBadge(visibility) {
  return h(
    "span",
    { class: `badge visibility-${visibility.toLowerCase()}` },
    label(VISIBILITY, visibility),
  );
}

export function eventItem(event) {
  const changed = event.toStatus && event.fromStatus !== event.toStatus;
  return h(
    "li",
    { class: `event event-${event.type.toLowerCase()}`, dataset: { eventId: event.id } },
    h(
      "div",
      { class: "event-head" },
      h("strong", { class: "event-type" }, label(EVENT, event.type)),
      " · ",
      h("span", { class: "event-actor" }, event.actorLabel),
      " · ",
      timeEl(event.at),
    ),
    changed
      ? h(
          "div",
          { class: "event-status" },
          event.fromStatus ? [statusBadge(event.fromStatus), " → "] : null,
          statusBadge(event.toStatus),
        )
      : null,
    event.note ? h("p", { class: "event-note" }, event.note) : null,
    event.message
      ? h(
          "div",
          { class: "event-message" },
          visibilityBadge(event.message.visibility),
          h("p", {}, event.message.body),
        )
      : null,
    event.rating
      ? h(
          "p",
          { class: "event-rating" },
          label(SATISFACTION, event.rating.satisfaction),
          event.rating.comment ? `: “${event.rating.comment}”` : "",
        )
      : null,
  );
}

/** Append events not already shown; returns how many were new. */
export function addEvents(list, events) {
  const shown = new Set([...list.querySelectorAll("[data-event-id]")].map((li) => li.dataset.eventId));
  let added = 0;
  for (const event of events) {
    if (shown.has(event.id)) continue;
    shown.add(event.id);
    list.append(eventItem(event));
    added += 1;
  }
  return added;
}
