import { and, eq, getTableColumns, inArray, is, SQL, sql } from "drizzle-orm";
import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { principalOf, requireOwnCustomer } from "../auth/principal";
import { type BatchStatement, changesOf, d1Batch } from "../db/batch";
import type { Db } from "../db/client";
import type { ResourceKind } from "../db/owned";
import { type CustomerRow, Permission, type tags } from "../db/schema";
import type { Env } from "../env";
import { uniqueViolation } from "../lib/db-errors";
import { alreadyExists, ApiError, concurrentUpdate, notFound } from "../lib/errors";
import { type IfMatch, ifMatchHolds } from "../lib/etag";
import { isUuid } from "../lib/validation";
import { requireActive } from "../lifecycle/guards";
import { type KindSpec, kindSpecs, type Row, tableOf } from "./kinds";
import { schemasFor, serializerFor, toColumns } from "./schemas";
import { hasSealedFields, sealFor, withSealed } from "./sealed-fields";

// Every owned table has the columns of `tags` (the kind with no columns of its own); the
// generic code below only touches those, and passes the rest through as plain records.
export type OwnedTable = typeof tags;
export type { Row };

export interface RuleContext {
  db: Db;
  env: Env;
  customer: CustomerRow;
  principalId: string;
}

/** The rules that make a kind more than a table: checks, defaults and race-safe guards. */
export interface KindRules {
  beforeCreate?(ctx: RuleContext, input: Record<string, any>): Promise<void> | void;
  /** Checks before a change; may return an SQL condition the UPDATE must also meet, and its error. */
  beforeUpdate?(ctx: RuleContext, row: Row, input: Record<string, any>): Promise<Guard | undefined> | Guard | undefined;
  beforeDelete?(ctx: RuleContext, row: Row): Promise<Guard | undefined> | Guard | undefined;
  /** Statements for the same batch as the DELETE, each acting only if the one before it did (`changes() = 1`). */
  alsoOnDelete?(ctx: RuleContext, row: Row, now: number): BatchStatement[];
  /** The statements of `alsoOnDelete` record customer events (the DELETE route declares `writesEvents`). */
  deleteWritesEvents?: boolean;
  /** Cleanup outside D1 once the row is gone (a failure here is left to the cron). */
  afterDelete?(env: Env, row: Row): Promise<void>;
}

/** A condition checked inside the writing statement itself, so a concurrent writer cannot slip past it. */
export interface Guard {
  condition: SQL;
  error: () => ApiError;
}

/** A change to a row: column values, or a function of the row as read and the time of the write. */
export type Change = Record<string, unknown> | ((row: Row, now: number) => Record<string, unknown>);

export const READ = Permission.CustomerAgent | Permission.CustomerAdmin | Permission.CustomerManager;
export const WRITE = Permission.CustomerAdmin | Permission.CustomerManager;
/** Compare-and-set attempts before other writers are taken to keep winning (409 ABORTED). */
const MAX_ATTEMPTS = 5;

export function conflictFor(spec: KindSpec, err: unknown): ApiError | null {
  const column = uniqueViolation(err);
  if (!column) return null;
  const field = spec.unique?.[column] ?? column;
  return alreadyExists(`${field.toUpperCase()}_ALREADY_EXISTS`, `The ${field} is already in use.`, [
    { field, description: "already in use" },
  ]);
}

export async function findOwn(db: Db, table: OwnedTable, customerId: string, id: string): Promise<Row | null> {
  if (!isUuid(id)) return null;
  const [row] = await db
    .select()
    .from(table)
    .where(and(eq(table.id, id.toLowerCase()), eq(table.customerId, customerId)))
    .limit(1);
  return (row as Row | undefined) ?? null;
}

/** The versions an If-Match list names (tags this API issues are "<version>"); undefined: any version. */
function matchingVersions(condition: IfMatch | undefined): number[] | undefined {
  if (condition === undefined || condition === "*") return undefined;
  return condition.flatMap((tag) => (/^"\d{1,15}"$/.test(tag) ? [Number(tag.slice(1, -1))] : []));
}

const etagMismatch = (noun: string) =>
  new ApiError("FAILED_PRECONDITION", "ETAG_MISMATCH", `The ${noun} changed since it was read (If-Match).`, [], 412);

/** `values` with every other column of the table at its default (null where the default is SQL or none). */
function completeRow(table: OwnedTable, values: Record<string, unknown>): Row {
  const row: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    if (values[key] !== undefined) row[key] = values[key];
    else if (column.defaultFn) row[key] = column.defaultFn();
    else if (column.default !== undefined && !is(column.default, SQL)) row[key] = structuredClone(column.default);
    else row[key] = null;
  }
  return row as Row;
}

