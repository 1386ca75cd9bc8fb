import { z } from "@hono/zod-openapi";
import { and, eq, exists, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { billingAccounts, type CustomerRow } from "../db/schema";
import { notFound } from "../lib/errors";
import { isUuid } from "../lib/validation";
import { updateCustomer } from "./customer-store";

export const BillingAccountIdUpdateSchema = z
  .strictObject({ billing_account_id: z.string().max(64) })
  .openapi("CustomerBillingAccountIdUpdate", {
    example: { billing_account_id: "a1b2c3d4-5678-90ab-cdef-1234567890ab" },
  });

/**
 * Makes one of the customer's own billing accounts its default; any other id is a 404. The
 * account's existence is a condition of the UPDATE itself: a deletion that lands between a
 * check and the write cannot leave the default pointing at nothing. (The deletion, in turn,
 * resets a default that names the account in its own batch.)
 */
export async function setDefaultBillingAccount(
  db: Db,
  customer: CustomerRow,
  billingAccountId: string,
): Promise<CustomerRow> {
  const id = billingAccountId.toLowerCase();
  if (!isUuid(id)) throw notFound("billing account");
  const accountExists = exists(
    db
      .select({ one: sql`1` })
      .from(billingAccounts)
      .where(and(eq(billingAccounts.id, id), eq(billingAccounts.customerId, customer.id))),
  );
  return updateCustomer(
    db,
    customer.id,
    { billingAccountId: id },
    { current: customer, guard: { condition: accountExists, error: () => notFound("billing account") } },
  );
}
