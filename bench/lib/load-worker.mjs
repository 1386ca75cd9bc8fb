// The load generator's own process (forked by lib/load.mjs): autocannon runs here, so that its
// event loop and its CPU are not the harness's, and the harness can measure what it costs.
// Messages in: { type: "start", id, target, opts } and { type: "stop", id }. Message out:
// { type: "done", id, result } once a run ends. A target's request list may name a recipe (a
// module and an export that builds autocannon `requests`, functions included), since functions
// cannot cross the IPC channel.
import autocannon from "autocannon";
import { workerdCpuSeconds } from "./runtime.mjs";

const running = new Map();
const stopEarly = new Set(); // stop() that arrived while the run was still being set up
// The harness gone (exit, crash, kill): nothing left to measure for.
process.on("disconnect", () => process.exit(0));

const now = () => performance.timeOrigin + performance.now();

async function requestsOf(target) {
  if (target.recipe) {
    const mod = await import(target.recipe.module);
    return mod[target.recipe.name](...(target.recipe.args ?? []));
  }
  return target.requests;
}

/** Keeps the first `max` 5xx answers (their body names the request id in the Worker's log). */
function capturingFailures(requests, max, failures) {
  return requests.map((r) => ({
    ...r,
    onResponse: (status, body, context, headers) => {
      if (status >= 500 && failures.length < max)
        failures.push({ method: r.method, path: r.path, status, body: String(body).slice(0, 300) });
      r.onResponse?.(status, body, context, headers);
    },
  }));
}

async function start({ id, target, opts }) {
  const failures = [];
  let requests = await requestsOf(target);
  if (requests && opts.captureFailures) requests = capturingFailures(requests, opts.captureFailures, failures);
  const options = {
    url: target.url,
    method: target.method ?? "GET",
    headers: target.headers ?? {},
    connections: opts.connections,
    pipelining: 1,
    timeout: 30,
    duration: opts.duration,
    renderProgressBar: false,
    renderResultsTable: false,
    renderLatencyTable: false,
  };
  if (target.body !== undefined) options.body = target.body;
  if (requests) options.requests = requests;

  // Per response: its latency (hrtime, fractional ms) and, when asked, the wall-clock time it
  // completed (epoch ms), so the harness can keep only the responses inside a window.
  const latencies = [];
  const ends = opts.timestamps ? [] : null;
  const status = { ok: 0, non2xx: 0, codes: {} };
  const cpu0 = process.cpuUsage();
  const workerd0 = workerdCpuSeconds(process.ppid);
  const t0 = performance.now();
  const startedAt = now();
  const tracker = autocannon(options);
  running.set(id, tracker);
  if (stopEarly.delete(id)) tracker.stop();
  tracker.on("response", (_client, statusCode, _bytes, responseTime) => {
    latencies.push(responseTime);
    ends?.push(now());
    if (statusCode >= 200 && statusCode < 300) status.ok++;
    else status.non2xx++;
    status.codes[statusCode] = (status.codes[statusCode] ?? 0) + 1;
  });
  const result = await tracker;
  const elapsedMs = performance.now() - t0;
  const workerd1 = workerdCpuSeconds(process.ppid);
  const cpu = process.cpuUsage(cpu0);
  running.delete(id);
  return {
    latencies: Float64Array.from(latencies),
    ends: ends ? Float64Array.from(ends) : null,
    status,
    errors: result?.errors ?? 0,
    timeouts: result?.timeouts ?? 0,
    elapsedMs,
    startedAt,
    loaderSeconds: (cpu.user + cpu.system) / 1e6,
    workerdSeconds: workerd0 === null || workerd1 === null ? null : workerd1 - workerd0,
    failures,
  };
}

process.on("message", (msg) => {
  if (msg.type === "stop") {
    const tracker = running.get(msg.id);
    if (tracker) tracker.stop();
    else stopEarly.add(msg.id);
    return;
  }
  if (msg.type !== "start") return;
  start(msg).then(
    (result) => process.send({ type: "done", id: msg.id, result }),
    (err) => process.send({ type: "done", id: msg.id, error: err instanceof Error ? err.stack : String(err) }),
  );
});
