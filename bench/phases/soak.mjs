// Memory: a soak of mixed reads and writes in a workerd of its own (with the inspector on the
// service's isolate), its JS heap measured after a full GC once warmed up and again at the end.
// Production isolates have 128 MB: a heap that keeps growing under steady load is a leak.
import { readdirSync, readFileSync } from "node:fs";
import { Api, createCustomer } from "../lib/api.mjs";
import { connectInspector, heapAfterGc } from "../lib/inspector.mjs";
import { runLoad, startLoad } from "../lib/load.mjs";
import { readMigrations, startRuntime } from "../lib/runtime.mjs";
import { seedCustomers } from "../lib/seed.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const MiB = 2 ** 20;

/** Resident memory of the workerd processes this process started (Linux), bytes; null elsewhere. */
function workerdRss() {
  let total = 0;
  let found = false;
  try {
    for (const d of readdirSync("/proc")) {
      if (!/^\d+$/.test(d)) continue;
      let status;
      try {
        status = readFileSync(`/proc/${d}/status`, "utf8");
      } catch {
        continue;
      }
      if (!/^Name:\s+workerd$/m.test(status) || Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]) !== process.pid) continue;
      found = true;
      total += Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
    }
  } catch {
    return null;
  }
  return found ? total : null;
}

/**
 * The request mix: the benchmarked reads and two writes (a profile update, an access key made and
 * revoked). A recipe for the load generator's process (lib/load.mjs): it holds functions.
 */
export function soakMix({ adminToken, tenant, probeId }) {
  const auth = (token) => ({ Authorization: `Bearer ${token}` });
  const json = (token) => ({ ...auth(token), "Content-Type": "application/json" });
  let n = 0;
  return [
    { method: "GET", path: "/v1.0/customer", headers: auth(tenant.token) },
    { method: "GET", path: "/v1.0/customer", headers: auth(tenant.key) },
    { method: "GET", path: `/v1.0/customers/${probeId}`, headers: auth(adminToken) },
    { method: "GET", path: "/v1.0/customers?page_size=100", headers: auth(adminToken) },
    { method: "GET", path: "/v1.0/accesskeys?page_size=10", headers: auth(tenant.token) },
    {
      method: "PUT",
      path: "/v1.0/customer",
      headers: json(tenant.token),
      setupRequest: (req) => ({ ...req, body: JSON.stringify({ detail: `soak ${n++}` }) }),
    },
    // A key made and revoked again: a customer holds at most 50 live keys, so making them
    // without end would measure the cap's 429 instead of the write.
    {
      method: "POST",
      path: "/v1.0/accesskeys",
      headers: json(tenant.token),
      body: JSON.stringify({ name: "soak", expire: 3600 }),
      onResponse: (status, resBody, context) => {
        context.keyId = status === 200 ? JSON.parse(resBody).id : undefined;
      },
    },
    {
      method: "DELETE",
      headers: auth(tenant.token),
      setupRequest: (req, context) => (context.keyId ? { ...req, path: `/v1.0/accesskeys/${context.keyId}` } : null),
    },
  ];
}

export async function soak({ P, log, project, bindings }) {
  log(
    `soak: ${P.soakSeconds} s of mixed reads and writes (${P.connections} connections), heap after GC at start and end`,
  );
  const workerErrors = [];
  const onLog = (entry) => {
    if (/error/i.test(entry.level)) workerErrors.push(entry.message.slice(0, 500));
  };
  const rt = await startRuntime(project, { bindings, inspect: true, onLog });
  try {
    for (const statement of readMigrations(project.migrationsDir)) await rt.db.prepare(statement).run();
    await seedCustomers(rt.db, P.soakCustomers);
    const api = new Api(rt.urls.main);
    const adminToken = await api.login(bindings.ADMIN_USERNAME, bindings.ADMIN_PASSWORD);
    const tenant = await createCustomer(api, adminToken, "soak");
    tenant.token = await api.login(tenant.username, tenant.password);
    tenant.key = (
      await api.ok("POST", "/v1.0/accesskeys", { token: tenant.token, body: { name: "soak", expire: 86400 } })
    ).token;
    const probeId = (await rt.db.prepare("SELECT id FROM customers LIMIT 1 OFFSET 10").first()).id;
    const target = {
      url: `${rt.urls.main}/`,
      recipe: {
        module: import.meta.url,
        name: "soakMix",
        args: [{ adminToken, tenant: { token: tenant.token, key: tenant.key }, probeId }],
      },
    };
    // Any 5xx is a defect: keep what it said (its request id leads to the Worker's log line).
    const captureFailures = 10;

    const inspector = await connectInspector(rt.mf, rt.names.main);
    const poke = async () => (await fetch(`${rt.urls.main}/v1.0/customer`)).arrayBuffer(); // a 401: no D1, no state
    const heap = () => heapAfterGc(inspector, poke);
    await inspector.send("Runtime.enable");
    await inspector.send("HeapProfiler.enable");
    const warm = await runLoad(target, { connections: P.connections, duration: P.soakWarmup, captureFailures });
    try {
      const start = await heap();
      const rssStart = workerdRss();
      const samples = [{ atSeconds: 0, ...start }];
      const load = startLoad(target, { connections: P.connections, maxSeconds: P.soakSeconds + 60, captureFailures });
      const t0 = performance.now();
      const every = Math.max(5, Math.floor(P.soakSeconds / 5));
      for (let at = every; at < P.soakSeconds; at += every) {
        await sleep(t0 + at * 1000 - performance.now());
        try {
          samples.push({ atSeconds: at, ...(await heap()) });
        } catch (err) {
          samples.push({ atSeconds: at, error: err.message }); // the end sample decides
        }
      }
      await sleep(t0 + P.soakSeconds * 1000 - performance.now());
      const summary = await load.stop();
      const failures = [...(warm.failures ?? []), ...(summary.failures ?? [])];
      const end = await heap();
      samples.push({ atSeconds: P.soakSeconds, ...end });
      const rssEnd = workerdRss();
      log(
        `  heap ${(start.usedBytes / MiB).toFixed(1)} → ${(end.usedBytes / MiB).toFixed(1)} MiB; ${summary.requests} requests (${summary.non2xx} non-2xx)`,
      );
      // Write contention on the one soak customer answers 409; any 5xx is a defect.
      if (failures.length) throw new Error(`soak: ${failures.length} 5xx, first ${JSON.stringify(failures[0])}`);
      return {
        seconds: P.soakSeconds,
        warmupSeconds: P.soakWarmup,
        requests: summary.requests,
        rps: summary.rps,
        non2xx: summary.non2xx,
        codes: summary.codes,
        loaderCpuShare: summary.loaderCpuShare,
        heapStartBytes: start.usedBytes,
        heapEndBytes: end.usedBytes,
        heapRatio: end.usedBytes / start.usedBytes,
        workerdRssStartBytes: rssStart,
        workerdRssEndBytes: rssEnd,
        samples,
        workerErrors: workerErrors.slice(0, 20),
        failures,
      };
    } finally {
      inspector.close();
    }
  } finally {
    await rt.mf.dispose();
  }
}
