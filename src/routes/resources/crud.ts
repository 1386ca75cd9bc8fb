import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import { requireOwnCustomer } from "../../auth/principal";
import { ownPage, ownRow } from "../own-data";
import { changesOf, d1Batch, type BatchStatement } from "../../db/batch";
import type { Db } from "../../db/client";
import type { Env } from "../../env";
import type { ResourceKind } from "../../db/owned";
import { Permission, type CustomerRow, type tags } from "../../db/schema";
import { uniqueViolation } from "../../lib/db-errors";
import { alreadyExists, ApiError, errorResponses, notFound } from "../../lib/errors";
import { etagOf, ifMatch, ifMatchHolds, type IfMatch } from "../../lib/etag";
import { ignoredFieldsHeaderDoc } from "../../lib/ignored-fields";
import { pageSchema, PageQuerySchema } from "../../lib/pagination";
import { authenticated, defineRoute, jsonBody, jsonResponse, type RouteModule } from "../../lib/route";
import { isUuid } from "../../lib/validation";
import { requireActive } from "../../lifecycle/guards";
import { kindSpecs, tableOf, type KindSpec, type Row } from "../../resources/kinds";
import { schemasFor, serializerFor, setterSchemaFor, toColumns } from "./schemas";
import { insertIf } from "../../db/insert-where";
import { createGuardFor } from "../../plans/create-guard";
import { createLimitResponses } from "../../plans/openapi";

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
const WRITE = Permission.CustomerAdmin | Permission.CustomerManager;

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
  const writer = (c: Context<AppEnv>): RuleContext => {
    const customer = requireOwnCustomer(c.get("principal"), writeMask);
    requireActive(customer);
    return { db: c.get("db"), env: c.env, customer, principalId: c.get("principal").id };
  };

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

  return { spec, table, writer, update, serialize: serializerFor(spec), schemas: schemasFor(spec) };
}

export const IdParams = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) });
export const tagsOf = (spec: KindSpec) => [spec.title.replace(/([a-z])([A-Z])/g, "$1 $2") + "s"];
/** A 200 answer that may name ignored body fields. */
export const writeResponse = <T>(schema: T, description: string) => ({
  ...jsonResponse(schema, description),
  headers: ignoredFieldsHeaderDoc,
});