/** The writes of one kind, each scoped to the customer of the rule context and safe under concurrency. */
export function kindStore(kind: ResourceKind, rules: KindRules = {}) {
  const spec = kindSpecs[kind];
  const table = tableOf(kind) as unknown as OwnedTable;
  const noun = spec.summaryNoun;
  const own = (ctx: RuleContext, id: string, extra?: SQL) =>
    and(eq(table.id, id.toLowerCase()), eq(table.customerId, ctx.customer.id), extra);

  const write = async (
    ctx: RuleContext,
    change: Record<string, unknown>,
    where: SQL | undefined,
    now: number,
  ): Promise<Row | undefined> => {
    try {
      const [row] = (await ctx.db
        .update(table)
        // Bumped in the statement itself: concurrent writers never see a stale version.
        .set({
          ...change,
          tmUpdate: sql`max(${now}, ${table.tmUpdate})`,
          version: sql`${table.version} + 1`,
        } as never)
        .where(where)
        .returning()) as Row[];
      return row;
    } catch (err) {
      throw conflictFor(spec, err) ?? err;
    }
  };

  /**
   * Inserts a row with every column given (the row answered is the row stored, known before the
   * write), in one batch with whatever `withAnswer` adds around it (the idempotent answer).
   */
  async function insert(
    ctx: RuleContext,
    values: Record<string, unknown>,
    withAnswer: (row: Row, statements: BatchStatement[]) => Promise<BatchStatement[]> = async (_row, s) => s,
  ): Promise<Row> {
    const row = completeRow(table, values);
    try {
      await d1Batch(ctx.db.$client, await withAnswer(row, [ctx.db.insert(table).values(row as never)]));
      return row;
    } catch (err) {
      throw conflictFor(spec, err) ?? err;
    }
  }

  /**
   * Applies a change to one of the customer's rows: the one compare-and-set of the engine. A fixed
   * change with no update rules is written in a single conditional statement (If-Match rides in
   * its WHERE), so concurrent updates of one row simply apply in turn. Otherwise the row is read,
   * the rules and the change see it, and the write holds only if its version is still the one
   * read; a lost race retries on the fresh row, and 409 ABORTED if other writers keep winning.
   */
  async function update(
    ctx: RuleContext,
    id: string,
    change: Change,
    options: { input?: Record<string, any>; expected?: IfMatch } = {},
  ): Promise<Row> {
    const { input = {}, expected } = options;
    if (!rules.beforeUpdate && typeof change !== "function") {
      const versions = matchingVersions(expected);
      const updated =
        isUuid(id) && versions?.length !== 0
          ? await write(
              ctx,
              change,
              own(ctx, id, versions === undefined ? undefined : inArray(table.version, versions)),
              Date.now(),
            )
          : undefined;
      if (updated) return updated;
      if (!(await findOwn(ctx.db, table, ctx.customer.id, id))) throw notFound(noun);
      throw etagMismatch(noun);
    }
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const row = await findOwn(ctx.db, table, ctx.customer.id, id);
      if (!row) throw notFound(noun);
      if (expected !== undefined && !ifMatchHolds(expected, row.version)) throw etagMismatch(noun);
      const guard = (await rules.beforeUpdate?.(ctx, row, input)) ?? undefined;
      const now = Math.max(Date.now(), row.tmUpdate);
      const values = typeof change === "function" ? change(row, now) : change;
      const updated = await write(
        ctx,
        values,
        own(ctx, id, and(eq(table.version, row.version), guard?.condition)),
        now,
      );
      if (updated) return updated;
      // Nothing written: either a concurrent change (retry on the fresh row) or the guard said no.
      const fresh = await findOwn(ctx.db, table, ctx.customer.id, id);
      if (guard && fresh && fresh.version === row.version) throw guard.error();
    }
    throw concurrentUpdate(noun);
  }

  /**
   * Deletes one of the customer's rows with the statements its rules add, and answers it with the
   * time. `owns`: a further test of the row (the agent's own files), on columns no route changes.
   */
  async function remove(
    ctx: RuleContext,
    id: string,
    owns?: (row: Row) => boolean | Promise<boolean>,
  ): Promise<{ row: Row; now: number }> {
    const row = await findOwn(ctx.db, table, ctx.customer.id, id);
    if (!row || (owns && !(await owns(row)))) throw notFound(noun);
    const guard = (await rules.beforeDelete?.(ctx, row)) ?? undefined;
    const now = Date.now();
    const results = await d1Batch(ctx.db.$client, [
      ctx.db.delete(table).where(own(ctx, row.id, guard?.condition)),
      ...(rules.alsoOnDelete?.(ctx, row, now) ?? []),
    ]);
    if (changesOf(results, 0) === 0) {
      if (guard && (await findOwn(ctx.db, table, ctx.customer.id, row.id))) throw guard.error();
      throw notFound(noun);
    }
    await rules.afterDelete?.(ctx.env, row);
    return { row, now };
  }

  return { spec, table, insert, update, remove };
}

/** Everything a route of one kind needs: its spec, table, store, schemas and the caller as writer. */
export function kindContext(kind: ResourceKind, rules: KindRules = {}) {
  const store = kindStore(kind, rules);
  const { spec } = store;
  const writeMask = kind === "agents" ? Permission.CustomerAdmin : WRITE;
  /** The caller as a writer of the kind; `mask`: who may write where a route says otherwise (service_agents). */
  const writer = (c: Context<AppEnv>, mask = writeMask): RuleContext => {
    const customer = requireOwnCustomer(c.get("principal"), mask);
    requireActive(customer);
    return { db: c.get("db"), env: c.env, customer, principalId: c.get("principal").id };
  };
  const serialize = serializerFor(spec);
  const sealed = hasSealedFields(spec);

  /** A row as this caller may see it: sealed fields (SIP passwords) opened for admins and the operator only. */
  const present = async (c: Context<AppEnv>, row: Row, deletedAt?: number) => {
    const item = serialize(row, deletedAt);
    if (!sealed) return item;
    return withSealed(c.env, spec, c.get("principal") ?? (await principalOf(c)), row, item);
  };

  /** Validated input → the columns of row `id` (sealed fields sealed for that row). */
  const columnsOf = (ctx: RuleContext, id: string, input: Record<string, unknown>, now: number) =>
    toColumns(spec, input, now, sealed ? sealFor(ctx.env, spec, ctx.customer.id, id.toLowerCase()) : undefined);

  return { ...store, rules, writeMask, writer, serialize, present, columnsOf, schemas: schemasFor(spec) };
}
