// The load generator: HTTP request loops and WebSocket fan-out, run as its own process.
//
//   node bench/loadgen.mjs http   <config.json>   -> one JSON line of results on stdout
//   node bench/loadgen.mjs fanout <config.json>   -> "READY ..." line, waits for "GO" on stdin,
//                                                    then one JSON line of results
//
// Every loop is bounded (a duration and a request cap; a round count and a per-round timeout),
// so a stuck server ends the run with errors instead of hanging it. Node and `ws` are used
// because a Python client was measured about 2x slower at reading thousands of sockets here,
// and the client must not be what limits the numbers.
import fs from "node:fs";
import http from "node:http";
import readline from "node:readline";
import { performance } from "node:perf_hooks";
import WebSocket from "ws";

const [mode, configPath] = process.argv.slice(2);
const config = JSON.parse(fs.readFileSync(configPath, "utf8"));

function percentile(sorted, q) {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index];
}

function summary(latencies) {
  const sorted = Float64Array.from(latencies).sort();
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    count: sorted.length,
    mean: sorted.length ? total / sorted.length : null,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1] : null,
  };
}

function cpuSeconds() {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

function post(agent, url, body, headers, timeoutMs) {
  return new Promise((resolve) => {
    const request = http.request(
      url,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", ...headers },
        timeout: timeoutMs,
      },
      (response) => {
        const chunks = [];
        response.on("data", (chunk) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode, text: Buffer.concat(chunks).toString("utf8") }),
        );
      },
    );
    request.on("timeout", () => request.destroy(new Error("timeout")));
    request.on("error", (error) => resolve({ status: 0, text: String(error) }));
    request.end(body);
  });
}

// --- HTTP: `concurrency` loops over `requests` until the duration or the cap is reached ---------

async function runHttp() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: config.concurrency });
  const requests = config.requests;
  let next = 0;
  let stopAt = 0;
  let measuring = false;
  const latencies = [];
  let errors = 0;
  let firstError = null;
  let sent = 0;
  const cap = config.maxRequests ?? Infinity;

  async function loop() {
    while (performance.now() < stopAt && sent < cap) {
      if (!config.cycle && next >= requests.length) return;
      const item = requests[next % requests.length];
      next += 1;
      sent += 1;
      const started = performance.now();
      const response = await post(agent, config.url, item.body, item.headers ?? {}, config.timeoutMs ?? 30000);
      const elapsed = performance.now() - started;
      const ok = response.status === 200 && (!config.expect || response.text.includes(config.expect))
        && !response.text.includes('"errors"');
      if (!measuring) continue;
      if (ok) latencies.push(elapsed);
      else {
        errors += 1;
        firstError ??= `${response.status} ${response.text.slice(0, 300)}`;
      }
    }
  }

  async function phase(seconds, measured) {
    measuring = measured;
    stopAt = performance.now() + seconds * 1000;
    const started = performance.now();
    const cpu = cpuSeconds();
    await Promise.all(Array.from({ length: config.concurrency }, loop));
    return { seconds: (performance.now() - started) / 1000, cpu: cpuSeconds() - cpu };
  }

  if (config.warmupSeconds) await phase(config.warmupSeconds, false);
  sent = 0;
  const measured = await phase(config.durationSeconds, true);
  agent.destroy();
  const stats = summary(latencies);
  return {
    requests: stats.count,
    errors,
    firstError,
    seconds: measured.seconds,
    rps: stats.count / measured.seconds,
    latencyMs: stats,
    loadgenCpuSeconds: measured.cpu,
  };
}

// --- Fan-out: N sockets subscribe; each round publishes once and times every delivery ----------

const closes = [];

function openSocket(url, index, onMessage) {
  return new Promise((resolve) => {
    const protocols = config.protocol === "graphql-transport-ws" ? ["graphql-transport-ws"] : [];
    const socket = new WebSocket(url, protocols, {
      perMessageDeflate: config.perMessageDeflate,
      handshakeTimeout: 30000,
    });
    let settled = false;
    const done = (ok, reason) => {
      if (!settled) {
        settled = true;
        resolve({ socket, ok, reason });
      }
    };
    socket.on("open", () => {
      if (config.protocol !== "graphql-transport-ws") return done(true);
      socket.send(JSON.stringify({ type: "connection_init", payload: config.connectionParams ?? {} }));
    });
    socket.on("message", (data) => {
      const text = data.toString();
      if (config.protocol !== "graphql-transport-ws") return onMessage(index, text);
      // Control messages are small; an event is not: only small ones are worth parsing here.
      if (text.length < 200) {
        const message = JSON.parse(text);
        if (message.type === "connection_ack") {
          socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: config.subscribe }));
          return done(true);
        }
        if (message.type === "ping") return socket.send('{"type":"pong"}');
      }
      onMessage(index, text);
    });
    socket.on("error", (error) => done(false, String(error)));
    socket.on("close", (code, reason) => {
      closes.push(`${code} ${reason}`);
      done(false, `closed ${code}`);
    });
  });
}

