import { createRoute, z } from "@hono/zod-openapi";
import type { ResourceKind } from "../../db/owned";
import { errorResponses, notFound } from "../../lib/errors";
import { etagOf, ifMatch } from "../../lib/etag";
import { ignoredFieldsHeaderDoc } from "../../lib/ignored-fields";
import { PageQuerySchema, pageSchema } from "../../lib/pagination";
import { authenticated, defineRoute, jsonBody, jsonResponse, type RouteModule } from "../../lib/route";
import type { KindSpec } from "../../resources/kinds";
import { ownPage, ownRow } from "../../resources/own-data";
import { setterSchemaFor, toColumns } from "../../resources/schemas";
import { type KindRules, kindContext, READ, type Row } from "../../resources/store";

export const IdParams = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) });
export const tagsOf = (spec: KindSpec) => [`${spec.title.replace(/([a-z])([A-Z])/g, "$1 $2")}s`];
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
        responses: { 200: writeResponse(Resource, `The created ${noun}`), ...errorResponses(400, 401, 403, 409) },
      }),
      async (c) => {
        const ctx = k.writer(c);
        const input = c.req.valid("json") as Record<string, any>;
        await rules.beforeCreate?.(ctx, input);
        const now = Date.now();
        const inserted = await k.insert(ctx, {
          ...defaults,
          ...(await toColumns(spec, input, now)),
          id: crypto.randomUUID(),
          customerId: ctx.customer.id,
          tmCreate: now,
          tmUpdate: now,
          version: 1,
        });
        c.header("ETag", etagOf(inserted.version));
        return c.json(serialize(inserted), 200);
      },
      { idempotent: true },
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
        const change = await toColumns(spec, input, Date.now());
        const updated = await k.update(ctx, c.req.valid("param").id, change, { input, expected: ifMatch(c) });
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
        const { row, now } = await k.remove(k.writer(c), c.req.valid("param").id);
        return c.json(serialize(row, now), 200);
      },
      { writesEvents: rules.deleteWritesEvents === true },
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
      const change = await toColumns(spec, input, Date.now());
      const updated = await k.update(ctx, c.req.valid("param").id, change, { input, expected: ifMatch(c) });
      c.header("ETag", etagOf(updated.version));
      return c.json(k.serialize(updated), 200);
    });
  });
}
