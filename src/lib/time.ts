const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);
/** 0000-01-01 .. 9999-12-31: the range where toISOString has a four-digit year. */
const MAX_FOUR_DIGIT_YEAR_MS = 253402300799999;
const MIN_FOUR_DIGIT_YEAR_MS = -62167219200000;

/**
 * ISO 8601 UTC with milliseconds, as every timestamp on the wire: the same text as
 * `new Date(ms).toISOString()`, computed with integer arithmetic (civil-from-days, H. Hinnant).
 * A page of 100 customers formats ~400 of them; this is ~3× cheaper than a Date each.
 */
export function iso(ms: number): string {
  if (!Number.isInteger(ms) || ms < MIN_FOUR_DIGIT_YEAR_MS || ms > MAX_FOUR_DIGIT_YEAR_MS)
    return new Date(ms).toISOString();
  const days = Math.floor(ms / 86400000);
  let rest = ms - days * 86400000;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hours = Math.floor(rest / 3600000);
  rest -= hours * 3600000;
  const minutes = Math.floor(rest / 60000);
  rest -= minutes * 60000;
  const seconds = Math.floor(rest / 1000);
  const y = year < 1000 ? `${year}`.padStart(4, "0") : `${year}`;
  return `${y}-${pad2(month)}-${pad2(day)}T${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${pad3(rest - seconds * 1000)}Z`;
}
export const isoOrNull = (ms: number | null | undefined) => (ms == null ? null : iso(ms));
