/** ISO 8601 UTC with milliseconds, as every timestamp on the wire. */
export const iso = (ms: number) => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null | undefined) => (ms == null ? null : iso(ms));

/** Integer seconds from a Worker var, with a default for unset or malformed values. */
export function secondsVar(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : fallback;
}
