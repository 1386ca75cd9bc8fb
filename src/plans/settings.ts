import type { Env } from "../env";
import { FALLBACK_PLAN_TYPE, FALLBACK_STORAGE_QUOTA_BYTES, isPlanType, type PlanType } from "./table";

const warned = new Set<string>();
/** A misconfiguration is logged once per isolate, not on every request. */
const warnOnce = (message: string) => {
  if (warned.has(message)) return;
  warned.add(message);
  console.error(message);
};

/**
 * DEFAULT_PLAN_TYPE: the plan of a customer without a default billing account. A value that
 * names no plan falls back to the most restrictive one, loudly, rather than to no limit.
 */
export function defaultPlanType(env: Env): PlanType {
  const value = env.DEFAULT_PLAN_TYPE;
  if (value === undefined || value === "") return FALLBACK_PLAN_TYPE;
  if (isPlanType(value)) return value;
  warnOnce(`DEFAULT_PLAN_TYPE=${JSON.stringify(value)} is no plan; using "${FALLBACK_PLAN_TYPE}"`);
  return FALLBACK_PLAN_TYPE;
}

/** STORAGE_QUOTA_BYTES: the bytes a customer's files may take in all (a positive integer; default 10 GiB). */
export function storageQuotaBytes(env: Env): number {
  const value = env.STORAGE_QUOTA_BYTES;
  if (value === undefined || value === "") return FALLBACK_STORAGE_QUOTA_BYTES;
  const n = Number(value);
  if (Number.isSafeInteger(n) && n > 0) return n;
  warnOnce(
    `STORAGE_QUOTA_BYTES=${JSON.stringify(value)} is no positive integer; using ${FALLBACK_STORAGE_QUOTA_BYTES}`,
  );
  return FALLBACK_STORAGE_QUOTA_BYTES;
}
