// Load generation with autocannon over keep-alive HTTP/1.1 connections. Latencies are taken from
// autocannon's per-response event (float milliseconds from hrtime) rather than its histogram,
// which rounds to whole milliseconds: too coarse for sub-millisecond Workers.
import autocannon from "autocannon";
import { percentile } from "./stats.mjs";
import { workerdCpuSeconds } from "./runtime.mjs";

function cpuNow() {
  return { workerd: workerdCpuSeconds(), self: process.cpuUsage() };
}

/** CPU the runtime (workerd) and the load generator (this process) used since `from`. */
function cpuSince(from) {
  const now = workerdCpuSeconds();
  const self = process.cpuUsage(from.self);
  return {
    workerdSeconds: from.workerd === null || now === null ? null : now - from.workerd,
    loaderSeconds: (self.user + self.system) / 1e6,
  };
}

/**
 * @typedef {object} LoadTarget
 * @property {string} url
 * @property {string} [method]
 * @property {Record<string,string>} [headers]
 * @property {string} [body]
 * @property {(req: object) => object} [setupRequest] called before each request (unique bodies)
 * @property {object[]} [requests] autocannon request list (each connection cycles through it)
 */

function options(target, { connections, duration }) {
  const opts = {
    url: target.url,
    method: target.method ?? "GET",
    headers: target.headers ?? {},
    connections,
    pipelining: 1,
    timeout: 30,
    // autocannon renders a progress bar and a table only when asked; keep it quiet.
    renderProgressBar: false,
    renderResultsTable: false,
    renderLatencyTable: false,
  };
  if (duration !== undefined) opts.duration = duration;
  if (target.body !== undefined) opts.body = target.body;
  if (target.requests) opts.requests = target.requests;
  else if (target.setupRequest) opts.requests = [{ setupRequest: target.setupRequest }];
  return opts;
}

function collect(tracker) {
  const latencies = [];
  const status = { ok: 0, non2xx: 0, codes: {} };
  tracker.on("response", (_client, statusCode, _bytes, responseTime) => {
    latencies.push(responseTime);
    if (statusCode >= 200 && statusCode < 300) status.ok++;
    else status.non2xx++;
    status.codes[statusCode] = (status.codes[statusCode] ?? 0) + 1;
  });
  return { latencies, status };
}

function summarize(result, latencies, status, elapsedMs, cpu) {
  const seconds = elapsedMs / 1000;
  return {
    // CPU of workerd per completed request: steadier than req/s on a shared machine.
    cpuMsPerReq:
      cpu.workerdSeconds === null || latencies.length === 0 ? null : (cpu.workerdSeconds * 1000) / latencies.length,
    workerdCpuShare: cpu.workerdSeconds === null ? null : cpu.workerdSeconds / seconds,
    loaderCpuShare: cpu.loaderSeconds / seconds,
    rps: status.ok / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    mean: latencies.length ? latencies.reduce((a, b) => a + b, 0) / latencies.length : null,
    requests: latencies.length,
    ok: status.ok,
    non2xx: status.non2xx,
    codes: status.codes,
    errors: result?.errors ?? 0,
    timeouts: result?.timeouts ?? 0,
    seconds,
  };
}

/** Runs one fixed-duration load and resolves with req/s (2xx only), p50, p99 in ms. */
export async function runLoad(target, { connections = 10, duration = 5 } = {}) {
  const cpu = cpuNow();
  const started = performance.now();
  const tracker = autocannon(options(target, { connections, duration }));
  const { latencies, status } = collect(tracker);
  const result = await tracker;
  return summarize(result, latencies, status, performance.now() - started, cpuSince(cpu));
}

/** Starts a load that runs until stop() is called (or maxSeconds pass); stop() resolves the summary. */
export function startLoad(target, { connections = 10, maxSeconds = 600 } = {}) {
  const cpu = cpuNow();
  const started = performance.now();
  const tracker = autocannon(options(target, { connections, duration: maxSeconds }));
  const { latencies, status } = collect(tracker);
  const done = Promise.resolve(tracker).then((result) =>
    summarize(result, latencies, status, performance.now() - started, cpuSince(cpu)),
  );
  return {
    async stop() {
      tracker.stop();
      return done;
    },
    done,
  };
}
