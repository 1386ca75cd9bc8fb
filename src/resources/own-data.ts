import { getTableName } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { principalWithOwnRaw, requireOwnCustomer } from "../auth/principal";
import { recordReader } from "../db/raw";
import { pageOf, rawPageQuery, type KeysetTable, type PageParams, type RawWhere } from "../lib/pagination";
import { isUuid } from "../lib/validation";

type OwnedByCustomer = KeysetTable & { customerId: SQLiteColumn };

/** A page of the caller's own rows, read in the same D1 round trip that checks the credential. */
export async function ownPage<T extends OwnedByCustomer, Out>(
  c: Context<AppEnv>,
  table: T,
  query: PageParams,
  allowed: number,
  serialize: (row: T["$inferSelect"]) => Out,
  filter?: RawWhere,
) {
  const [principal, rows] = await principalWithOwnRaw(c, (scope) =>
    rawPageQuery(
      table,
      {
        sql: `"customer_id" = ${scope.sql}${filter ? ` AND (${filter.sql})` : ""}`,
        params: [...scope.params, ...(filter?.params ?? [])],
      },
      query,
    ),
  );
  requireOwnCustomer(principal, allowed);
  return pageOf(rows, query, serialize);
}

/** One of the caller's own rows by id, or undefined (a malformed id matches nothing), in one round trip. */
export async function ownRow<T extends OwnedByCustomer>(
  c: Context<AppEnv>,
  table: T,
  id: string,
  allowed: number,
  filter?: RawWhere,
): Promise<T["$inferSelect"] | undefined> {
  const reader = recordReader(table);
  const [principal, row] = await principalWithOwnRaw(c, (scope) => ({
    statement: (d1) =>
      d1
        .prepare(
          `SELECT ${reader.columns} FROM "${getTableName(table)}" WHERE "id" = ? AND "customer_id" = ${scope.sql}` +
            (filter ? ` AND (${filter.sql})` : "") +
            " LIMIT 1",
        )
        .bind(isUuid(id) ? id.toLowerCase() : "", ...scope.params, ...(filter?.params ?? [])),
    read: (records) => (records[0] ? reader.read(records[0]) : null),
  }));
  requireOwnCustomer(principal, allowed);
  return row ?? undefined;
}
