import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, type SQL } from "drizzle-orm";
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import { hashPassword } from "../../auth/password";
import { requireOwnCustomer } from "../../auth/principal";
import { ownPage, ownRow } from "../own-data";
import { changesOf, d1Batch, type BatchStatement } from "../../db/batch";
import type { Db } from "../../db/client";
import type { Env } from "../../env";
import type { ResourceKind } from "../../db/owned";
import { Permission, type CustomerRow, type tags } from "../../db/schema";
import { uniqueViolation } from "../../lib/db-errors";
import { alreadyExists, ApiError, errorResponses, notFound } from "../../lib/errors";
import { etagOf, ifMatch, ifMatchHolds } from "../../lib/etag";
import { pageSchema, PageQuerySchema } from "../../lib/pagination";
import { authenticated, defineRoute, jsonBody, jsonResponse, type RouteModule } from "../../lib/route";
import { iso } from "../../lib/time";
import { detailField, isUuid, nameField } from "../../lib/validation";
import { requireActive } from "../../lifecycle/guards";
import { kindSpecs, tableOf, type KindSpec } from "../../resources/kinds";

// Every owned table has the columns of `tags` (the kind with no columns of its own); the
// generic code below only touches those, and passes the rest through as plain records.
type OwnedTable = typeof tags;
type Row = Record<string, any> & { id: string; customerId: string; version: number; tmCreate: number; tmUpdate: number };

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

const READ = Permission.CustomerAgent | Permission.CustomerAdmin | Permission.CustomerManager;
const WRITE = Permission.CustomerAdmin | Permission.CustomerManager;

export function schemasFor(spec: KindSpec) {
  const visible = spec.fields.filter((f) => !f.secret);
  const Resource = z
    .object({
      id: z.uuid(),
      customer_id: z.uuid(),
      name: z.string(),
      detail: z.string(),
      ...Object.fromEntries(visible.map((f) => [f.api, f.schema])),
      tm_create: z.string(),
      tm_update: z.string(),
    })
    .openapi(spec.title);
  const writable = spec.fields.filter((f) => !f.readOnly);
  const Create = z
    .strictObject({
      name: nameField.optional(),
      detail: detailField.optional(),
      ...Object.fromEntries(writable.map((f) => [f.api, f.required ? f.schema : f.schema.optional()])),
    })
    .openapi(`${spec.title}Create`, { example: spec.example });
  const Update = z
    .strictObject({
      name: nameField.optional(),
      detail: detailField.optional(),
      ...Object.fromEntries(writable.filter((f) => !f.immutable).map((f) => [f.api, f.schema.optional()])),
    })
    .openapi(`${spec.title}Update`);
  return { Resource, Create, Update };
}

export function serializerFor(spec: KindSpec) {
  const visible = spec.fields.filter((f) => !f.secret);
  return (row: Row) => ({
    id: row.id,
    customer_id: row.customerId,
    name: row.name,
    detail: row.detail,
    ...Object.fromEntries(visible.map((f) => [f.api, row[f.column]])),
    tm_create: iso(row.tmCreate),
    tm_update: iso(row.tmUpdate),
  });
}

/** API input → column values; secrets are hashed on the way in. */
async function toColumns(spec: KindSpec, input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  if (input.name !== undefined) out.name = input.name;
  if (input.detail !== undefined) out.detail = input.detail;
  for (const f of spec.fields) {
    const value = input[f.api];
    if (value === undefined || f.readOnly) continue;
    out[f.column] = f.secret ? await hashPassword(value as string) : value;
  }
  return out;
}

function conflictFor(spec: KindSpec, err: unknown): ApiError | null {
  const column = uniqueViolation(err);
  if (!column) return null;
  const field = spec.unique?.[column] ?? column;
  return alreadyExists(`${field.toUpperCase()}_ALREADY_EXISTS`, `The ${field} is already in use.`, [{ field, description: "already in use" }]);
}

async function findOwn(db: Db, table: OwnedTable, customerId: string, id: string): Promise<Row | null> {
  if (!isUuid(id)) return null;
  const [row] = await db.select().from(table).where(and(eq(table.id, id.toLowerCase()), eq(table.customerId, customerId))).limit(1);
  return (row as Row | undefined) ?? null;
}

const MAX_ATTEMPTS = 5;

