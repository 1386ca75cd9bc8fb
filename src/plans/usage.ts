import { z } from "@hono/zod-openapi";
import type { D1Record, RawQuery } from "../db/raw";
import { USAGE_RESOURCES, usageSql, type UsageResource } from "./usage-sql";
import { isPlanType, LIMITED_RESOURCES, PLAN_LIMITS, PLAN_TYPES, type LimitedResource, type PlanType } from "./table";

const Count = z.object({
  count: z.number().int().openapi({ description: "Rows the customer has now (exact)." }),
  limit: z.number().int().openapi({ description: "What its plan allows; 0 = unlimited." }),
});

export const UsageSchema = z
  .object({
    customer_id: z.uuid(),
    plan_type: z.enum(PLAN_TYPES),
    resources: z.object(Object.fromEntries(USAGE_RESOURCES.map((r) => [r, Count]))),
    storage: z.object({
      total_file_count: z.number().int(),
      total_file_size: z.number().int().openapi({ description: "Bytes, counted against quota_bytes." }),
      quota_bytes: z.number().int().openapi({ description: "STORAGE_QUOTA_BYTES." }),
    }),
  })
  .openapi("CustomerUsage");
export type Usage = z.infer<typeof UsageSchema>;

export interface UsageRow {
  status: string | null;
  usage: Usage;
}

const limitOf = (plan: PlanType, resource: UsageResource) =>
  (LIMITED_RESOURCES as readonly string[]).includes(resource) ? PLAN_LIMITS[plan][resource as LimitedResource] : 0;

// Built once per way of naming the customer (a bound id, or the access key's subquery).
const texts = new Map<string, string>();

/** The usage statement for a batch slot (next to the credential lookup, so one round trip in all). */
export function usageQuery(
  customerSql: string,
  params: unknown[],
  fallback: PlanType,
  quotaBytes: number,
): RawQuery<UsageRow | null> {
  const text = texts.get(customerSql) ?? usageSql(customerSql);
  texts.set(customerSql, text);
  return {
    statement: (d1) => d1.prepare(text).bind(...params, fallback),
    read(records: D1Record[]) {
      const r = records[0];
      if (!r || r.customer_id === null) return null;
      const plan = isPlanType(r.plan_type) ? r.plan_type : fallback;
      const resources = Object.fromEntries(
        USAGE_RESOURCES.map((name) => [name, { count: Number(r[name]), limit: limitOf(plan, name) }]),
      );
      return {
        status: (r.status as string | null) ?? null,
        usage: {
          customer_id: r.customer_id as string,
          plan_type: plan,
          resources,
          storage: {
            total_file_count: Number(r.total_file_count),
            total_file_size: Number(r.total_file_size),
            quota_bytes: quotaBytes,
          },
        },
      };
    },
  };
}