/** The five CRUD routes of one kind, all scoped to the caller's customer, under its name and each alias. */
export function crudRoutes(
  kind: ResourceKind,
  rules: KindRules = {},
  defaults: Record<string, unknown> = {},
): RouteModule<any>[] {
  const k = kindContext(kind, rules);
  const { spec, table, serialize } = k;
  const { Resource, Create, Update } = k.schemas;
  const tags = tagsOf(spec);
  const noun = spec.summaryNoun;
  const names = [
    { name: kind as string, except: [] as string[] },
    ...(spec.aliases ?? []).map((a) => ({ name: a.name, except: a.except ?? [] })),
  ];

  return names.flatMap(({ name, except }) => {
    const base = `/v1.0/${name}`;
    const alias = name === kind ? "" : ` (alias of /v1.0/${kind})`;

    const list = defineRoute(
      createRoute({
        method: "get",
        path: base,
        tags,
        summary: `List ${noun}s${alias}`,
        security: authenticated,
        request: { query: PageQuerySchema },
        responses: {
          200: jsonResponse(pageSchema(Resource, `${spec.title}List`), `A page of ${noun}s, newest first`),
          ...errorResponses(400, 401, 403),
        },
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
        summary: `Create a ${noun}${alias}`,
        description:
          "Fields this kind does not have, or that are read-only, are ignored and named in X-Ignored-Fields. `null` (and the platform's zero values) stand for the default.",
        security: authenticated,
        request: { body: jsonBody(Create) },
        responses: {
          200: writeResponse(Resource, `The created ${noun}`),
          ...errorResponses(400, 401, 403, 409),
          ...createLimitResponses(kind),
        },
      }),
      async (c) => {
        const ctx = k.writer(c);
        const input = c.req.valid("json") as Record<string, any>;
        await rules.beforeCreate?.(ctx, input);
        const now = Date.now();
        const row = {
          ...defaults,
          ...(await toColumns(spec, input, now)),
          id: crypto.randomUUID(),
          customerId: ctx.customer.id,
          tmCreate: now,
          tmUpdate: now,
          version: 1,
        };
        // Plan limits and the storage quota are conditions of the INSERT itself (race-free).
        const guard = createGuardFor(kind, ctx.db, ctx.env, ctx.customer.id, row);
        let inserted: Row | null | undefined;
        try {
          if (guard) inserted = (await insertIf(ctx.db, table, row, guard)) as Row | null;
          else
            [inserted] = (await ctx.db
              .insert(table)
              .values(row as never)
              .returning()) as Row[];
        } catch (err) {
          throw conflictFor(spec, err) ?? err;
        }
        if (!inserted) throw guard ? await guard.refusal() : new Error(`no ${noun} row came back`);
        c.header("ETag", etagOf(inserted.version));
        return c.json(serialize(inserted), 200);
      },
    );

    const get = defineRoute(
      createRoute({
        method: "get",
        path: `${base}/{id}`,
        tags,
        summary: `Get a ${noun}${alias}`,
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
        summary: `Update a ${noun}${alias}`,
        description:
          "Partial update: fields left out keep their values; unknown, read-only and creation-only fields are ignored and named in X-Ignored-Fields. Send If-Match with the ETag to refuse a stale write (412).",
        security: authenticated,
        request: { params: IdParams, body: jsonBody(Update) },
        responses: {
          200: writeResponse(Resource, `The updated ${noun}`),
          ...errorResponses(400, 401, 403, 404, 409, 412),
        },
      }),
      async (c) => {
        const ctx = k.writer(c);
        const input = c.req.valid("json") as Record<string, any>;
        const updated = await k.update(
          c,
          ctx,
          c.req.valid("param").id,
          input,
          await toColumns(spec, input, Date.now()),
        );
        c.header("ETag", etagOf(updated.version));
        return c.json(serialize(updated), 200);
      },
    );

    const remove = defineRoute(
      createRoute({
        method: "delete",
        path: `${base}/{id}`,
        tags,
        summary: `Delete a ${noun}${alias}`,
        security: authenticated,
        request: { params: IdParams },
        responses: { 200: jsonResponse(Resource, `The deleted ${noun}`), ...errorResponses(401, 403, 404) },
      }),
      async (c) => {
        const ctx = k.writer(c);
        const row = await findOwn(ctx.db, table, ctx.customer.id, c.req.valid("param").id);
        if (!row) throw notFound(noun);
        const guard = (await rules.beforeDelete?.(ctx, row)) ?? undefined;
        const now = Date.now();
        const results = await d1Batch(ctx.db.$client, [
          ctx.db
            .delete(table)
            .where(and(eq(table.id, row.id), eq(table.customerId, ctx.customer.id), guard?.condition)),
          ...(rules.alsoOnDelete?.(ctx, row, now) ?? []),
        ]);
        if (changesOf(results, 0) === 0) {
          if (guard && (await findOwn(ctx.db, table, ctx.customer.id, row.id))) throw guard.error();
          throw notFound(noun);
        }
        await rules.afterDelete?.(c.env, row);
        return c.json(serialize(row, now), 200);
      },
    );

    const all: RouteModule<any>[] = [list, create, get, update, remove];
    return all.filter((r) => !except.includes(r.route.method));
  });
}

/** The contract's `PUT /v1.0/{kind}/{id}/{setter}` routes of one kind, from its field table. */
export function setterRoutes(kind: ResourceKind, rules: KindRules = {}): RouteModule<any>[] {
  const k = kindContext(kind, rules);
  const { spec } = k;
  return (spec.setters ?? []).map((setter) => {
    const Body = setterSchemaFor(
      spec,
      setter,
      `${spec.title}${setter.name.replace(/(^|_)(\w)/g, (_m, _u, ch: string) => ch.toUpperCase())}Update`,
    );
    const route = createRoute({
      method: "put",
      path: `/v1.0/${kind}/{id}/${setter.name}`,
      tags: tagsOf(spec),
      summary: setter.summary,
      description: `Sets ${setter.fields.join(" and ")}; \`null\` (and the platform's zero values) stand for the default. Send If-Match with the ETag to refuse a stale write (412).`,
      security: authenticated,
      request: { params: IdParams, body: jsonBody(Body) },
      responses: {
        200: writeResponse(k.schemas.Resource, `The updated ${spec.summaryNoun}`),
        ...errorResponses(400, 401, 403, 404, 409, 412),
      },
    });
    return defineRoute(route, async (c) => {
      const ctx = k.writer(c);
      const input = c.req.valid("json") as Record<string, any>;
      const updated = await k.update(c, ctx, c.req.valid("param").id, input, await toColumns(spec, input, Date.now()));
      c.header("ETag", etagOf(updated.version));
      return c.json(k.serialize(updated), 200);
    });
  });
}
