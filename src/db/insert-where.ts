import { getTableColumns, is, SQL, sql } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { d1Batch, type BatchStatement } from "./batch";
import type { Db } from "./client";
import { recordReader } from "./raw";

/** A condition an INSERT must meet when it runs, and statements for its batch (each acting only if `changes() = 1`). */
export interface InsertCondition {
  condition: SQL;
  also?: BatchStatement[];
}

/**
 * `INSERT INTO t (…every column…) SELECT <row> WHERE <condition>`: the row is written only if the
 * condition holds at the moment the statement runs. D1 runs one statement (one batch) at a time,
 * so a condition that counts rows or sums bytes cannot be overtaken by a concurrent writer the way
 * a read followed by a write can. Columns the row leaves out take their defaults, as `values()` does.
 */
export function insertWhere<T extends SQLiteTable>(db: Db, table: T, row: Record<string, unknown>, condition: SQL) {
  const values = Object.entries(getTableColumns(table) as Record<string, SQLiteColumn>).map(([key, column]) => {
    const value = row[key] !== undefined ? row[key] : column.default;
    if (value === undefined || value === null) return sql`NULL`;
    return is(value, SQL) ? value : sql.param(value, column);
  });
  return db
    .insert(table)
    .select(sql`SELECT ${sql.join(values, sql`, `)} WHERE ${condition}`)
    .returning();
}

/** Runs insertWhere with its batch: the row as written, or null when the condition said no (nothing written). */
export async function insertIf<T extends SQLiteTable>(
  db: Db,
  table: T,
  row: Record<string, unknown>,
  guard: InsertCondition,
): Promise<T["$inferSelect"] | null> {
  const [written] = await d1Batch(db.$client, [insertWhere(db, table, row, guard.condition), ...(guard.also ?? [])]);
  const record = written?.results?.[0] as Record<string, unknown> | undefined;
  return record ? (recordReader(table).read(record) as T["$inferSelect"]) : null;
}
