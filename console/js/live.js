// Live report events over one WebSocket speaking `graphql-transport-ws`, the protocol the API
// documents. The point of this module is that a page never misses or repeats an event:
//  - it reconnects by itself, with exponential backoff (and at once when the browser says the
//    network is back), so a province's flaky 4G does not need a person pressing F5;
//  - every subscription remembers the `cursor` of the last event it received and resubscribes
//    with `after: cursor`, which makes the server replay what was missed, in order;
//  - events are deduplicated by id, so a replay that overlaps what arrived already is harmless.

const PROTOCOL = "graphql-transport-ws";
const ACK_TIMEOUT_MS = 10_000;
// A dead connection (a laptop leaving the Wi-Fi) often stays "open" for minutes; a ping that
// goes unanswered is the only quick way to notice, and the server answers pings at once.
const PING_EVERY_MS = 15_000;
const PONG_TIMEOUT_MS = 5_000;
const SEEN_LIMIT = 2_000;
// Close codes of the protocol after which retrying with the same credentials cannot help.
const AUTH_CLOSE_CODES = new Set([4401, 4403]);

export const STATUS = Object.freeze({
  CONNECTING: "connecting",
  LIVE: "live",
  RECONNECTING: "reconnecting",
  CLOSED: "closed",
});

export function graphqlSocketUrl() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/graphql`;
}

class Subscription {
  constructor(client, query, variables, handlers) {
    this.client = client;
    this.query = query;
    this.variables = variables;
    this.handlers = handlers;
    // Where to resume: the last received event's cursor, or the caller's starting cursor.
    this.cursor = variables.after ?? null;
    this.operationId = null;
    this.seen = new Set();
    this.seenOrder = [];
    this.active = true;
  }

  /** Deliver one event unless it was delivered before (a replay can overlap what arrived). */
  deliver(event) {
    if (event.cursor) this.cursor = event.cursor;
    const key = event.id ?? event.cursor;
    if (this.seen.has(key)) {
      this.client.stats.duplicatesDropped += 1;
      return;
    }
    this.seen.add(key);
    this.seenOrder.push(key);
    if (this.seenOrder.length > SEEN_LIMIT) this.seen.delete(this.seenOrder.shift());
    this.client.stats.events += 1;
    this.handlers.onEvent(event);
  }

  /** Mark ids as already delivered (events the page loaded over HTTP before going live). */
  markSeen(ids) {
    for (const id of ids) {
      if (!this.seen.has(id)) {
        this.seen.add(id);
        this.seenOrder.push(id);
      }
    }
  }

  unsubscribe() {
    if (!this.active) return;
    this.active = false;
    this.client.forget(this);
  }
}

export class LiveClient {
  /**
   * @param {object} options
   * @param {() => Promise<object>} [options.connectionParams] the `connection_init` payload,
   *   asked for on every (re)connection so that a renewed access token is used
   * @param {() => Promise<void>} [options.onAuthRejected] called when the server refuses the
   *   credentials; renew them there (the next attempt asks `connectionParams` again)
   * @param {(status: string, detail: object) => void} [options.onStatus]
   */
  constructor({
    url = graphqlSocketUrl(),
    connectionParams = async () => ({}),
    onAuthRejected = async () => {},
    onStatus = () => {},
    initialDelayMs = 500,
    maxDelayMs = 15_000,
  } = {}) {
    Object.assign(this, { url, connectionParams, onAuthRejected, onStatus });
    this.initialDelayMs = initialDelayMs;
    this.maxDelayMs = maxDelayMs;
    this.subscriptions = new Set();
    this.byOperation = new Map();
    this.socket = null;
    this.status = STATUS.CLOSED;
    this.attempt = 0;
    this.nextOperation = 1;
    this.timers = {};
    this.closedByUser = false;
    this.connecting = false;
    this.hadConnection = false;
    this.stats = { connects: 0, drops: 0, events: 0, duplicatesDropped: 0 };
    this.onOnline = () => this.reconnectNow();
    this.onOffline = () => this.dropped("offline");
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
  }

  /**
   * Start a subscription. `variables.after` is where to start (a ReportEvent cursor), or
   * absent for "from now". Handlers: onEvent(event), onError(errors), and onGap(), called
   * after a reconnection when the subscription had no cursor yet, so events may have been
   * missed that the page must reload over HTTP.
   */
  subscribe(query, variables, handlers) {
    const subscription = new Subscription(this, query, { ...variables }, {
      onError: () => {},
      onGap: () => {},
      ...handlers,
    });
    this.subscriptions.add(subscription);
    if (this.status === STATUS.LIVE) this.send(subscription);
    else if (!this.timers.retry) this.connect();
    return subscription;
  }

  forget(subscription) {
    this.subscriptions.delete(subscription);
    if (subscription.operationId !== null) {
      this.byOperation.delete(subscription.operationId);
      if (this.status === STATUS.LIVE) {
        this.write({ id: subscription.operationId, type: "complete" });
      }
    }
  }

  close() {
    this.closedByUser = true;
    this.clearTimers();
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("offline", this.onOffline);
    if (this.socket) {
      this.detach().close(1000, "Đóng trang");
    }
    this.setStatus(STATUS.CLOSED);
  }

  /** Test hook and "offline" handler: behave as if the network had dropped the connection. */
  drop() {
    this.dropped("dropped");
  }

  async connect() {
    if (this.closedByUser || this.socket || this.connecting) return;
    this.connecting = true;
    this.clearTimers();
    this.setStatus(this.hadConnection ? STATUS.RECONNECTING : STATUS.CONNECTING);
    let params;
    try {
      params = await this.connectionParams();
    } catch {
      this.connecting = false;
      this.scheduleRetry();
      return;
    }
    this.connecting = false;
    if (this.closedByUser || this.socket) return;
    const socket = new WebSocket(this.url, PROTOCOL);
    this.socket = socket;
    socket.onopen = () => {
      this.write({ type: "connection_init", payload: params ?? {} });
      this.timers.ack = setTimeout(() => this.dropped("no-ack"), ACK_TIMEOUT_MS);
    };
    socket.onmessage = (message) => this.receive(message.data);
    socket.onclose = (closing) => this.closed(closing.code);
    socket.onerror = () => {}; // always followed by `close`, handled there
  }

  receive(raw) {
    let message;
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    this.armPing();
    switch (message.type) {
      case "connection_ack":
        clearTimeout(this.timers.ack);
        this.attempt = 0;
        this.hadConnection = true;
        this.stats.connects += 1;
        this.setStatus(STATUS.LIVE);
        this.subscriptions.forEach((subscription) => this.send(subscription, true));
        break;
      case "ping":
        this.write({ type: "pong" });
        break;
      case "next": {
        const subscription = this.byOperation.get(message.id);
        if (!subscription) return;
        const { data, errors } = message.payload ?? {};
        if (errors?.length) subscription.handlers.onError(errors);
        if (data) {
          const event = Object.values(data)[0];
          if (event) subscription.deliver(event);
        }
        break;
      }
      case "error": {
        const subscription = this.byOperation.get(message.id);
        if (!subscription) return;
        this.byOperation.delete(message.id);
        this.subscriptions.delete(subscription);
        subscription.active = false;
        subscription.handlers.onError(message.payload ?? []);
        break;
      }
      case "complete": {
        // Feeds never end on their own: a completed one is resumed from its cursor.
        const subscription = this.byOperation.get(message.id);
        if (!subscription) return;
        this.byOperation.delete(message.id);
        subscription.operationId = null;
        setTimeout(() => {
          if (subscription.active && this.status === STATUS.LIVE) this.send(subscription);
        }, this.initialDelayMs);
        break;
      }
      default:
        break; // `pong` and anything newer: the ping timer was re-armed above
    }
  }

  send(subscription, resumed = false) {
    const id = String(this.nextOperation++);
    subscription.operationId = id;
    this.byOperation.set(id, subscription);
    const variables = { ...subscription.variables, after: subscription.cursor };
    this.write({ id, type: "subscribe", payload: { query: subscription.query, variables } });
    // Without a cursor nothing can be replayed: tell the page to reload what it shows.
    if (resumed && this.stats.connects > 1 && !subscription.cursor) subscription.handlers.onGap();
  }

  write(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
    }
  }

  armPing() {
    clearTimeout(this.timers.ping);
    clearTimeout(this.timers.pong);
    this.timers.ping = setTimeout(() => {
      this.write({ type: "ping" });
      this.timers.pong = setTimeout(() => this.dropped("no-pong"), PONG_TIMEOUT_MS);
    }, PING_EVERY_MS);
  }

  /** The server (or the network) closed the socket. */
  closed(code) {
    this.detach();
    if (this.closedByUser) return;
    this.stats.drops += 1;
    if (AUTH_CLOSE_CODES.has(code)) {
      this.onAuthRejected()
        .catch(() => {})
        .finally(() => this.scheduleRetry());
      return;
    }
    this.scheduleRetry();
  }

  /** Give up on the current socket at once, without waiting for a closing handshake. */
  dropped(reason) {
    if (this.closedByUser || !this.socket) return;
    this.detach().close(4000, reason);
    this.stats.drops += 1;
    this.scheduleRetry();
  }

  /** Stop listening to the current socket and return it. */
  detach() {
    const socket = this.socket;
    this.socket = null;
    this.clearTimers();
    this.byOperation.clear();
    this.subscriptions.forEach((subscription) => {
      subscription.operationId = null;
    });
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = null;
    }
    return socket;
  }

  scheduleRetry() {
    if (this.closedByUser) return;
    clearTimeout(this.timers.retry);
    // Exponential backoff with jitter: thousands of consoles must not all return in one second
    // after a server restart.
    const ceiling = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** this.attempt);
    const delay = Math.round(ceiling * (0.5 + Math.random() / 2));
    this.attempt += 1;
    this.setStatus(STATUS.RECONNECTING, { retryInMs: delay });
    this.timers.retry = setTimeout(() => {
      this.timers.retry = null;
      this.connect();
    }, delay);
  }

  reconnectNow() {
    if (this.closedByUser || this.socket || this.connecting) return;
    this.attempt = 0;
    this.connect();
  }

  clearTimers() {
    Object.values(this.timers).forEach((timer) => clearTimeout(timer));
    this.timers = {};
  }

  setStatus(status, detail = {}) {
    this.status = status;
    this.onStatus(status, detail);
  }
}
