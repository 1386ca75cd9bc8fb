import { z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { billingAccounts, type CustomerRow } from "../db/schema";
import { notFound } from "../lib/errors";
import { isUuid } from "../lib/validation";
import { updateCustomer } from "./customer-store";

export const BillingAccountIdUpdateSchema = z
  .strictObject({ billing_account_id: z.string().max(64) })
  .openapi("CustomerBillingAccountIdUpdate", { example: { billing_account_id: "a1b2c3d4-5678-90ab-cdef-1234567890ab" } });

/** Makes one of the customer's own billing accounts its default; any other id is a 404. */
export async function setDefaultBillingAccount(db: Db, customer: CustomerRow, billingAccountId: string): Promise<CustomerRow> {
  const id = billingAccountId.toLowerCase();
  const [account] = isUuid(id)
    ? await db
        .select({ id: billingAccounts.id })
        .from(billingAccounts)
        .where(and(eq(billingAccounts.id, id), eq(billingAccounts.customerId, customer.id)))
        .limit(1)
    : [];
  if (!account) throw notFound("billing account");
  return updateCustomer(db, customer.id, { billingAccountId: account.id }, { current: customer });
}
