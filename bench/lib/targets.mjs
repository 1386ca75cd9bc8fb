// The targets, as ratios from one run (bench/results.json `targets`). Each entry says the
// aim, the measured value and whether it is met; null when the phase did not run.
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
  const t = results.throughput?.cases;
  if (t) {
    for (const key of READS) {
      const c = t[key];
      if (!c) continue;
      add(`${c.label}: req/s ÷ peer`, "≥ 1.0×", c.vsPeer, c.vsPeer >= 1, `${fmt(c.vsPeer)}×`);
      add(`${c.label}: CPU/request ÷ peer`, "≤ 1.0×", c.cpuVsPeer, c.cpuVsPeer <= 1, `${fmt(c.cpuVsPeer)}×`);
      add(`${c.label}: req/s ÷ its floor`, "≥ 0.8×", c.vsFloor, c.vsFloor >= 0.8, `${fmt(c.vsFloor)}×`);
    }
    for (const key of AGENT_READS) {
      const c = t[key];
      if (c) add(`${c.label}: req/s ÷ its floor`, "≥ 0.8×", c.vsFloor, c.vsFloor >= 0.8, `${fmt(c.vsFloor)}×`);
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
  const d = results.deepPages;
  if (d)
    add(`page ${d.depth} ÷ first page, p50 latency`, "≤ 1.5×", d.p50Ratio, d.p50Ratio <= 1.5, `${fmt(d.p50Ratio)}×`);
  const c = results.cascade;
  if (c) {
    add(
      "cascade ÷ raw delete, rows/s, database otherwise idle",
      "≥ 0.5×",
      c.speedRatio,
      c.speedRatio >= 0.5,
      `${fmt(c.speedRatio)}×`,
    );
    add(
      "other tenants' p99 during cascade ÷ idle",
      "≤ 2×",
      c.underLoad?.p99Ratio,
      c.underLoad?.p99Ratio <= 2,
      `${fmt(c.underLoad?.p99Ratio)}×`,
    );
    add(
      "cascade ÷ raw delete, rows/s, under the tenants' load",
      "≥ 0.25×",
      c.underLoad?.speedRatio,
      c.underLoad?.speedRatio >= 0.25,
      `${fmt(c.underLoad?.speedRatio)}×`,
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
