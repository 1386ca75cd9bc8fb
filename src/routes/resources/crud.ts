import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import { principalOf, requireOwnCustomer } from "../../auth/principal";
import type { BatchStatement } from "../../db/batch";
import type { Db } from "../../db/client";
import type { ResourceKind } from "../../db/owned";
import { Permission, type CustomerRow, type tags } from "../../db/schema";
import type { Env } from "../../env";
import { uniqueViolation } from "../../lib/db-errors";
import { alreadyExists, ApiError, notFound } from "../../lib/errors";
import { ifMatch, ifMatchHolds, type IfMatch } from "../../lib/etag";
import { isUuid } from "../../lib/validation";
import { requireActive } from "../../lifecycle/guards";
import { kindSpecs, tableOf, type KindSpec, type Row } from "../../resources/kinds";
import { hasSealedFields, sealFor, withSealed } from "../../resources/sealed-fields";
import { schemasFor, serializerFor, toColumns } from "./schemas";

// Every owned table has the columns of `tags` (the kind with no columns of its own); the
// generic code below only touches those, and passes the rest through as plain records.
export type OwnedTable = typeof tags;
export type { Row };
export { schemasFor, serializerFor };

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
  beforeUpdate?(ctx: RuleContext, row: Row, input: Record<string, any>): Promise<Guard | void> | Guard | void;
  beforeDelete?(ctx: RuleContext, row: Row): Promise<Guard | void> | Guard | void;
  /** Statements for the same batch as the DELETE, each acting only if the one before it did (`changes() = 1`). */
  alsoOnDelete?(ctx: RuleContext, row: Row, now: number): BatchStatement[];
  /** Cleanup outside D1 once the row is gone (a failure here is left to the cron). */
  afterDelete?(env: Env, row: Row): Promise<void>;
}

/** A condition checked inside the writing statement itself, so a concurrent writer cannot slip past it. */
export interface Guard {
  condition: SQL;
  error: () => ApiError;
}

export const READ = Permission.CustomerAgent | Permission.CustomerAdmin | Permission.CustomerManager;
export const WRITE = Permission.CustomerAdmin | Permission.CustomerManager;

function conflictFor(spec: KindSpec, err: unknown): ApiError | null {
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

const MAX_ATTEMPTS = 5;
/** The versions an If-Match list names (tags this API issues are "<version>"); undefined: any version. */
function matchingVersions(condition: IfMatch | undefined): number[] | undefined {
  if (condition === undefined || condition === "*") return undefined;
  return condition.flatMap((tag) => (/^"\d{1,15}"$/.test(tag) ? [Number(tag.slice(1, -1))] : []));
}

const etagMismatch = (noun: string) =>
  new ApiError("FAILED_PRECONDITION", "ETAG_MISMATCH", `The ${noun} changed since it was read (If-Match).`, [], 412);

/** Everything a route of one kind needs: its spec, table, rules and the caller as writer. */
export function kindContext(kind: ResourceKind, rules: KindRules = {}) {
  const spec = kindSpecs[kind];
  const table = tableOf(kind) as unknown as OwnedTable;
  const writeMask = kind === "agents" ? Permission.CustomerAdmin : WRITE;
  /** The caller as a writer of the kind; `mask`: who may write where the route says otherwise (service_agents). */
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

  const write = async (
    ctx: RuleContext,
    change: Record<string, unknown>,
    where: SQL | undefined,
  ): Promise<Row | undefined> => {
    try {
      const [row] = (await ctx.db
        .update(table)
        // Bumped in the statement itself: concurrent writers never see a stale version.
        .set({
          ...change,
          tmUpdate: sql`max(${Date.now()}, ${table.tmUpdate})`,
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
   * Applies a partial change to one of the caller's rows. Kinds without update rules write in a
   * single conditional statement (If-Match rides in its WHERE), so concurrent updates of one row
   * simply apply in turn. Kinds whose rules read the row first compare-and-set on its version,
   * and answer 409 ABORTED if other writers keep winning.
   */
  async function update(
    c: Context<AppEnv>,
    ctx: RuleContext,
    id: string,
    input: Record<string, any>,
    change: Record<string, unknown>,
  ): Promise<Row> {
    const expected = ifMatch(c);
    const own = (extra?: SQL) => and(eq(table.id, id.toLowerCase()), eq(table.customerId, ctx.customer.id), extra);
    if (!rules.beforeUpdate) {
      const versions = matchingVersions(expected);
      const updated =
        isUuid(id) && versions?.length !== 0
          ? await write(ctx, change, own(versions === undefined ? undefined : inArray(table.version, versions)))
          : undefined;
      if (updated) return updated;
      if (!(await findOwn(ctx.db, table, ctx.customer.id, id))) throw notFound(spec.summaryNoun);
      throw etagMismatch(spec.summaryNoun);
    }
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const row = await findOwn(ctx.db, table, ctx.customer.id, id);
      if (!row) throw notFound(spec.summaryNoun);
      if (expected !== undefined && !ifMatchHolds(expected, row.version)) throw etagMismatch(spec.summaryNoun);
      const guard = (await rules.beforeUpdate(ctx, row, input)) ?? undefined;
      const updated = await write(ctx, change, own(and(eq(table.version, row.version), guard?.condition)));
      if (updated) return updated;
      // Nothing written: either a concurrent change (retry on the fresh row) or the guard said no.
      const fresh = await findOwn(ctx.db, table, ctx.customer.id, id);
      if (guard && fresh && fresh.version === row.version) throw guard.error();
    }
    throw new ApiError(
      "ABORTED",
      "CONCURRENT_UPDATE",
      `The ${spec.summaryNoun} is being changed by other writers; read it again and retry.`,
      [],
      409,
    );
  }

  /** Inserts a new row; a UNIQUE index it breaks answers 409 with the field it guards. */
  async function insert(ctx: RuleContext, row: Record<string, unknown>): Promise<Row> {
    try {
      const [inserted] = (await ctx.db
        .insert(table)
        .values(row as never)
        .returning()) as Row[];
      if (!inserted) throw new Error(`INSERT INTO ${spec.kind} returned no row`);
      return inserted;
    } catch (err) {
      throw conflictFor(spec, err) ?? err;
    }
  }

  return {
    spec,
    table,
    writeMask,
    writer,
    insert,
    update,
    serialize,
    present,
    columnsOf,
    schemas: schemasFor(spec),
  };
}
