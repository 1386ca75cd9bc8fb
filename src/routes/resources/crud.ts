import { createRoute, z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../../app-env";
import type { ResourceKind } from "../../db/owned";
import { errorResponses, notFound } from "../../lib/errors";
import { etagOf, ifMatch } from "../../lib/etag";
import { ignoredFieldsHeaderDoc } from "../../lib/ignored-fields";
import { withStoredAnswer } from "../../middleware/idempotency";
import { pageSchema, PageQuerySchema, type PageParams, type RawWhere } from "../../lib/pagination";
import { authenticated, defineRoute, jsonBody, jsonResponse, type RouteModule } from "../../lib/route";
import type { KindSpec } from "../../resources/kinds";
import { ownPage, ownRow } from "../../resources/own-data";
import { setterSchemaFor } from "../../resources/schemas";
import { type KindRules, kindContext, READ, type Row } from "../../resources/store";
import { createLimitResponses } from "../../plans/openapi";
import { kindListFilters } from "./list-filters";
import { operationIdOf } from "../../lib/operation-id";

// The HTTP routes of the kinds, built from the field table (src/resources/kinds.ts) and the
// engine (src/resources/store.ts). The customer-level paths and the logged-in agent's /v1.0/service_agents/*
// views are both built here, so one field table describes each kind everywhere.

export const IdParams = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) });
export const tagsOf = (spec: KindSpec) => [`${spec.title.replace(/([a-z])([A-Z])/g, "$1 $2")}s`];
/** A 200 answer that may name ignored body fields. */
export const writeResponse = <T>(schema: T, description: string) => ({
  ...jsonResponse(schema, description),
  headers: ignoredFieldsHeaderDoc,
});

/**
 * Narrows the rows a set of routes sees to the caller's own within its customer (the
 * service_agents ownership rules: an agent's own extensions and files).
 */
export interface RowScope {
  /** The restriction as SQL text on the kind's table, for the reads batched with the credential check. */
  where(c: Context<AppEnv>): Promise<RawWhere>;
  /** The same for a row already read (writes), on a column the API never lets anyone change. */
  owns(c: Context<AppEnv>, row: Row): Promise<boolean>;
}

/** How a kind's routes are published: their OpenAPI tags, a note on their summaries, and who may call. */
export interface RouteOptions {
  tags: string[];
  alias?: string;
  /** The permissions that may call (a write also needs an active customer). */
  mask: number;
  /** Route middleware that runs before the request is validated (service_agents: agents only). */
  middleware?: MiddlewareHandler<AppEnv>[];
  scope?: RowScope;
  /** An extra condition on the list, from its query (the agents and transcribes filters). */
  listFilter?: { query: z.ZodObject; where: (query: Record<string, unknown>) => RawWhere | undefined };
  /** A description for the list route (what its filters do). */
  listDescription?: string;
}

const scopeOf = async (c: Context<AppEnv>, opts: RouteOptions) => (opts.scope ? opts.scope.where(c) : undefined);
const bothWhere = (a: RawWhere | undefined, b: RawWhere | undefined): RawWhere | undefined =>
  a && b ? { sql: `(${a.sql}) AND (${b.sql})`, params: [...a.params, ...b.params] } : (a ?? b);

