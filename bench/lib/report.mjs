// Renders the results as Markdown tables (the README's Performance section pastes them as is).
import { median, round } from "./stats.mjs";

/**
 * The load generator's CPU per phase, as a share of the machine (all cores): the median and the
 * highest over the phase's load runs. It runs in a process of its own (lib/load-worker.mjs).
 */
export function loaderShares(results) {
  const of = (runs) => (runs ?? []).flatMap((run) => Object.values(run).map((r) => r?.loaderCpuShare));
  const phases = {
    throughput: of(results.throughput?.runs),
    "isolate CPU (profiled runs)": of(results.throughput?.isolate?.runs),
    limits: of(results.limits?.runs),
    "deep pages": of(results.deepPages?.runs),
    cascade: (results.cascade?.runs ?? []).flatMap((r) => [r.idle?.loaderCpuShare, r.during?.whole?.loaderCpuShare]),
    soak: [results.soak?.loaderCpuShare],
  };
  const out = {};
  for (const [phase, xs] of Object.entries(phases)) {
    const ok = xs.filter((v) => typeof v === "number");
    if (ok.length) out[phase] = { median: median(ok), max: Math.max(...ok), loads: ok.length };
  }
  return out;
}

const f = (v, d = 1) =>
  v === null || v === undefined
    ? "–"
    : typeof v === "number"
      ? round(v, d).toLocaleString("en-US", { maximumFractionDigits: d })
      : String(v);
/** A ratio: `0.93×`, or over runs its median and range, `0.93× (0.90–0.97)`. */
const x = (v) => {
  if (v === null || v === undefined) return "–";
  if (typeof v !== "object") return `${f(v, 2)}×`;
  if (v.median === null) return "–";
  return v.runs.length > 1 ? `${f(v.median, 2)}× (${f(v.min, 2)}–${f(v.max, 2)})` : `${f(v.median, 2)}×`;
};
const pct = (v) => (typeof v === "number" ? `${f(v * 100, 0)}%` : "–");

function table(headers, rows) {
  const out = [`| ${headers.join(" | ")} |`, `| ${headers.map((_h, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`];
  for (const r of rows) out.push(`| ${r.join(" | ")} |`);
  return out.join("\n");
}

