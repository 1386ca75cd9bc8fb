// The plans and what each allows: the one place the figures live. Everything else (the checks
// inside the INSERTs, the usage answer, the OpenAPI text, the README table's test) reads them
// from here. Nothing in this file imports anything, so the benchmark can bundle it alone.

export const PLAN_TYPES = ["free", "basic", "professional", "unlimited"] as const;
export type PlanType = (typeof PLAN_TYPES)[number];

/** The kinds a plan limits. `virtual_numbers` are the `numbers` in the platform's +899 range. */
export const LIMITED_RESOURCES = ["agents", "extensions", "queues", "trunks", "virtual_numbers", "flows"] as const;
export type LimitedResource = (typeof LIMITED_RESOURCES)[number];

/** The platform's hard cap on a customer's flows, the same for every plan (bin-flow-manager's maxFlowCount). */
export const MAX_FLOWS = 10_000;

/** 0 = unlimited. The platform's figures (bin-billing-manager, models/account/plan.go). */
export const PLAN_LIMITS: Record<PlanType, Record<LimitedResource, number>> = {
  free: { agents: 5, extensions: 5, queues: 2, trunks: 1, virtual_numbers: 5, flows: MAX_FLOWS },
  basic: { agents: 50, extensions: 50, queues: 10, trunks: 5, virtual_numbers: 50, flows: MAX_FLOWS },
  professional: { agents: 500, extensions: 500, queues: 100, trunks: 50, virtual_numbers: 500, flows: MAX_FLOWS },
  unlimited: { agents: 0, extensions: 0, queues: 0, trunks: 0, virtual_numbers: 0, flows: MAX_FLOWS },
};

/** The platform's plan for new accounts, when DEFAULT_PLAN_TYPE does not say otherwise. */
export const FALLBACK_PLAN_TYPE: PlanType = "free";

/** The platform's per-customer storage quota, when STORAGE_QUOTA_BYTES does not say otherwise: 10 GiB. */
export const FALLBACK_STORAGE_QUOTA_BYTES = 10 * 1024 * 1024 * 1024;

export const isPlanType = (value: unknown): value is PlanType =>
  typeof value === "string" && (PLAN_TYPES as readonly string[]).includes(value);

/**
 * The table a limited resource is counted in, and which of its rows count. Virtual numbers are
 * the numbers in [+899, +89:) — every stored number is E.164 digits, so that range is exactly the
 * +899 prefix, and an index on (customer_id, number) reads only them.
 */
export const COUNTED: Record<LimitedResource, { table: string; where: string }> = {
  agents: { table: "agents", where: "" },
  extensions: { table: "extensions", where: "" },
  queues: { table: "queues", where: "" },
  trunks: { table: "trunks", where: "" },
  virtual_numbers: { table: "numbers", where: " AND number >= '+899' AND number < '+89:'" },
  flows: { table: "flows", where: "" },
};
