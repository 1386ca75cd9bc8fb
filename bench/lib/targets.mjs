// The targets (bench/results.json `targets`). Each entry says the aim, the measured value
// (the median over runs, with its range) and whether it is met: a target is met only when it
// holds in every run; null when the phase did not run.
import { mid } from "./stats.mjs";

const READS = ["selfJwt", "selfKey", "adminGet", "adminList"];
/** The agent's API reads (issue 18): against their same-SQL floors, one D1 round trip. */
const AGENT_READS = ["agentMe", "agentExtensions"];

export function targets(results) {
  const out = [];
  const fmt = (v, d = 2) => (typeof v === "number" ? v.toFixed(d) : "–");
  const add = (name, aim, value, met, measured) =>
    out.push({
      name,
      aim,
      value: value ?? null,
      met: value === null || value === undefined || Number.isNaN(value) ? null : met,
      measured,
    });
  /** A ratio over runs (a spread, or one number): met when `holds` for every run's value. */
  const ratioTarget = (name, aim, s, holds) => {
    const runs = s && typeof s === "object" ? s.runs : [s];
    const value = mid(s);
    const range = s && typeof s === "object" && s.runs.length > 1 ? ` (${fmt(s.min)}–${fmt(s.max)})` : "";
    out.push({
      name,
      aim,
      value: value ?? null,
      runs,
      met:
        typeof value !== "number" || Number.isNaN(value) ? null : runs.every((v) => typeof v === "number" && holds(v)),
      measured: typeof value === "number" ? `${fmt(value)}×${range}` : "–",
    });
  };
  const t = results.throughput?.cases;
  if (t) {
    for (const key of READS) {
      const c = t[key];
      if (!c) continue;
      ratioTarget(`${c.label}: req/s ÷ peer`, "≥ 1.0×", c.vsPeer, (v) => v >= 1);
      ratioTarget(`${c.label}: CPU/request ÷ peer`, "≤ 1.0×", c.cpuVsPeer, (v) => v <= 1);
      ratioTarget(`${c.label}: req/s ÷ its floor`, "≥ 0.8×", c.vsFloor, (v) => v >= 0.8);
    }
    for (const key of AGENT_READS) {
      const c = t[key];
      if (c) ratioTarget(`${c.label}: req/s ÷ its floor`, "≥ 0.8×", c.vsFloor, (v) => v >= 0.8);
    }
    for (const key of [...READS, ...AGENT_READS]) {
      const calls = t[key]?.calls;
      if (calls)
        add(
          `${t[key].label}: round trips`,
          "≤ 1 D1, no DO",
          calls.d1 + calls.do,
          calls.d1 <= 1 && calls.do === 0,
          `${calls.d1} D1, ${calls.do} DO`,
        );
    }
  }
  const l = results.limits;
  if (l?.cases) {
    const n = l.existing.toLocaleString("en-US");
    ratioTarget(
      `create on the ${l.plan} plan ÷ on unlimited, 0 rows: req/s`,
      "≥ 0.9×",
      l.limitedVsUnlimited0,
      (v) => v >= 0.9,
    );
    ratioTarget(
      `create on the ${l.plan} plan ÷ on unlimited, ${n} rows: req/s`,
      "≥ 0.9×",
      l.limitedVsUnlimited10k,
      (v) => v >= 0.9,
    );
    const d1 = (key) => l.cases[key]?.calls?.d1;
    const same = ["limited0", "limited10k"].every((k) => d1(k) === d1("unlimited0") && d1(k) === d1("unlimited10k"));
    add(
      "create on a limited plan: D1 round trips",
      "= unlimited's",
      d1("limited0"),
      same,
      `${d1("limited0")} / ${d1("limited10k")} vs ${d1("unlimited0")} / ${d1("unlimited10k")} D1`,
    );
    ratioTarget("GET /v1.0/customer/usage: req/s ÷ its floor", "≥ 0.8×", l.usageVsFloor, (v) => v >= 0.8);
    const u = l.cases.usage?.calls;
    if (u)
      add(
        "GET /v1.0/customer/usage: round trips",
        "≤ 1 D1, no DO",
        u.d1 + u.do,
        u.d1 <= 1 && u.do === 0,
        `${u.d1} D1, ${u.do} DO`,
      );
  }
  const d = results.deepPages;
  if (d) ratioTarget(`page ${d.depth} ÷ first page, p50 latency`, "≤ 1.5×", d.p50Ratio, (v) => v <= 1.5);
  const c = results.cascade;
  if (c) {
    ratioTarget("cascade ÷ raw delete, rows/s, database otherwise idle", "≥ 0.5×", c.speedRatio, (v) => v >= 0.5);
    ratioTarget("other tenants' p99 during cascade ÷ idle", "≤ 2×", c.underLoad?.p99Ratio, (v) => v <= 2);
    ratioTarget(
      "cascade ÷ raw delete of its size, rows/s, under the tenants' load",
      "≥ 0.25×",
      c.underLoad?.speedRatio,
      (v) => v >= 0.25,
    );
  }
  const s = results.soak;
  if (s?.heapRatio !== undefined)
    add(
      "isolate JS heap after the soak ÷ after warm-up",
      "≤ 1.2×",
      s.heapRatio,
      s.heapRatio <= 1.2,
      `${fmt(s.heapRatio)}×`,
    );
  const b = results.bundle;
  if (b) {
    // The larger of our zlib -9 figure and wrangler's own upload figure, in kB of 1,000 bytes.
    const bytes = Math.max(b.gzipBytes, (b.wranglerGzipKiB ?? 0) * 1024);
    add("bundle, gzipped", "≤ 300 KB", bytes, bytes <= 300_000, `${(bytes / 1000).toFixed(1)} KB`);
  }
  return out;
}
