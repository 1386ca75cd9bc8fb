import { z } from "@hono/zod-openapi";
import { resourceKinds } from "../db/owned";
import type { D1Record, RawQuery } from "../db/raw";
import {
  COUNTED,
  isPlanType,
  LIMITED_RESOURCES,
  PLAN_LIMITS,
  PLAN_TYPES,
  type LimitedResource,
  type PlanType,
} from "./table";

/** What the usage answer counts: the eleven owned kinds, and the virtual numbers among the numbers. */
export const USAGE_RESOURCES = [...resourceKinds, "virtual_numbers"] as const;
export type UsageResource = (typeof USAGE_RESOURCES)[number];

const countSql = (name: UsageResource) => {
  const counted = (COUNTED as Partial<Record<string, { table: string; where: string }>>)[name];
  const table = counted?.table ?? name;
  return `(SELECT count(*) FROM "${table}" WHERE customer_id = me.id${counted?.where ?? ""}) AS "${name}"`;
};

/**
 * The usage of one customer in one statement: its plan, an exact count(*) of each kind (each on
 * its (customer_id, …) index), the storage totals, and its status (NULL: no such customer).
 * `customerSql` names the customer (`?`, or a subquery on the caller's access key); the last
 * parameter is the default plan. Without a storage account (the operator deleted it) the
 * totals are counted from the file rows.
 */
export const usageSql = (customerSql: string) =>
  `WITH me(id) AS (SELECT ${customerSql})
SELECT me.id AS customer_id,
  (SELECT status FROM customers WHERE id = me.id) AS status,
  COALESCE((SELECT b.plan_type FROM customers c JOIN billing_accounts b ON b.id = c.billing_account_id AND b.customer_id = c.id WHERE c.id = me.id), ?) AS plan_type,
  ${USAGE_RESOURCES.map(countSql).join(",\n  ")},
  COALESCE(sa.total_file_count, (SELECT count(*) FROM files WHERE customer_id = me.id)) AS total_file_count,
  COALESCE(sa.total_file_size, (SELECT coalesce(sum(size_bytes), 0) FROM files WHERE customer_id = me.id)) AS total_file_size
FROM me LEFT JOIN storage_accounts sa ON sa.customer_id = me.id`;

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

/** The usage statement for a batch slot (next to the credential lookup, so one round trip in all). */
export function usageQuery(
  customerSql: string,
  params: unknown[],
  fallback: PlanType,
  quotaBytes: number,
): RawQuery<UsageRow | null> {
  const text = usageSql(customerSql);
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
