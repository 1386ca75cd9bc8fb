// Load generation with autocannon over keep-alive HTTP/1.1 connections, in a process of its own
// (lib/load-worker.mjs, forked once and reused): the load generator does not share an event loop
// with the harness (its inspector sessions, its polling), and its CPU is measured on its own.
// Latencies are taken from autocannon's per-response event (float milliseconds from hrtime)
// rather than its histogram, which rounds to whole milliseconds: too coarse for sub-millisecond
// Workers. The samples come back over IPC and the percentiles are computed here.
import { fork } from "node:child_process";
import { availableParallelism } from "node:os";
import { percentile } from "./stats.mjs";

const CORES = availableParallelism();

let child = null;
let nextId = 1;
const pending = new Map();

function loader() {
  if (child) return child;
  child = fork(new URL("./load-worker.mjs", import.meta.url), [], {
    serialization: "advanced", // typed arrays of samples cross as such, not as JSON
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  child.on("message", (msg) => {
    const settle = pending.get(msg.id);
    if (!settle) return;
    pending.delete(msg.id);
    idleIfDone();
    settle(msg);
  });
  child.on("exit", (code, signal) => {
    child = null;
    for (const [, settle] of pending) settle({ error: `load generator exited (${signal ?? code})` });
    pending.clear();
  });
  return child;
}

// The child keeps the harness alive only while a run is under way (profile.mjs ends on its own).
function idleIfDone() {
  if (pending.size === 0 && child) {
    child.unref();
    child.channel?.unref();
  }
}

/** Ends the load generator's process (it also ends on its own when the harness exits). */
export function closeLoader() {
  if (child?.connected) child.disconnect();
}

/**
 * @typedef {object} LoadTarget  Plain data only: it crosses to the load generator's process.
 * @property {string} url
 * @property {string} [method]
 * @property {Record<string,string>} [headers]
 * @property {string} [body]
 * @property {object[]} [requests] autocannon request list, without functions
 * @property {{module: string, name: string, args?: unknown[]}} [recipe] a module's export that
 *   returns the autocannon request list (with setupRequest/onResponse functions), built in the
 *   load generator's process
 */

function begin(target, opts) {
  const id = nextId++;
  const proc = loader();
  proc.ref();
  proc.channel?.ref();
  const harnessCpu = process.cpuUsage();
  const done = new Promise((resolve, reject) => {
    pending.set(id, (msg) => {
      if (msg.error) reject(new Error(`load generator: ${msg.error}`));
      else resolve(summarize(msg.result, process.cpuUsage(harnessCpu), opts));
    });
  });
  proc.send({ type: "start", id, target, opts });
  return { id, done };
}

function summarize(r, harnessCpu, opts) {
  const { latencies, status } = r;
  const seconds = r.elapsedMs / 1000;
  const n = latencies.length;
  let sum = 0;
  for (const v of latencies) sum += v;
  return {
    // CPU of workerd per completed request: steadier than req/s on a shared machine.
    cpuMsPerReq: r.workerdSeconds === null || n === 0 ? null : (r.workerdSeconds * 1000) / n,
    workerdCpuShare: r.workerdSeconds === null ? null : r.workerdSeconds / seconds,
    // The load generator's CPU: as a share of the whole machine (all cores), and over workerd's.
    loaderCpuShare: r.loaderSeconds / (seconds * CORES),
    loaderVsWorkerd: r.workerdSeconds ? r.loaderSeconds / r.workerdSeconds : null,
    harnessCpuShare: (harnessCpu.user + harnessCpu.system) / 1e6 / (seconds * CORES),
    rps: status.ok / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    mean: n ? sum / n : null,
    requests: n,
    ok: status.ok,
    non2xx: status.non2xx,
    codes: status.codes,
    errors: r.errors,
    timeouts: r.timeouts,
    seconds,
    ...(r.failures?.length ? { failures: r.failures } : {}),
    // Raw samples only when asked for (not kept in results.json): latencies and completion times.
    ...(opts.timestamps ? { samples: { latencies, ends: r.ends, startedAt: r.startedAt } } : {}),
  };
}

/**
 * Runs one fixed-duration load and resolves with req/s (2xx only), p50, p99 in ms, the CPU of
 * workerd and of the load generator. Options: connections, duration (s), captureFailures (keep
 * that many 5xx answers), timestamps (return the raw samples with their completion times).
 */
export async function runLoad(target, { connections = 10, duration = 5, captureFailures, timestamps } = {}) {
  return begin(target, { connections, duration, captureFailures, timestamps }).done;
}

/** Starts a load that runs until stop() is called (or maxSeconds pass); stop() resolves the summary. */
export function startLoad(target, { connections = 10, maxSeconds = 600, captureFailures, timestamps } = {}) {
  const run = begin(target, { connections, duration: maxSeconds, captureFailures, timestamps });
  return {
    async stop() {
      child?.send({ type: "stop", id: run.id });
      return run.done;
    },
    done: run.done,
  };
}
