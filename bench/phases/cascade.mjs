// Cascade deletion: the real cascade against one DELETE per table on an identical data set, then
// a larger cascade while other tenants read (their p99 idle and during, the during figures from
// the responses that completed while that cascade ran), against a raw delete of its own size.
import { createCustomer } from "../lib/api.mjs";
import { runLoad, startLoad } from "../lib/load.mjs";
import { databaseBytes, OWNED_TABLES, ownedCounts, seedOwned } from "../lib/seed.mjs";
import { median, percentile, ratio, spread } from "../lib/stats.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const epochNow = () => performance.timeOrigin + performance.now();

/**
 * The tenants' requests that were under way while the cascade ran, from the load's raw samples:
 * completed after its start `from` and sent before its finish `to` (epoch ms), so that those it
 * held up across either edge count too. Their count, req/s over the window and percentiles.
 */
export function windowStats(samples, from, to) {
  const inside = [];
  for (let i = 0; i < samples.ends.length; i++) {
    const end = samples.ends[i];
    if (end >= from && end - samples.latencies[i] <= to) inside.push(samples.latencies[i]);
  }
  const seconds = Math.max(0, to - from) / 1000;
  return {
    requests: inside.length,
    windowSeconds: seconds,
    rps: seconds > 0 ? inside.length / seconds : null,
    p50: percentile(inside, 50),
    p99: percentile(inside, 99),
  };
}

