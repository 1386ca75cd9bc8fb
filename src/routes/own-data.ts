import { and, eq } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { principalWithOwn, requireOwnCustomer } from "../auth/principal";
import { pageOf, pageQuery, type KeysetTable, type PageParams } from "../lib/pagination";
import { isUuid } from "../lib/validation";

type OwnedByCustomer = KeysetTable & { customerId: SQLiteColumn };

/** A page of the caller's own rows, read in the same D1 round trip that checks the credential. */
export async function ownPage<T extends OwnedByCustomer, Out>(
  c: Context<AppEnv>,
  table: T,
  query: PageParams,
  allowed: number,
  serialize: (row: T["$inferSelect"]) => Out,
) {
  const [principal, rows] = await principalWithOwn(c, (customerId) => pageQuery(c.get("db"), table, eq(table.customerId, customerId), query));
  requireOwnCustomer(principal, allowed);
  return pageOf(rows, query, serialize);
}

/** One of the caller's own rows by id, or undefined (a malformed id matches nothing), in one round trip. */
export async function ownRow<T extends OwnedByCustomer>(c: Context<AppEnv>, table: T, id: string, allowed: number): Promise<T["$inferSelect"] | undefined> {
  const [principal, rows] = await principalWithOwn(c, (customerId) =>
    c
      .get("db")
      .select()
      .from(table as SQLiteTable)
      .where(and(eq(table.id, isUuid(id) ? id.toLowerCase() : ""), eq(table.customerId, customerId)))
      .limit(1),
  );
  requireOwnCustomer(principal, allowed);
  return rows[0] as T["$inferSelect"] | undefined;
}