/** The five CRUD routes of one kind, all scoped to the caller's customer. */
export function crudRoutes(kind: ResourceKind, rules: KindRules = {}, defaults: Record<string, unknown> = {}): RouteModule<any>[] {
  const spec = kindSpecs[kind];
  const table = tableOf(kind) as unknown as OwnedTable;
  const { Resource, Create, Update } = schemasFor(spec);
  const serialize = serializerFor(spec);
  const tags = [spec.title.replace(/([a-z])([A-Z])/g, "$1 $2") + "s"];
  const writeMask = kind === "agents" ? Permission.CustomerAdmin : WRITE;
  const base = `/v1.0/${kind}`;
  const IdParams = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) });
  const noun = spec.summaryNoun;

  const writer = (c: Context<AppEnv>): RuleContext => {
    const customer = requireOwnCustomer(c.get("principal"), writeMask);
    requireActive(customer);
    return { db: c.get("db"), env: c.env, customer, principalId: c.get("principal").id };
  };

  const list = defineRoute(
    createRoute({
      method: "get",
      path: base,
      tags,
      summary: `List ${noun}s`,
      security: authenticated,
      request: { query: PageQuerySchema },
      responses: { 200: jsonResponse(pageSchema(Resource, `${spec.title}List`), `A page of ${noun}s, newest first`), ...errorResponses(400, 401, 403) },
    }),
    async (c) => {
      const page = await ownPage(c, table, c.req.valid("query"), READ, (row) => serialize(row as Row));
      return c.json(page, 200);
    },
  );

  const create = defineRoute(
    createRoute({
      method: "post",
      path: base,
      tags,
      summary: `Create a ${noun}`,
      security: authenticated,
      request: { body: jsonBody(Create) },
      responses: { 200: jsonResponse(Resource, `The created ${noun}`), ...errorResponses(400, 401, 403, 409) },
    }),
    async (c) => {
      const ctx = writer(c);
      const input = c.req.valid("json") as Record<string, any>;
      await rules.beforeCreate?.(ctx, input);
      const now = Date.now();
      const row = {
        ...defaults,
        ...(await toColumns(spec, input)),
        id: crypto.randomUUID(),
        customerId: ctx.customer.id,
        tmCreate: now,
        tmUpdate: now,
        version: 1,
      };
      let inserted: Row;
      try {
        [inserted] = (await ctx.db.insert(table).values(row as never).returning()) as Row[];
      } catch (err) {
        throw conflictFor(spec, err) ?? err;
      }
      c.header("ETag", etagOf(inserted!.version));
      return c.json(serialize(inserted!), 200);
    },
  );

  const get = defineRoute(
    createRoute({
      method: "get",
      path: `${base}/{id}`,
      tags,
      summary: `Get a ${noun}`,
      security: authenticated,
      request: { params: IdParams },
      responses: { 200: jsonResponse(Resource, `The ${noun}`), ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      const row = (await ownRow(c, table, c.req.valid("param").id, READ)) as Row | undefined;
      if (!row) throw notFound(noun);
      c.header("ETag", etagOf(row.version));
      return c.json(serialize(row), 200);
    },
  );

  const update = defineRoute(
    createRoute({
      method: "put",
      path: `${base}/{id}`,
      tags,
      summary: `Update a ${noun}`,
      description: "Partial update: fields left out keep their values. Send If-Match with the ETag to refuse a stale write (412).",
      security: authenticated,
      request: { params: IdParams, body: jsonBody(Update) },
      responses: { 200: jsonResponse(Resource, `The updated ${noun}`), ...errorResponses(400, 401, 403, 404, 409, 412) },
    }),
    async (c) => {
      const ctx = writer(c);
      const id = c.req.valid("param").id;
      const input = c.req.valid("json") as Record<string, any>;
      const expected = ifMatch(c);
      const change = await toColumns(spec, input);
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const row = await findOwn(ctx.db, table, ctx.customer.id, id);
        if (!row) throw notFound(noun);
        if (expected !== undefined && !ifMatchHolds(expected, row.version)) {
          throw new ApiError("FAILED_PRECONDITION", "ETAG_MISMATCH", `The ${noun} changed since it was read (If-Match).`, [], 412);
        }
        const guard = (await rules.beforeUpdate?.(ctx, row, input)) ?? undefined;
        const now = Math.max(Date.now(), row.tmUpdate);
        let updated: Row[];
        try {
          updated = (await ctx.db
            .update(table)
            .set({ ...change, tmUpdate: now, version: row.version + 1 } as never)
            .where(and(eq(table.id, row.id), eq(table.customerId, ctx.customer.id), eq(table.version, row.version), guard?.condition))
            .returning()) as Row[];
        } catch (err) {
          throw conflictFor(spec, err) ?? err;
        }
        if (updated[0]) {
          c.header("ETag", etagOf(updated[0].version));
          return c.json(serialize(updated[0]), 200);
        }
        // Nothing written: either a concurrent change (retry on the fresh row) or the guard said no.
        const fresh = await findOwn(ctx.db, table, ctx.customer.id, id);
        if (guard && fresh && fresh.version === row.version) throw guard.error();
      }
      throw new ApiError("INTERNAL", "CONTENTION", `The ${noun} is being changed by many writers; try again.`, [], 500);
    },
  );

  const remove = defineRoute(
    createRoute({
      method: "delete",
      path: `${base}/{id}`,
      tags,
      summary: `Delete a ${noun}`,
      security: authenticated,
      request: { params: IdParams },
      responses: { 200: jsonResponse(Resource, `The deleted ${noun}`), ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      const ctx = writer(c);
      const row = await findOwn(ctx.db, table, ctx.customer.id, c.req.valid("param").id);
      if (!row) throw notFound(noun);
      const guard = (await rules.beforeDelete?.(ctx, row)) ?? undefined;
      const results = await d1Batch(ctx.db.$client, [
        ctx.db.delete(table).where(and(eq(table.id, row.id), eq(table.customerId, ctx.customer.id), guard?.condition)),
        ...(rules.alsoOnDelete?.(ctx, row, Date.now()) ?? []),
      ]);
      if (changesOf(results, 0) === 0) {
        if (guard && (await findOwn(ctx.db, table, ctx.customer.id, row.id))) throw guard.error();
        throw notFound(noun);
      }
      await rules.afterDelete?.(c.env, row);
      return c.json(serialize(row), 200);
    },
  );

  return [list, create, get, update, remove];
}
