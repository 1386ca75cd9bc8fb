import { getTableColumns } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";

// Hot reads go to D1 as fixed SQL text (built once per table, bound per request) and their rows
// are read straight from D1's result records. Through drizzle, a batch's rows went object →
// array → object, and both statements were compiled again on every request (bench/README.md).

/** D1's row record (column name → SQLite value). */
export type D1Record = Record<string, unknown>;

/** A statement for one batch slot and how to read its rows. */
export interface RawQuery<R> {
  statement(d1: D1Database | D1DatabaseSession): D1PreparedStatement;
  read(records: D1Record[]): R;
}

export interface RecordReader<Row> {
  /** The select list: every column of the table (or those picked). */
  columns: string;
  /** The same, each qualified with a table alias (for joins). */
  columnsOf(alias: string): string;
  /** The row of a record, or null when its first column (the primary key) is NULL (an outer join missed). */
  read(record: D1Record): Row | null;
}

// Only these column types change on the way out of SQLite; every other value is used as stored.
const convert: Record<string, ((v: unknown) => unknown) | undefined> = {
  SQLiteBoolean: (v) => v === 1,
  SQLiteTextJson: (v) => JSON.parse(v as string),
};

const readers = new WeakMap<SQLiteTable, Map<string, RecordReader<unknown>>>();

/**
 * Reads a table's rows (drizzle's `$inferSelect` shape, or the `pick`ed keys of it) from D1
 * records selected with `columns`. A read that answers only some columns selects only those:
 * less for D1 to serialize and for the isolate to convert.
 */
export function recordReader<
  T extends SQLiteTable,
  K extends keyof T["$inferSelect"] & string = keyof T["$inferSelect"] & string,
>(table: T, pick?: readonly K[]): RecordReader<Pick<T["$inferSelect"], K>> {
  let byPick = readers.get(table);
  if (!byPick) {
    byPick = new Map();
    readers.set(table, byPick);
  }
  const cacheKey = pick ? pick.join(",") : "*";
  let reader = byPick.get(cacheKey) as RecordReader<Pick<T["$inferSelect"], K>> | undefined;
  if (reader) return reader;
  const fields = Object.entries(getTableColumns(table) as Record<string, SQLiteColumn>)
    .filter(([key]) => !pick || (pick as readonly string[]).includes(key))
    .map(([key, column]) => ({
      key,
      name: column.name,
      convert: convert[column.columnType],
    }));
  // A record whose first column is NULL is the missing side of a LEFT JOIN: no row.
  const first = fields[0]?.name;
  if (first === undefined) throw new Error("recordReader: no columns picked");
  reader = {
    columns: fields.map((f) => `"${f.name}"`).join(", "),
    columnsOf: (alias) => fields.map((f) => `${alias}."${f.name}"`).join(", "),
    read(record) {
      if (record[first] === null || record[first] === undefined) return null;
      const row: Record<string, unknown> = {};
      for (const f of fields) {
        const v = record[f.name];
        row[f.key] = f.convert && v !== null ? f.convert(v) : v;
      }
      return row as Pick<T["$inferSelect"], K>;
    },
  };
  byPick.set(cacheKey, reader as RecordReader<unknown>);
  return reader;
}

interface DrizzlePrepared {
  getQuery(): { sql: string; params: unknown[] };
  mapResult(result: { results: D1Record[] }, isFromBatch: boolean): unknown;
}

/**
 * A drizzle query builder as a RawQuery, for a batch slot next to a raw statement: compiled
 * here, its rows mapped by drizzle's own batch mapping. For the less travelled reads; hot ones
 * are written as fixed SQL.
 */
export function drizzleQuery<Q extends BatchItem<"sqlite">>(query: Q): RawQuery<Awaited<Q>> {
  const prepared = (query as unknown as { _prepare(): DrizzlePrepared })._prepare();
  const { sql, params } = prepared.getQuery();
  return {
    statement: (d1) => d1.prepare(sql).bind(...params),
    read: (records) => prepared.mapResult({ results: records }, true) as Awaited<Q>,
  };
}
