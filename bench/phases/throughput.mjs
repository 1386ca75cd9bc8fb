// Throughput and latency of the benchmarked endpoints next to their references, measured in the
// same run with the order rotated every run. Each read has two references:
//   - its floor: a Worker that runs only the same minimal SQL (primary-key SELECT for single
//     reads, the same 100-row keyset SELECT for the list);
//   - the peer: the same endpoint as a typical Hono + hono/jwt + drizzle app (workers/peer.mjs).
import { BENCH_PASSWORD, uniqueIdentity } from "../lib/api.mjs";
import { runLoad } from "../lib/load.mjs";
import { median, ratio, spread } from "../lib/stats.mjs";

/** A unique customer per request: the create's body (built in the load generator's process). */
export const uniqueCreates = () => [{ setupRequest: (req) => ({ ...req, body: createBody() }) }];
const createBody = () => {
  const { username, email } = uniqueIdentity("load");
  return JSON.stringify({ username, password: BENCH_PASSWORD, name: "Load test", email });
};

/** The endpoints, keyed; a read names its floor and peer (other keys of the same table). */
export function throughputCases({ urls, probeId, adminToken, tenantA, agentA }) {
  const auth = (token) => ({ Authorization: `Bearer ${token}` });
  const caller = agentA ? `agent=${agentA.id}&customer=${tenantA.id}` : "";
  return {
    bare: { label: "bare Worker, constant response (runtime limit)", url: `${urls.bare}/`, reference: true },
    floorGet: {
      label: "floor: one prepared SELECT by primary key",
      url: `${urls.floorGet}/?id=${probeId}`,
      reference: true,
    },
    floorList: { label: "floor: the 100-row keyset SELECT (LIMIT 101)", url: `${urls.floorList}/`, reference: true },
    peerSelf: {
      label: "peer: GET /v1.0/customer (Hono + hono/jwt + drizzle)",
      url: `${urls.peer}/v1.0/customer`,
      headers: auth(tenantA.token),
      reference: true,
    },
    peerList: {
      label: "peer: GET /v1.0/customers?page_size=100",
      url: `${urls.peer}/v1.0/customers?page_size=100`,
      headers: auth(adminToken),
      reference: true,
    },
    selfJwt: {
      label: "GET /v1.0/customer (JWT)",
      path: "/v1.0/customer",
      headers: auth(tenantA.token),
      floor: "floorGet",
      peer: "peerSelf",
    },
    selfKey: {
      label: "GET /v1.0/customer (access key)",
      path: "/v1.0/customer",
      headers: auth(tenantA.key),
      floor: "floorGet",
      peer: "peerSelf",
    },
    // The peer has no operator single read; its own single read (one JWT, one row) stands in.
    adminGet: {
      label: "GET /v1.0/customers/{id} (super admin)",
      path: `/v1.0/customers/${probeId}`,
      headers: auth(adminToken),
      floor: "floorGet",
      peer: "peerSelf",
    },
    adminList: {
      label: "GET /v1.0/customers?page_size=100 (super admin)",
      path: "/v1.0/customers?page_size=100",
      headers: auth(adminToken),
      floor: "floorList",
      peer: "peerList",
    },
    // The agent's API: a CustomerAgent's JWT, against the same SQL run in one batch and nothing else.
    ...(agentA
      ? {
          floorAgentMe: {
            label: "floor: the agent lookup + its own row, one batch",
            url: `${urls.floorAgent}/me?${caller}`,
            reference: true,
          },
          floorAgentExtensions: {
            label: "floor: the agent lookup + its extensions page, one batch",
            url: `${urls.floorAgent}/extensions?${caller}`,
            reference: true,
          },
          agentMe: {
            label: "GET /v1.0/service_agents/me (agent JWT)",
            path: "/v1.0/service_agents/me",
            headers: auth(agentA.token),
            floor: "floorAgentMe",
          },
          agentExtensions: {
            label: `GET /v1.0/service_agents/extensions (agent JWT, ${agentA.extensions} own)`,
            path: "/v1.0/service_agents/extensions",
            headers: auth(agentA.token),
            floor: "floorAgentExtensions",
          },
        }
      : {}),
    adminCreate: {
      label: "POST /v1.0/customers (super admin; one PBKDF2 hash)",
      path: "/v1.0/customers",
      method: "POST",
      headers: { ...auth(adminToken), "Content-Type": "application/json" },
      body: createBody,
      recipe: { module: import.meta.url, name: "uniqueCreates" },
    },
  };
}

/** The load generator's target for a case (plain data: it crosses to the loader's process). */
export const target = (c, base) => ({
  url: c.url ?? `${base}${c.path}`,
  method: c.method,
  headers: c.headers,
  recipe: c.recipe,
});

