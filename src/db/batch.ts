import { is, SQL } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import type { D1Client } from "./client";

// drizzle's D1 batch cannot carry raw SQL with parameters (it expects a prepared statement that
// raw queries do not have). Statements that rely on changes() (a row count handed from one
// statement to the next inside the batch's transaction) are raw, so such batches go to D1 here.
const dialect = new SQLiteSyncDialect();

export type BatchStatement = SQL | { toSQL(): { sql: string; params: unknown[] } };

export function toD1(d1: D1Client, statement: BatchStatement): D1PreparedStatement {
  const query = is(statement, SQL) ? dialect.sqlToQuery(statement) : statement.toSQL();
  return d1.prepare(query.sql).bind(...query.params);
}

/** One D1 batch (one transaction) of drizzle query builders and raw SQL. */
export function d1Batch(d1: D1Client, statements: BatchStatement[]): Promise<D1Result[]> {
  return d1.batch(statements.map((s) => toD1(d1, s)));
}

/**
 * Rows written by the statement at `index` of a batch's results. D1 counts rows that triggers
 * wrote too: for a table with an AFTER trigger that writes (agents), use RETURNING instead.
 */
export const changesOf = (results: D1Result[], index: number) => results[index]?.meta.changes ?? 0;
