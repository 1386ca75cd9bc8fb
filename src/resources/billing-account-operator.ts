import { eq, sql } from "drizzle-orm";
import type { SQLiteUpdateSetSource } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client";
import { billingAccounts } from "../db/schema";
import { notFound } from "../lib/errors";
import { isUuid } from "../lib/validation";

/**
 * The operator's change to any customer's billing account (its plan, a forced balance change): one
 * UPDATE, so concurrent changes all count, with the version and tm_update moved as every write
 * moves them. Answers the changed row; an id that names no account is a 404.
 */
export async function updateBillingAccountAsOperator(
  db: Db,
  rawId: string,
  set: SQLiteUpdateSetSource<typeof billingAccounts>,
) {
  const id = rawId.toLowerCase();
  const [row] = isUuid(id)
    ? await db
        .update(billingAccounts)
        .set({
          ...set,
          tmUpdate: sql`max(${Date.now()}, ${billingAccounts.tmUpdate})`,
          version: sql`${billingAccounts.version} + 1`,
        })
        .where(eq(billingAccounts.id, id))
        .returning()
    : [];
  if (!row) throw notFound("billing account");
  return row;
}