/** D1 and Durable Object calls per request, from one sequential pass through the instrumented copy. */
export async function roundTrips(cases, urls) {
  const out = {};
  for (const [key, c] of Object.entries(cases)) {
    if (!c.path) continue;
    let calls = null;
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${urls.instrumented}${c.path}`, {
        method: c.method ?? "GET",
        headers: c.headers,
        body: c.body?.(),
      });
      await res.arrayBuffer();
      if (res.status >= 300) throw new Error(`${c.label} -> ${res.status}`);
      calls = JSON.parse(res.headers.get("X-Bench-Calls") ?? "null");
    }
    out[key] = calls;
  }
  return out;
}

const KNOWN_CALLS = {
  bare: { d1: 0, do: 0, queue: 0 },
  floorGet: { d1: 1, do: 0, queue: 0 },
  floorList: { d1: 1, do: 0, queue: 0 },
  floorAgentMe: { d1: 1, do: 0, queue: 0 },
  floorAgentExtensions: { d1: 1, do: 0, queue: 0 },
};

export async function throughput({ P, log, urls, loadavg, errors, calls }, cases) {
  const keys = Object.keys(cases);
  log(`throughput: ${keys.length} endpoints × ${P.runs} runs × ${P.duration} s, ${P.connections} connections`);
  if (P.warmup > 0)
    for (const key of keys)
      await runLoad(target(cases[key], urls.main), { connections: P.connections, duration: P.warmup });
  const runs = [];
  for (let r = 0; r < P.runs; r++) {
    const run = {};
    // Rotate the order each run so slow drift (other processes, SQLite cache) spreads evenly.
    const order = keys.map((_, i) => keys[(i + r) % keys.length]);
    for (const key of order)
      run[key] = await runLoad(target(cases[key], urls.main), { connections: P.connections, duration: P.duration });
    runs.push(run);
    log(
      `  run ${r + 1}/${P.runs}: ${keys.map((k) => `${k} ${run[k].rps.toFixed(0)}/s`).join(", ")}; load avg ${loadavg()}`,
    );
  }
  const out = { cases: {}, runs };
  // Each comparison is a ratio within one run (back to back), then its median and range over runs.
  const perRun = (f) => spread(runs.map(f));
  for (const key of keys) {
    const c = cases[key];
    const per = runs.map((run) => run[key]);
    const bad = per.reduce((n, p) => n + p.non2xx + p.errors, 0);
    if (bad)
      errors.push({
        phase: "throughput",
        message: `${key}: ${bad} non-2xx/errored responses (${JSON.stringify(per.map((p) => p.codes))})`,
      });
    out.cases[key] = {
      label: c.label,
      reference: c.reference === true,
      floor: c.floor,
      peer: c.peer,
      rps: median(per.map((p) => p.rps)),
      p50: median(per.map((p) => p.p50)),
      p99: median(per.map((p) => p.p99)),
      cpuMsPerReq: median(per.map((p) => p.cpuMsPerReq)),
      workerdCpuShare: median(per.map((p) => p.workerdCpuShare)),
      loaderCpuShare: median(per.map((p) => p.loaderCpuShare)),
      loaderVsWorkerd: median(per.map((p) => p.loaderVsWorkerd)),
      vsBare: perRun((run) => ratio(run[key].rps, run.bare.rps)),
      // req/s ÷ the floor's, and the floor's CPU ÷ ours (what the req/s ratio would be if workerd had a core to itself).
      vsFloor: c.floor ? perRun((run) => ratio(run[key].rps, run[c.floor].rps)) : undefined,
      floorCpuVsOurs: c.floor ? perRun((run) => ratio(run[c.floor].cpuMsPerReq, run[key].cpuMsPerReq)) : undefined,
      // req/s ÷ the peer's, and our CPU per request ÷ the peer's.
      vsPeer: c.peer ? perRun((run) => ratio(run[key].rps, run[c.peer].rps)) : undefined,
      cpuVsPeer: c.peer ? perRun((run) => ratio(run[key].cpuMsPerReq, run[c.peer].cpuMsPerReq)) : undefined,
      // The peer's own distance to the floor of the same SQL, for context.
      peerVsFloor:
        key === "peerSelf"
          ? perRun((run) => ratio(run.peerSelf.rps, run.floorGet.rps))
          : key === "peerList"
            ? perRun((run) => ratio(run.peerList.rps, run.floorList.rps))
            : undefined,
      calls: calls?.[key] ?? KNOWN_CALLS[key] ?? null,
    };
  }
  return out;
}
