import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import type { InsertCondition } from "../db/insert-where";
import type { ResourceKind } from "../db/owned";
import type { Env } from "../env";
import { ApiError } from "../lib/errors";
import { isVirtualNumber } from "../resources/kinds";
import { configOf } from "../config";
import {
  COUNTED,
  isPlanType,
  LIMITED_RESOURCES,
  PLAN_LIMITS,
  PLAN_TYPES,
  type LimitedResource,
  type PlanType,
} from "./table";

/**
 * A customer's plan, as SQL: the plan_type of its default billing account (one of its own), else
 * the configured default. Read inside the statement that needs it, so a plan change and a create
 * never interleave, and no request spends a round trip on it.
 */
export const planSql = (customerId: SQL | string, fallback: PlanType): SQL =>
  sql`COALESCE((SELECT b.plan_type FROM customers c JOIN billing_accounts b ON b.id = c.billing_account_id AND b.customer_id = c.id WHERE c.id = ${customerId}), ${fallback})`;

/**
 * "Fewer than `limit` rows counted": reads at most `limit` index entries, however many rows the
 * customer has (a downgraded customer far over its limit costs no more to refuse).
 */
function belowSql(resource: LimitedResource, customerId: SQL | string, limit: number): SQL {
  if (limit === 0) return sql`1`;
  const { table, where } = COUNTED[resource];
  const n = sql.raw(String(limit));
  return sql`(SELECT count(*) FROM (SELECT 1 FROM ${sql.identifier(table)} WHERE customer_id = ${customerId}${sql.raw(where)} LIMIT ${n})) < ${n}`;
}

/**
 * True while the customer may create one more of `resource`: one CASE on its plan with a branch
 * per plan of the table, each branch counting against that plan's constant (SQLite evaluates the
 * plan once and only the branch taken). A limit the same on every plan (flows) needs no plan.
 * A stored plan_type that is no plan (never written by this API) counts as the default plan.
 */
export function belowLimitSql(resource: LimitedResource, customerId: SQL | string, fallback: PlanType): SQL {
  const first = PLAN_LIMITS[PLAN_TYPES[0]][resource];
  if (PLAN_TYPES.every((plan) => PLAN_LIMITS[plan][resource] === first)) return belowSql(resource, customerId, first);
  const branches = PLAN_TYPES.map(
    (plan) => sql` WHEN ${sql.raw(`'${plan}'`)} THEN ${belowSql(resource, customerId, PLAN_LIMITS[plan][resource])}`,
  );
  return sql`(CASE ${planSql(customerId, fallback)}${sql.join(branches)} ELSE ${belowSql(resource, customerId, PLAN_LIMITS[fallback][resource])} END)`;
}

/** The limited resource a new row of `kind` counts toward, if any (a number only when virtual). */
export function limitedResourceOf(kind: ResourceKind, row: Record<string, unknown>): LimitedResource | undefined {
  if (kind === "numbers") return isVirtualNumber(String(row.number ?? "")) ? "virtual_numbers" : undefined;
  return (LIMITED_RESOURCES as readonly string[]).includes(kind) ? (kind as LimitedResource) : undefined;
}

const NOUN: Record<LimitedResource, string> = {
  agents: "agent",
  extensions: "extension",
  queues: "queue",
  trunks: "trunk",
  virtual_numbers: "virtual number",
  flows: "flow",
};

export function limitExceeded(resource: LimitedResource, plan: PlanType, limit: number): ApiError {
  const noun = `${NOUN[resource]}${limit === 1 ? "" : "s"}`;
  const message =
    resource === "flows"
      ? `A customer can have at most ${limit} ${noun}; delete some to create more.`
      : `The ${plan} plan allows ${limit} ${noun}; delete some, or move to a larger plan, to create more.`;
  // No Retry-After: waiting does not help, only fewer rows or another plan do.
  return new ApiError("RESOURCE_EXHAUSTED", "RESOURCE_LIMIT_EXCEEDED", message, [{ resource, plan_type: plan, limit }]);
}

/** The customer's plan, read on its own (for the refusal's details, off the success path). */
export async function readPlan(db: Db, env: Env, customerId: string): Promise<PlanType> {
  const fallback = configOf(env).defaultPlanType;
  const row = await db.get<{ plan_type: string }>(sql`SELECT ${planSql(customerId, fallback)} AS plan_type`);
  return isPlanType(row?.plan_type) ? row.plan_type : fallback;
}

export interface CreateGuard extends InsertCondition {
  /** The error to answer when the INSERT wrote nothing (it may read: only refusals pay for it). */
  refusal(): Promise<ApiError>;
}

/** The plan limit of a new row of `kind`, as the condition of its INSERT; none for kinds no plan limits. */
export function planLimitGuard(
  db: Db,
  env: Env,
  kind: ResourceKind,
  customerId: string,
  row: Record<string, unknown>,
): CreateGuard | undefined {
  const resource = limitedResourceOf(kind, row);
  if (!resource) return undefined;
  return {
    condition: belowLimitSql(resource, customerId, configOf(env).defaultPlanType),
    async refusal() {
      const plan = await readPlan(db, env, customerId);
      return limitExceeded(resource, plan, PLAN_LIMITS[plan][resource]);
    },
  };
}