export async function cascadePhase({ P, log, api, urls, db, adminToken, tenantA, tenantB, errors }) {
  const deleteCustomer = async (id) => {
    const res = await api.call("DELETE", `/v1.0/customers/${id}`, { token: adminToken });
    if (res.status === 200) return "api";
    if ((res.status === 404 && res.body?.error?.reason === "ROUTE_NOT_FOUND") || res.status === 405) {
      // The endpoint is not there (yet): the same transition through the Durable Object.
      const viaDo = await fetch(`${urls.control}/delete-via-do?id=${id}`);
      if (viaDo.ok) return "durable-object";
      throw new Error(`delete via Durable Object -> ${viaDo.status}: ${await viaDo.text()}`);
    }
    throw new Error(`DELETE /v1.0/customers/${id} -> ${res.status}: ${JSON.stringify(res.body)}`);
  };
  // Progress is polled from the job row (one primary-key read), not from the receipt endpoint,
  // whose per-kind count(*) would itself load D1 ten times a second; the endpoint is read
  // once at the end to check the receipt.
  const jobRow = async (id) => {
    const row = await db
      .prepare("SELECT status, tm_start, tm_finish, deleted FROM deletion_jobs WHERE customer_id = ?")
      .bind(id)
      .first();
    if (!row) return { status: "none" };
    return {
      status: row.status,
      tmStart: Number(row.tm_start),
      tmFinish: row.tm_finish === null ? null : Number(row.tm_finish),
      deleted: JSON.parse(row.deleted),
    };
  };
  const receipt = async (id) => {
    const res = await api.call("GET", `/v1.0/customers/${id}/deletion`, { token: adminToken });
    if (res.status !== 200) return { source: "none", status: res.status };
    const remaining = Object.values(res.body.remaining ?? {}).reduce((a, b) => a + Number(b), 0);
    if (res.body.status !== "finished" || remaining !== 0)
      throw new Error(`receipt of ${id}: ${JSON.stringify(res.body)}`);
    return { source: "api", status: res.body.status, remaining };
  };
  const limitMs = Math.max(60_000, Math.max(P.cascadeRows, P.loadedCascadeRows) * 3);
  const POLL_MS = 100;
  const sum = (counts) => Object.values(counts ?? {}).reduce((a, b) => a + Number(b), 0);
  /**
   * DELETE, then poll the job until finished. Times: wall (client) and tm_finish − tm_start
   * (server). The poll also yields a timeline: intervals in which no row went are time the
   * cascade spent between queue deliveries rather than deleting.
   */
  const cascade = async (id) => {
    const t0 = performance.now();
    const sentAt = epochNow();
    const via = await deleteCustomer(id);
    // The job row holds, from the start, the rows the customer owned (what the cascade deletes).
    for (;;) {
      const s = await jobRow(id);
      const now = performance.now();
      const rows = sum(s.deleted);
      if (s.status === "finished" || s.status === "failed") {
        const wall = (now - t0) / 1000;
        if (s.status === "failed") throw new Error(`cascade of ${id} failed`);
        const server = s.tmFinish && s.tmStart ? (s.tmFinish - s.tmStart) / 1000 : null;
        const checked = await receipt(id);
        return {
          via,
          receipt: checked.source,
          rows,
          wallSeconds: wall,
          serverSeconds: server,
          // The window it ran in (epoch ms): the server's own stamps, else the client's.
          from: s.tmStart || sentAt,
          to: s.tmFinish || sentAt + wall * 1000,
          deleted: s.deleted,
        };
      }
      if (now - t0 > limitMs)
        throw new Error(`cascade of ${id} not finished after ${limitMs / 1000} s (status ${s.status})`);
      await sleep(POLL_MS);
    }
  };
  /** The same polling without a cascade: the idle baseline carries the same extra reads. */
  const idlePoller = (id) => {
    let stop = false;
    const done = (async () => {
      while (!stop) {
        await jobRow(id);
        await sleep(POLL_MS);
      }
    })();
    return async () => {
      stop = true;
      await done;
    };
  };
  const raw = async (id) => {
    const t0 = performance.now();
    const res = await fetch(`${urls.control}/raw-delete?customer=${id}&tables=${OWNED_TABLES.join(",")}`);
    const body = await res.json();
    if (!res.ok) throw new Error(`raw delete -> ${res.status}`);
    return { rows: body.rows, wallSeconds: (performance.now() - t0) / 1000, serverSeconds: body.ms / 1000 };
  };
  const storage = { bytesPerResourceRow: [], insertRowsPerSecond: [] };
  const victim = async (prefix, rows = P.cascadeRows) => {
    const c = await createCustomer(api, adminToken, prefix);
    const before = await databaseBytes(db);
    const t0 = performance.now();
    await seedOwned(db, c.id, rows);
    // Local D1 write rate (bulk INSERT … SELECT) and storage per resource row, indexes included.
    storage.insertRowsPerSecond.push(rows / ((performance.now() - t0) / 1000));
    const after = await databaseBytes(db);
    if (before !== null && after !== null && after > before) storage.bytesPerResourceRow.push((after - before) / rows);
    return c;
  };
  const leftovers = async (id) => Object.values(await ownedCounts(db, id)).reduce((a, b) => a + b, 0);

  const runs = [];
  for (let r = 0; r < P.cascadeRuns; r++) {
    log(
      `cascade run ${r + 1}/${P.cascadeRuns}: seeding two customers with ${P.cascadeRows.toLocaleString("en-US")} rows each`,
    );
    const v = await victim("victim");
    const w = await victim("twin");
    const run = {};
    // Alternate which goes first: the second finds a smaller table.
    for (const which of r % 2 ? ["raw", "cascade"] : ["cascade", "raw"]) {
      run[which] = which === "cascade" ? await cascade(v.id) : await raw(w.id);
    }
    const left = (await leftovers(v.id)) + (await leftovers(w.id));
    if (left) throw new Error(`${left} owned rows left after the deletions`);
    const secs = (x) => x.serverSeconds ?? x.wallSeconds;
    run.cascade.rowsPerSecond = run.cascade.rows / secs(run.cascade);
    run.raw.rowsPerSecond = run.raw.rows / secs(run.raw);
    run.speedRatio = ratio(run.cascade.rowsPerSecond, run.raw.rowsPerSecond);
    log(
      `  cascade ${run.cascade.rows} rows in ${secs(run.cascade).toFixed(2)} s (via ${run.cascade.via}); ` +
        `raw ${run.raw.rows} rows in ${secs(run.raw).toFixed(2)} s`,
    );

    // Other tenants' reads, idle and then during a larger cascade (long enough to sample their
    // p99), against a raw delete of the same size in the same run.
    log(`  seeding two more customers with ${P.loadedCascadeRows.toLocaleString("en-US")} rows each`);
    const u = await victim("loaded", P.loadedCascadeRows);
    const x = await victim("loaded-twin", P.loadedCascadeRows);
    run.rawLoaded = await raw(x.id);
    run.rawLoaded.rowsPerSecond = run.rawLoaded.rows / secs(run.rawLoaded);
    const tenantsTarget = {
      url: `${urls.main}/v1.0/customer`,
      requests: [
        { method: "GET", path: "/v1.0/customer", headers: { Authorization: `Bearer ${tenantA.token}` } },
        { method: "GET", path: "/v1.0/customer", headers: { Authorization: `Bearer ${tenantB.key}` } },
      ],
    };
    const stopPolling = idlePoller(v.id);
    let idle;
    try {
      idle = await runLoad(tenantsTarget, { connections: P.tenantConnections, duration: P.idleSeconds });
    } finally {
      await stopPolling();
    }
    const load = startLoad(tenantsTarget, {
      connections: P.tenantConnections,
      maxSeconds: limitMs / 1000,
      timestamps: true,
    });
    await sleep(200);
    let loaded;
    let all;
    try {
      loaded = await cascade(u.id);
    } finally {
      all = await load.stop();
    }
    const { samples, ...whole } = all;
    // Only the requests under way while the cascade ran (from the DELETE to the job's finish).
    run.during = { ...windowStats(samples, loaded.from, loaded.to), codes: whole.codes, whole };
    run.idle = idle;
    run.loadedCascade = loaded;
    loaded.rowsPerSecond = loaded.rows / secs(loaded);
    // The cascade's own speed while it yields to the tenants, against the raw delete of its size.
    run.loadedSpeedRatio = ratio(loaded.rowsPerSecond, run.rawLoaded.rowsPerSecond);
    if (await leftovers(u.id)) throw new Error("owned rows left after the loaded cascade");
    if (whole.non2xx + whole.errors)
      errors.push({ phase: "cascade", message: `tenants' reads: ${whole.non2xx + whole.errors} non-2xx/errored` });
    if (run.during.requests < P.minDuringSamples)
      errors.push({
        phase: "cascade",
        message:
          `only ${run.during.requests} tenant requests were under way during the loaded cascade ` +
          `(${run.during.windowSeconds.toFixed(2)} s; at least ${P.minDuringSamples} needed for a p99): raise --loaded-cascade-rows`,
      });
    log(
      `  loaded cascade ${loaded.rows} rows in ${secs(loaded).toFixed(2)} s, raw ${run.rawLoaded.rows} in ` +
        `${secs(run.rawLoaded).toFixed(2)} s; tenants' p99 idle ${idle.p99.toFixed(2)} ms, ` +
        `during ${run.during.p99?.toFixed(2) ?? "–"} ms (${run.during.requests} requests)`,
    );
    runs.push(run);
  }
  const secs = (x) => x.serverSeconds ?? x.wallSeconds;
  const m = (f) => median(runs.map(f));
  const S = (f) => spread(runs.map(f));
  return {
    rowsPerCustomer: P.cascadeRows,
    kinds: OWNED_TABLES.length,
    cascade: {
      rows: m((r) => r.cascade.rows),
      seconds: m((r) => secs(r.cascade)),
      wallSeconds: m((r) => r.cascade.wallSeconds),
      rowsPerSecond: m((r) => r.cascade.rowsPerSecond),
      // Time with no progress between two polls (queue hand-overs); rows/s over the rest.
      via: runs[0]?.cascade.via,
    },
    raw: {
      rows: m((r) => r.raw.rows),
      seconds: m((r) => secs(r.raw)),
      wallSeconds: m((r) => r.raw.wallSeconds),
      rowsPerSecond: m((r) => r.raw.rowsPerSecond),
    },
    speedRatio: S((r) => r.speedRatio),
    // Rows per second of the raw delete is the local delete rate; these are the insert side.
    storage: {
      bytesPerResourceRow: median(storage.bytesPerResourceRow),
      bulkInsertRowsPerSecond: median(storage.insertRowsPerSecond),
    },
    underLoad: {
      connections: P.tenantConnections,
      rows: m((r) => r.loadedCascade.rows),
      idle: {
        rps: m((r) => r.idle.rps),
        p50: m((r) => r.idle.p50),
        p99: m((r) => r.idle.p99),
        requests: m((r) => r.idle.requests),
      },
      during: {
        rps: m((r) => r.during.rps),
        p50: m((r) => r.during.p50),
        p99: m((r) => r.during.p99),
        // Responses inside the cascade's window: the fewest of any run, and the median.
        requests: m((r) => r.during.requests),
        minRequests: Math.min(...runs.map((r) => r.during.requests)),
      },
      loaderCpuShare: m((r) => r.during.whole.loaderCpuShare),
      cascadeSeconds: m((r) => secs(r.loadedCascade)),
      cascadeRowsPerSecond: m((r) => r.loadedCascade.rowsPerSecond),
      rawSeconds: m((r) => secs(r.rawLoaded)),
      rawRowsPerSecond: m((r) => r.rawLoaded.rowsPerSecond),
      speedRatio: S((r) => r.loadedSpeedRatio),
      p99Ratio: S((r) => ratio(r.during.p99, r.idle.p99)),
      p50Ratio: S((r) => ratio(r.during.p50, r.idle.p50)),
      rpsRatio: S((r) => ratio(r.during.rps, r.idle.rps)),
    },
    runs,
  };
}