async function runFanout() {
  const urls = config.urls;
  const count = config.connections;
  const received = new Float64Array(count).fill(-1);
  let roundStart = 0;
  let roundActive = false;
  let roundGot = 0;
  let roundDone = null;
  let bad = 0;
  let badSample = null;
  let sample = null;
  const expected = config.protocol === "graphql-transport-ws" ? '"type":"next"' : null;

  function onMessage(index, text) {
    if (!roundActive || received[index] >= 0) return;
    if (expected && !text.includes(expected)) {
      bad += 1;
      badSample ??= text.slice(0, 500);
      return;
    }
    received[index] = performance.now() - roundStart;
    if (index === 0) sample = text;
    roundGot += 1;
    if (roundGot === count && roundDone) roundDone();
  }

  // Connect in waves, so the server's accept backlog never overflows.
  const connectStarted = performance.now();
  const sockets = [];
  const failures = [];
  for (let start = 0; start < count; start += config.connectParallel) {
    const wave = [];
    for (let i = start; i < Math.min(count, start + config.connectParallel); i += 1) {
      wave.push(openSocket(urls[i % urls.length], i, onMessage));
    }
    for (const result of await Promise.all(wave)) {
      sockets.push(result.socket);
      if (!result.ok) failures.push(result.reason);
    }
  }
  const connectSeconds = (performance.now() - connectStarted) / 1000;

  async function round(timeoutMs) {
    received.fill(-1);
    roundGot = 0;
    const finished = new Promise((resolve) => {
      roundDone = resolve;
      setTimeout(resolve, timeoutMs);
    });
    roundActive = true;
    // A fresh connection per trigger (a kept-alive one may be closed by the server between
    // rounds); one retry, with the clock restarted, if the connection itself fails.
    let response = { status: 0, text: "" };
    for (let attempt = 0; attempt < 2 && response.status === 0; attempt += 1) {
      roundStart = performance.now();
      response = await post(false, config.trigger.url, config.trigger.body, config.trigger.headers ?? {}, 30000);
    }
    const triggered = response.status === 200 && !response.text.includes('"errors"')
      && (!config.trigger.expect || response.text.includes(config.trigger.expect));
    if (!triggered) {
      bad += 1;
      badSample ??= `trigger: ${response.status} ${response.text.slice(0, 300)}`;
      roundDone();
    }
    await finished;
    roundActive = false;
    const times = Array.from(received).filter((value) => value >= 0);
    return { triggered, received: times.length, missing: count - times.length, times };
  }

  // Subscriptions register asynchronously after their `subscribe`: let them settle, report the
  // idle state (the harness reads the server's memory then), and wait for the go-ahead.
  await new Promise((resolve) => setTimeout(resolve, config.settleMs));
  process.stdout.write(`READY ${JSON.stringify({ connected: count - failures.length })}\n`);
  if (config.waitForGo) {
    const lines = readline.createInterface({ input: process.stdin });
    for await (const line of lines) if (line.trim() === "GO") break;
    lines.close();
  }
  // One unmeasured round: every subscription is live once it has received an event.
  const warm = await round(config.roundTimeoutMs);

  const rounds = [];
  let failedTriggers = 0;
  const all = [];
  const byUrl = urls.map(() => []);
  let deliveredTime = 0;
  let delivered = 0;
  const cpu = cpuSeconds();
  for (let i = 0; i < config.rounds; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, config.pauseMs));
    const result = await round(config.roundTimeoutMs);
    if (!result.triggered) {
      failedTriggers += 1;
      continue; // no event was published: nothing to time
    }
    const last = result.times.length ? Math.max(...result.times) : config.roundTimeoutMs;
    const stats = summary(result.times);
    rounds.push({ received: result.received, missing: result.missing, lastMs: last, p50: stats.p50, p99: stats.p99 });
    for (const value of result.times) all.push(value);
    received.forEach((value, index) => value >= 0 && byUrl[index % urls.length].push(value));
    delivered += result.received;
    deliveredTime += last;
  }
  const loadgenCpu = cpuSeconds() - cpu;
  for (const socket of sockets) socket.terminate();
  return {
    connections: count,
    connected: count - failures.length,
    connectFailures: failures.length,
    firstConnectFailure: failures[0] ?? null,
    connectSeconds,
    rounds,
    delivered,
    missing: rounds.reduce((sum, item) => sum + item.missing, 0),
    deliveriesPerSecond: deliveredTime > 0 ? delivered / (deliveredTime / 1000) : 0,
    latencyMs: summary(all),
    latencyMsByUrl: byUrl.map(summary),
    warmReceived: warm.received,
    failedTriggers,
    badMessages: bad,
    firstBadMessage: badSample,
    closes: closes.length,
    firstClose: closes[0] ?? null,
    sample,
    loadgenCpuSeconds: loadgenCpu,
  };
}

const result = mode === "http" ? await runHttp() : await runFanout();
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
