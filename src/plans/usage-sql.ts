import { resourceKinds } from "../db/owned";
import { COUNTED } from "./table";

// The usage statement on its own (the benchmark runs the very same text as its floor).

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
