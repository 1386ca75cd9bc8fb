import { z } from "@hono/zod-openapi";
import { and, desc, getTableName, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client";
import { recordReader, type RawQuery } from "../db/raw";
import { invalidArgument } from "./errors";

export const MAX_PAGE_SIZE = 100;

export const PageQuerySchema = z.object({
  page_size: z.coerce
    .number()
    .int()
    .optional()
    .transform((n) => Math.min(MAX_PAGE_SIZE, Math.max(1, n ?? MAX_PAGE_SIZE)))
    .openapi({
      param: { name: "page_size", in: "query" },
      type: "integer",
      example: 100,
      description: "1..100, default 100 (out-of-range values are clamped)",
    }),
  page_token: z
    .string()
    .max(256)
    .optional()
    .openapi({
      param: { name: "page_token", in: "query" },
      description: "next_page_token of the previous page; an ISO 8601 timestamp also works (items created before it).",
    }),
});

/** Position after the last item of a page: newest-first order on (tm_create, id). */
export interface Cursor {
  tmCreate: number;
  id: string;
}

const b64url = (s: string) => btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const unb64url = (s: string) => atob(s.replace(/-/g, "+").replace(/_/g, "/"));

export function encodePageToken(cursor: Cursor): string {
  return b64url(`${cursor.tmCreate}:${cursor.id}`);
}

const ISO_LIKE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

export function decodePageToken(token: string | undefined): Cursor | null {
  if (!token) return null;
  if (ISO_LIKE.test(token)) {
    // The real platform pages with the last item's timestamp: everything strictly older.
    let normalized = token.replace(" ", "T");
    if (!/(Z|[+-]\d{2}:?\d{2})$/.test(normalized)) normalized += "Z";
    const ms = Date.parse(normalized);
    if (Number.isFinite(ms)) return { tmCreate: ms, id: "" };
  } else {
    try {
      const match = /^(\d{1,16}):([0-9a-f-]{36})$/.exec(unb64url(token));
      if (match?.[2]) return { tmCreate: Number(match[1]), id: match[2] };
    } catch {
      // not base64: falls through to the error below
    }
  }
  throw invalidArgument("INVALID_PAGE_TOKEN", "page_token is not a token this API issued nor an ISO 8601 timestamp.", [
    { field: "page_token", description: "malformed page token" },
  ]);
}

/** Rows strictly after the cursor in (tm_create DESC, id DESC) order; uses the (…, tm_create, id) index. */
export function afterCursor(tmCreate: SQLiteColumn, id: SQLiteColumn, cursor: Cursor | null): SQL | undefined {
  if (!cursor) return undefined;
  return sql`(${tmCreate}, ${id}) < (${cursor.tmCreate}, ${cursor.id})`;
}

/** Fetch pageSize + 1 rows, then cut: the extra row only tells whether another page exists. */
export function toPage<Row extends { id: string; tmCreate: number }, Out>(
  rows: Row[],
  pageSize: number,
  serialize: (row: Row) => Out,
): { result: Out[]; next_page_token: string } {
  const page = rows.slice(0, pageSize);
  const last = page[page.length - 1];
  return {
    result: page.map(serialize),
    next_page_token: rows.length > pageSize && last ? encodePageToken({ tmCreate: last.tmCreate, id: last.id }) : "",
  };
}

export const pageSchema = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({
      result: z.array(item),
      next_page_token: z
        .string()
        .openapi({ description: "Pass as page_token for the next page; empty on the last page." }),
    })
    .openapi(name);

export type KeysetTable = SQLiteTable & { id: SQLiteColumn; tmCreate: SQLiteColumn };

export type PageParams = { page_size: number; page_token?: string };

/** The query of one page of a table's rows matching `where`, newest first, on the (…, tm_create, id) index. */
export function pageQuery<T extends KeysetTable>(db: Db, table: T, where: SQL | undefined, query: PageParams) {
  return db
    .select()
    .from(table as SQLiteTable)
    .where(and(where, afterCursor(table.tmCreate, table.id, decodePageToken(query.page_token))))
    .orderBy(desc(table.tmCreate), desc(table.id))
    .limit(query.page_size + 1);
}

/** A filter in SQL text with its bound values (`?` placeholders), for rawPageQuery. */
export interface RawWhere {
  sql: string;
  params: unknown[];
}

/**
 * pageQuery for the hot reads: the same keyset SELECT as fixed SQL text per table and filter
 * (src/db/raw.ts), ready to go into a D1 batch with the credential lookup.
 */
export function rawPageQuery<
  T extends KeysetTable,
  K extends keyof T["$inferSelect"] & string = keyof T["$inferSelect"] & string,
>(
  table: T,
  where: RawWhere,
  query: PageParams,
  /** The columns the page answers (with `id` and `tmCreate`, the cursor's); all when left out. */
  pick?: readonly K[],
): RawQuery<Pick<T["$inferSelect"], K>[]> {
  const reader = recordReader(table, pick);
  const cursor = decodePageToken(query.page_token);
  const sqlText =
    `SELECT ${reader.columns} FROM "${getTableName(table)}" WHERE ${where.sql}` +
    (cursor ? ` AND ("tm_create", "id") < (?, ?)` : "") +
    ` ORDER BY "tm_create" DESC, "id" DESC LIMIT ?`;
  const params = cursor
    ? [...where.params, cursor.tmCreate, cursor.id, query.page_size + 1]
    : [...where.params, query.page_size + 1];
  return {
    statement: (d1) => d1.prepare(sqlText).bind(...params),
    // No join here: every record has its primary key, so read() never answers null.
    read: (records) => records.flatMap((r) => reader.read(r) ?? []),
  };
}

/** Cuts the rows of a pageQuery into the wire page. */
export function pageOf<Row, Out>(rows: unknown[], query: PageParams, serialize: (row: Row) => Out) {
  return toPage(rows as (Row & { id: string; tmCreate: number })[], query.page_size, serialize);
}

/** One page of a table's rows matching `where`, newest first. */
export async function listPage<T extends KeysetTable, Out>(
  db: Db,
  table: T,
  where: SQL | undefined,
  query: PageParams,
  serialize: (row: T["$inferSelect"]) => Out,
) {
  return pageOf(await pageQuery(db, table, where, query), query, serialize);
}
