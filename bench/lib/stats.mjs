// Small statistics helpers. Every figure the harness reports is a median over runs; ratios are
// computed inside each run (both sides measured back to back), then reported as their median with
// the range over runs (spread).

export function median(values) {
  const xs = values.filter((v) => typeof v === "number" && Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

/** Percentile of raw samples (linear interpolation between closest ranks), p in [0, 100]. */
export function percentile(values, p) {
  if (values.length === 0) return null;
  const xs = Float64Array.from(values).sort();
  const rank = (p / 100) * (xs.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return xs[lo] + (xs[hi] - xs[lo]) * (rank - lo);
}

export function ratio(a, b) {
  if (typeof a !== "number" || typeof b !== "number" || !Number.isFinite(a) || !Number.isFinite(b) || b === 0)
    return null;
  return a / b;
}

/** Median of each numeric field over a list of per-run records (non-numeric fields are dropped). */
export function medianOf(records, fields) {
  const out = {};
  for (const f of fields) out[f] = median(records.map((r) => r?.[f]));
  return out;
}

export const round = (v, digits = 2) =>
  typeof v === "number" && Number.isFinite(v) ? Number(v.toFixed(digits)) : null;

const finite = (v) => typeof v === "number" && Number.isFinite(v);

/**
 * A figure over runs: the median of the per-run values with their range, and every run's value
 * (null where a run could not measure it). Targets are judged on `runs`, each one.
 */
export function spread(values) {
  const xs = values.filter(finite);
  return {
    median: median(xs),
    min: xs.length ? Math.min(...xs) : null,
    max: xs.length ? Math.max(...xs) : null,
    runs: values.map((v) => (finite(v) ? v : null)),
  };
}

/** The median of a figure that may be a spread (or a plain number). */
export const mid = (v) => (v && typeof v === "object" ? v.median : v);