export function renderReport(results) {
  const parts = [];
  const m = results.meta;
  parts.push(
    `Mode: ${m.mode}; ${m.machine.cpus}× ${m.machine.cpuModel}, ${m.machine.memGiB} GiB, ${m.machine.os}; Node ${m.machine.node}; ` +
      `Miniflare ${m.machine.miniflare} (workerd ${m.machine.workerd}); autocannon ${m.machine.autocannon}, ${m.params.connections} keep-alive connections; ` +
      `each figure the median of ${m.params.runs} runs of ${m.params.duration} s, each ratio also its range over the runs (min–max); ` +
      `a target is met only when it holds in every run. The load generator runs in a process of its own; ` +
      `"loader CPU" is its CPU time over wall time × ${m.machine.cpus} cores. ` +
      `Load average at start ${m.machine.loadavgAtStart?.join(" ") ?? "?"}, at end ${m.machine.loadavgAtEnd ?? "?"} (other processes share the machine).`,
  );

  const t = results.throughput;
  if (t?.cases) {
    parts.push("### Throughput and latency\n");
    if (t.isolate)
      parts.push(
        `Isolate CPU: V8's sampling profiler in the worker's own isolate, non-idle samples × the interval (${t.isolate.samplingMicros} µs) ÷ requests, ` +
          `from ${t.isolate.runs.length} profiled run(s) per endpoint in a workerd of its own with the inspector on, after the other phases (the profiler and the inspector slow what they watch, so those runs give no other figure). ` +
          "workerd CPU is the whole process (local D1's SQLite included), from the timed runs.\n",
      );
    const rows = Object.entries(t.cases).map(([, c]) => [
      c.reference ? `*${c.label}*` : c.label,
      f(c.rps, 0),
      f(c.p50, 2),
      f(c.p99, 2),
      f(c.cpuMsPerReq, 3),
      f(c.isolateMsPerReq, 3),
      x(c.vsFloor ?? c.peerVsFloor),
      x(c.floorCpuVsOurs),
      x(c.vsPeer),
      x(c.cpuVsPeer),
      x(c.isolateVsPeer),
      pct(c.loaderCpuShare),
      c.calls
        ? `${c.calls.d1} D1${c.calls.do ? ` + ${c.calls.do} DO` : ""}${c.calls.queue ? ` + ${c.calls.queue} queue` : ""}`
        : "–",
    ]);
    parts.push(
      table(
        [
          "endpoint",
          "req/s",
          "p50 ms",
          "p99 ms",
          "workerd CPU ms/req",
          "isolate CPU ms/req",
          "req/s ÷ its floor",
          "floor CPU ÷ ours",
          "req/s ÷ peer",
          "CPU/req ÷ peer",
          "isolate CPU ÷ peer",
          "loader CPU",
          "round trips/request",
        ],
        rows,
      ),
    );
  }

  const l = results.limits;
  if (l?.cases) {
    parts.push(
      `### Plan limits and usage (the limit checked inside the INSERT; ${l.plan} vs unlimited, back to back)\n`,
    );
    parts.push(
      "Each create is paired with a delete on the same connection (the count stays level), so req/s counts both.\n",
    );
    parts.push(
      table(
        ["", "req/s", "p50 ms", "p99 ms", "workerd CPU ms/req", "loader CPU", "D1 round trips (the create / the read)"],
        Object.values(l.cases).map((c) => [
          c.label,
          f(c.rps, 0),
          f(c.p50, 2),
          f(c.p99, 2),
          f(c.cpuMsPerReq, 3),
          pct(c.loaderCpuShare),
          c.calls ? `${c.calls.d1} D1${c.calls.do ? ` + ${c.calls.do} DO` : ""}` : "–",
        ]),
      ),
    );
    parts.push("");
    parts.push(
      table(
        ["ratio (median of per-run ratios, min–max)", "value"],
        [
          [`${l.plan} ÷ unlimited, 0 numbers`, x(l.limitedVsUnlimited0)],
          [`${l.plan} ÷ unlimited, ${f(l.existing, 0)} numbers`, x(l.limitedVsUnlimited10k)],
          ["flows near the cap ÷ no flows", x(l.flowsNearCapVsEmpty)],
          ["usage read ÷ its floor", x(l.usageVsFloor)],
        ],
      ),
    );
  }

  const d = results.deepPages;
  if (d?.first) {
    parts.push(`### Deep pages (${f(d.customers, 0)} customers, page_size=${d.pageSize}, 1 connection)\n`);
    parts.push(
      table(
        ["page", "req/s", "p50 ms", "p99 ms", "loader CPU"],
        [
          ["first page", f(d.first.rps, 0), f(d.first.p50, 2), f(d.first.p99, 2), pct(d.first.loaderCpuShare)],
          [
            `page ${d.depth} (via next_page_token)`,
            f(d.deep.rps, 0),
            f(d.deep.p50, 2),
            f(d.deep.p99, 2),
            pct(d.deep.loaderCpuShare),
          ],
          ["deep ÷ first (latency)", "", x(d.p50Ratio), x(d.p99Ratio), ""],
        ],
      ),
    );
  }

  const c = results.cascade;
  if (c?.cascade) {
    const u = c.underLoad;
    parts.push(
      `### Cascade deletion (${f(c.rowsPerCustomer, 0)} owned rows across ${c.kinds} kinds; under load ${f(u?.rows, 0)})\n`,
    );
    parts.push(
      table(
        ["", "rows", "time to finished s", "rows/s"],
        [
          [
            "cascade (DELETE /v1.0/customers/{id} → queue consumer)",
            f(c.cascade.rows, 0),
            f(c.cascade.seconds, 2),
            f(c.cascade.rowsPerSecond, 0),
          ],
          [
            "raw: one DELETE … WHERE customer_id = ? per table",
            f(c.raw.rows, 0),
            f(c.raw.seconds, 2),
            f(c.raw.rowsPerSecond, 0),
          ],
          ["cascade ÷ raw (rows/s)", "", "", x(c.speedRatio)],
          ...(u?.cascadeRowsPerSecond
            ? [
                ["cascade under the tenants' load", f(u.rows, 0), f(u.cascadeSeconds, 2), f(u.cascadeRowsPerSecond, 0)],
                ["raw delete of the same size, no load", f(u.rows, 0), f(u.rawSeconds, 2), f(u.rawRowsPerSecond, 0)],
                ["cascade under load ÷ raw (rows/s)", "", "", x(u.speedRatio)],
              ]
            : []),
        ],
      ),
    );
    if (u) {
      parts.push("");
      parts.push(
        `Other tenants' reads during the loaded cascade: only their requests under way between the DELETE and the job's finish ` +
          `(fewest in a run: ${f(u.during.minRequests, 0)}); loader CPU ${pct(u.loaderCpuShare)}.\n`,
      );
      parts.push(
        table(
          [
            `other tenants' GET /v1.0/customer (${u.connections} connections)`,
            "responses",
            "req/s",
            "p50 ms",
            "p99 ms",
          ],
          [
            ["idle (no cascade)", f(u.idle.requests, 0), f(u.idle.rps, 0), f(u.idle.p50, 2), f(u.idle.p99, 2)],
            [
              `during a cascade (finished in ${f(u.cascadeSeconds, 2)} s)`,
              f(u.during.requests, 0),
              f(u.during.rps, 0),
              f(u.during.p50, 2),
              f(u.during.p99, 2),
            ],
            ["during ÷ idle", "", x(u.rpsRatio), x(u.p50Ratio), x(u.p99Ratio)],
          ],
        ),
      );
    }
  }

  const so = results.soak;
  if (so?.heapStartBytes) {
    const mib = (b) => (b === null || b === undefined ? "–" : `${f(b / 2 ** 20, 1)} MiB`);
    parts.push(
      `### Memory soak (${f(so.seconds, 0)} s of mixed reads and writes after ${f(so.warmupSeconds, 0)} s of warm-up; ${f(so.requests, 0)} requests, ${f(so.non2xx, 0)} non-2xx; loader CPU ${pct(so.loaderCpuShare)})\n`,
    );
    parts.push(
      table(
        ["", "start", "end", "end ÷ start"],
        [
          [
            "isolate JS heap after a full GC (inspector)",
            mib(so.heapStartBytes),
            mib(so.heapEndBytes),
            x(so.heapRatio),
          ],
          [
            "workerd RSS, all of it (D1's SQLite, Durable Objects, every worker)",
            mib(so.workerdRssStartBytes),
            mib(so.workerdRssEndBytes),
            so.workerdRssStartBytes ? x(so.workerdRssEndBytes / so.workerdRssStartBytes) : "–",
          ],
        ],
      ),
    );
  }

  const rest = [];
  if (results.storage?.bytesPerCustomer)
    rest.push([
      "Storage per customer row, indexes included (D1 meta.size_after around the seeding)",
      `${f(results.storage.bytesPerCustomer, 0)} bytes`,
    ]);
  if (c?.storage?.bytesPerResourceRow)
    rest.push([
      "Storage per resource row (the cascade's 11 kinds, evenly), indexes included",
      `${f(c.storage.bytesPerResourceRow, 0)} bytes`,
    ]);
  if (c?.storage?.bulkInsertRowsPerSecond)
    rest.push([
      "Local D1 bulk insert (INSERT … SELECT) / raw delete, rows/s",
      `${f(c.storage.bulkInsertRowsPerSecond, 0)} / ${f(c.raw.rowsPerSecond, 0)}`,
    ]);
  const b = results.bundle;
  if (b) {
    rest.push([
      "Worker bundle, gzipped (zlib level 9 / wrangler's figure)",
      `${f(b.gzipBytes / 1024, 1)} KiB / ${b.wranglerGzipKiB ? `${f(b.wranglerGzipKiB, 1)} KiB` : "–"} (raw ${f(b.rawBytes / 1024, 0)} KiB)`,
    ]);
  }
  const s = results.startup;
  if (s) {
    if (s.profile)
      rest.push([
        "Start-up CPU, workerd profile of the global scope (`wrangler check startup`, active)",
        `${f(s.profile.activeMs, 1)} ms`,
      ]);
    if (s.coldStart) {
      rest.push([
        "Cold start: new Miniflare → first response (ours / bare Worker)",
        `${f(s.coldStart.main.firstResponseMs, 0)} ms / ${f(s.coldStart.bare.firstResponseMs, 0)} ms (ours +${f(s.coldStart.extraMs, 0)} ms)`,
      ]);
    }
  }
  const p = results.pbkdf2;
  if (p) {
    rest.push([`PBKDF2-SHA256, ${f(p.iterations, 0)} iterations: CPU of one derivation`, `${f(p.deriveMs, 1)} ms`]);
    rest.push([
      "POST /auth/login, 1 connection: latency (− a cheap authenticated GET)",
      `${f(p.loginMs, 1)} ms (${f(p.loginMinusReadMs, 1)} ms)`,
    ]);
  }
  if (rest.length) {
    parts.push("### Bundle, start-up, password hashing\n");
    parts.push(table(["", "value"], rest));
  }

  if (results.loader && Object.keys(results.loader).length) {
    parts.push("### Load generator (autocannon, a process of its own)\n");
    parts.push(
      table(
        ["phase", "load runs", `CPU share of the machine (${m.machine.cpus} cores), median`, "highest"],
        Object.entries(results.loader).map(([phase, l]) => [phase, f(l.loads, 0), pct(l.median), pct(l.max)]),
      ),
    );
  }

  if (results.targets?.length) {
    parts.push("### Targets\n");
    parts.push(
      table(
        ["target", "aim", "measured", "met"],
        results.targets.map((tg) => [tg.name, tg.aim, tg.measured, tg.met === null ? "–" : tg.met ? "yes" : "**no**"]),
      ),
    );
  }
  if (results.errors?.length) {
    parts.push("### Errors\n");
    for (const e of results.errors) parts.push(`- ${e.phase}: ${e.message}`);
  }
  return parts.join("\n\n");
}