/** The list and get of one kind under `base`, scoped to the caller's customer (and `scope`). */
export function readRoutes(kind: ResourceKind, base: string, opts: RouteOptions): [RouteModule, RouteModule] {
  const k = kindContext(kind);
  const { spec, table } = k;
  const noun = spec.summaryNoun;
  const alias = opts.alias ?? "";
  const query = opts.listFilter ? PageQuerySchema.extend(opts.listFilter.query.shape) : PageQuerySchema;
  const list = defineRoute(
    createRoute({
      method: "get",
      path: base,
      operationId: operationIdOf("get", base),
      tags: opts.tags,
      summary: `List ${noun}s${alias}`,
      description: opts.listDescription,
      security: authenticated,
      middleware: opts.middleware ?? [],
      request: { query },
      responses: {
        200: jsonResponse(pageSchema(k.schemas.Resource, `${spec.title}List`), `A page of ${noun}s, newest first`),
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const params = c.req.valid("query") as PageParams & Record<string, unknown>;
      const where = bothWhere(opts.listFilter?.where(params), await scopeOf(c, opts));
      const page = await ownPage(c, table, params, opts.mask, (row) => row as Row, where);
      return c.json({ ...page, result: await Promise.all(page.result.map((row) => k.present(c, row))) }, 200);
    },
  );
  const get = defineRoute(
    createRoute({
      method: "get",
      path: `${base}/{id}`,
      operationId: operationIdOf("get", `${base}/{id}`),
      tags: opts.tags,
      summary: `Get a ${noun}${alias}`,
      security: authenticated,
      middleware: opts.middleware ?? [],
      request: { params: IdParams },
      responses: { 200: jsonResponse(k.schemas.Resource, `The ${noun}`), ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      const row = (await ownRow(c, table, c.req.valid("param").id, opts.mask, await scopeOf(c, opts))) as
        | Row
        | undefined;
      if (!row) throw notFound(noun);
      c.header("ETag", etagOf(row.version));
      return c.json(await k.present(c, row), 200);
    },
  );
  return [list, get];
}

/** The create, update and delete of one kind under `base`, scoped to the caller's customer (and `scope`). */
export function writeRoutes(
  kind: ResourceKind,
  base: string,
  opts: RouteOptions,
  rules: KindRules = {},
  defaults: Record<string, unknown> = {},
) {
  const k = kindContext(kind, rules);
  const { spec } = k;
  const { Resource, Create, Update } = k.schemas;
  const noun = spec.summaryNoun;
  const alias = opts.alias ?? "";
  const middleware = opts.middleware ?? [];

  const create = defineRoute(
    createRoute({
      method: "post",
      path: base,
      operationId: operationIdOf("post", base),
      tags: opts.tags,
      summary: `Create a ${noun}${alias}`,
      description:
        "Fields this kind does not have, or that are read-only, are ignored and named in X-Ignored-Fields. `null` (and the platform's zero values) stand for the default. A tag or flow id that names no resource of the customer: 404.",
      security: authenticated,
      middleware,
      // The kind's own path also documents the other media types it takes (routed elsewhere).
      request: {
        body:
          base === `/v1.0/${kind}` && spec.createAlso
            ? { ...jsonBody(Create), content: { ...jsonBody(Create).content, ...spec.createAlso } }
            : jsonBody(Create),
      },
      responses: {
        200: writeResponse(Resource, `The created ${noun}`),
        ...errorResponses(400, 401, 403, 404, 409),
        ...createLimitResponses(kind),
      },
    }),
    async (c) => {
      const ctx = k.writer(c, opts.mask);
      // The body is the kind's field-table record: the rules and toColumns read it by API name.
      const input: Record<string, unknown> = c.req.valid("json");
      await rules.beforeCreate?.(ctx, input);
      const now = Date.now();
      const id = crypto.randomUUID();
      const row = {
        ...defaults,
        ...(await k.columnsOf(ctx, id, input, now)),
        id,
        customerId: ctx.customer.id,
        tmCreate: now,
        tmUpdate: now,
        version: 1,
      };
      // The stored Idempotency-Key answer commits in the insert's own batch (a crash cannot split them).
      const inserted = await k.insert(ctx, row, async (created, statements) =>
        withStoredAnswer(c, statements, await k.present(c, created)),
      );
      c.header("ETag", etagOf(inserted.version));
      return c.json(await k.present(c, inserted), 200);
    },
    { idempotent: true },
  );

  const update = defineRoute(
    createRoute({
      method: "put",
      path: `${base}/{id}`,
      operationId: operationIdOf("put", `${base}/{id}`),
      tags: opts.tags,
      summary: `Update a ${noun}${alias}`,
      description:
        "Partial update: fields left out keep their values; unknown, read-only and creation-only fields are ignored and named in X-Ignored-Fields. Send If-Match with the ETag to refuse a stale write (412).",
      security: authenticated,
      middleware,
      request: { params: IdParams, body: jsonBody(Update) },
      responses: {
        200: writeResponse(Resource, `The updated ${noun}`),
        ...errorResponses(400, 401, 403, 404, 409, 412),
      },
    }),
    async (c) => {
      const ctx = k.writer(c, opts.mask);
      const id = c.req.valid("param").id;
      const input: Record<string, unknown> = c.req.valid("json");
      const change = await k.columnsOf(ctx, id, input, Date.now());
      const updated = await k.update(ctx, id, change, { input, expected: ifMatch(c) });
      c.header("ETag", etagOf(updated.version));
      return c.json(await k.present(c, updated), 200);
    },
  );

  const remove = defineRoute(
    createRoute({
      method: "delete",
      path: `${base}/{id}`,
      operationId: operationIdOf("delete", `${base}/{id}`),
      tags: opts.tags,
      summary: `Delete a ${noun}${alias}`,
      security: authenticated,
      middleware,
      request: { params: IdParams },
      responses: { 200: jsonResponse(Resource, `The deleted ${noun}`), ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      const { scope } = opts;
      const owns = scope ? (row: Row) => scope.owns(c, row) : undefined;
      const { row, now } = await k.remove(k.writer(c, opts.mask), c.req.valid("param").id, owns);
      return c.json(await k.present(c, row, now), 200);
    },
    { writesEvents: rules.deleteWritesEvents === true },
  );
  return { create, update, remove };
}

/** The five CRUD routes of one kind, all scoped to the caller's customer, under its name and each alias. */
export function crudRoutes(
  kind: ResourceKind,
  rules: KindRules = {},
  defaults: Record<string, unknown> = {},
): RouteModule[] {
  const { spec, writeMask } = kindContext(kind, rules);
  const tags = tagsOf(spec);
  const names = [
    { name: kind as string, except: [] as string[] },
    ...(spec.aliases ?? []).map((a) => ({ name: a.name, except: a.except ?? [] })),
  ];
  return names.flatMap(({ name, except }) => {
    const base = `/v1.0/${name}`;
    const alias = name === kind ? "" : ` (alias of /v1.0/${kind})`;
    const { create, update, remove } = writeRoutes(kind, base, { tags, alias, mask: writeMask }, rules, defaults);
    const [list, get] = readRoutes(kind, base, { tags, alias, mask: READ, ...kindListFilters[kind] });
    const all: RouteModule[] = [list, create, get, update, remove];
    return all.filter((r) => !except.includes(r.route.method));
  });
}

/** The contract's `PUT /v1.0/{kind}/{id}/{setter}` routes of one kind, from its field table. */
export function setterRoutes(kind: ResourceKind, rules: KindRules = {}): RouteModule[] {
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
      operationId: operationIdOf("put", `/v1.0/${kind}/{id}/${setter.name}`),
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
      const id = c.req.valid("param").id;
      const input: Record<string, unknown> = c.req.valid("json");
      const change = await k.columnsOf(ctx, id, input, Date.now());
      const updated = await k.update(ctx, id, change, { input, expected: ifMatch(c) });
      c.header("ETag", etagOf(updated.version));
      return c.json(await k.present(c, updated), 200);
    });
  });
}
