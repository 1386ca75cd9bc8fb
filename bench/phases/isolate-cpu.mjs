// The isolate's own CPU per request, from V8's sampling profiler (Miniflare's inspector proxy),
// next to workerd's process CPU. workerd's figure holds everything in the process (local D1's
// SQLite, the load's sockets); the profile holds only the Worker's isolate, so it does not move
// with D1 or the load generator. The profiler slows what it samples (and workerd with an inspector
// is slower even without a session), so these runs are in a runtime of their own (run.mjs), after
// the timed ones: per run, one load per endpoint with the profiler on in its worker's isolate.
import { activeMs, connectInspector, sendAwake } from "../lib/inspector.mjs";
import { runLoad } from "../lib/load.mjs";
import { median, ratio, spread } from "../lib/stats.mjs";

const SAMPLING_US = 200;

/** The worker (Miniflare name) each profiled case runs in; the bare Worker has no inspector. */
function workerOf(key, c, names) {
  if (!c.url) return names.main;
  if (key === "floorGet" || key === "floorList") return names[key];
  if (key.startsWith("floorAgent")) return names.floorAgent;
  if (key.startsWith("peer")) return names.peer;
  return null;
}

export async function isolateCpu({ P, log, rt }, cases, target) {
  // The reads compared with a floor or the peer, and those references.
  const keys = new Set();
  for (const [key, c] of Object.entries(cases)) {
    if (!c.floor && !c.peer) continue;
    keys.add(key);
    if (c.floor) keys.add(c.floor);
    if (c.peer) keys.add(c.peer);
  }
  const order = [...keys].filter((k) => workerOf(k, cases[k], rt.names));
  log(`isolate CPU: ${order.length} endpoints × ${P.profileRuns} profiled runs × ${P.profileSeconds} s`);
  const sessions = new Map();
  const session = async (worker) => {
    if (!sessions.has(worker)) {
      const s = await connectInspector(rt.mf, worker);
      await s.send("Profiler.enable");
      await s.send("Profiler.setSamplingInterval", { interval: SAMPLING_US });
      sessions.set(worker, s);
    }
    return sessions.get(worker);
  };
  const runs = [];
  try {
    for (let r = 0; r < P.profileRuns; r++) {
      const run = {};
      for (const key of order.map((_, i) => order[(i + r) % order.length])) {
        const t = target(cases[key]);
        const s = await session(workerOf(key, cases[key], rt.names));
        // A request without credentials wakes an idle isolate (a 401, or the floor's query).
        const poke = async () => (await fetch(t.url)).arrayBuffer();
        await sendAwake(s, "Profiler.start", {}, poke);
        const load = await runLoad(t, { connections: P.connections, duration: P.profileSeconds });
        const { profile } = await sendAwake(s, "Profiler.stop", {}, poke);
        const ms = activeMs(profile, SAMPLING_US);
        run[key] = {
          isolateMsPerReq: load.requests ? ms / load.requests : null,
          workerdMsPerReq: load.cpuMsPerReq,
          requests: load.requests,
          rps: load.rps,
          loaderCpuShare: load.loaderCpuShare,
        };
      }
      runs.push(run);
      log(
        `  profiled run ${r + 1}/${P.profileRuns}: ${order.map((k) => `${k} ${run[k].isolateMsPerReq?.toFixed(3)}`).join(", ")} isolate ms/req`,
      );
    }
  } finally {
    for (const s of sessions.values()) s.close();
  }
  const out = { samplingMicros: SAMPLING_US, cases: {}, runs };
  for (const key of order) {
    const c = cases[key];
    out.cases[key] = {
      isolateMsPerReq: median(runs.map((run) => run[key].isolateMsPerReq)),
      // workerd's CPU per request in the profiled runs (the profiler's own cost included).
      workerdMsPerReqProfiled: median(runs.map((run) => run[key].workerdMsPerReq)),
      isolateVsPeer: c.peer
        ? spread(runs.map((run) => ratio(run[key].isolateMsPerReq, run[c.peer].isolateMsPerReq)))
        : undefined,
      floorIsolateVsOurs: c.floor
        ? spread(runs.map((run) => ratio(run[c.floor].isolateMsPerReq, run[key].isolateMsPerReq)))
        : undefined,
    };
  }
  return out;
}
