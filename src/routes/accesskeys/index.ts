import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import { principalWithOwn, requireOwnCustomer, type Principal } from "../../auth/principal";
import { accesskeys, Permission, ZERO_UUID, type AccesskeyRow } from "../../db/schema";
import {
  AccesskeyCreateSchema,
  AccesskeySchema,
  AccesskeyUpdateSchema,
  accesskeyLimitExceeded,
  buildAccesskey,
  insertAccesskeyWithinCap,
  serializeAccesskey,
} from "../../domain/accesskey";
import { superAdminCredentialVersion } from "../../auth/super-admin";
import { changesOf, d1Batch } from "../../db/batch";
import { errorResponses, notFound } from "../../lib/errors";
import { ownResults, withStoredAnswer } from "../../middleware/idempotency";
import { pageOf, pageQuery, pageSchema, PageQuerySchema } from "../../lib/pagination";
import { authenticated, defineRoute, jsonBody, jsonResponse } from "../../lib/route";
import { isUuid } from "../../lib/validation";
import type { Db } from "../../db/client";

const tags = ["Access keys"];
const IdParams = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) });

const isSuperAdmin = (principal: Principal) =>
  !principal.customer && (principal.permission & Permission.ProjectSuperAdmin) !== 0;

/**
 * Whose keys the caller manages: its own customer's (CustomerAdmin), or, for the project super
 * admin, the super admin's own keys (customer_id = the zero UUID, as on its agent row).
 */
const keyOwner = (principal: Principal) => (isSuperAdmin(principal) ? ZERO_UUID : requireOwnCustomer(principal).id);

async function findOwnKey(db: Db, owner: string, id: string) {
  const [row] = isUuid(id)
    ? await db
        .select()
        .from(accesskeys)
        .where(and(eq(accesskeys.id, id.toLowerCase()), eq(accesskeys.customerId, owner)))
        .limit(1)
    : [];
  if (!row) throw notFound("access key");
  return row;
}

/** Rows of the caller's own keys, read in the round trip that checks the credential (scoped to the key owner). */
async function ownKeys<Q extends BatchItem<"sqlite">>(
  c: Context<AppEnv>,
  build: (owner: SQL | string) => Q,
): Promise<Awaited<Q>> {
  const [principal, rows] = await principalWithOwn(c, build);
  const owner = keyOwner(principal);
  // A super-admin token names no customer to scope the batched read by: read its keys now.
  return owner === ZERO_UUID ? ((await build(ZERO_UUID)) as Awaited<Q>) : rows;
}

export const listAccesskeys = defineRoute(
  createRoute({
    method: "get",
    path: "/v1.0/accesskeys",
    tags,
    summary: "List your access keys",
    description: "A customer's keys, or, for the project super admin, the super admin's own keys.",
    security: authenticated,
    request: { query: PageQuerySchema },
    responses: {
      200: jsonResponse(pageSchema(AccesskeySchema, "AccesskeyList"), "A page of access keys"),
      ...errorResponses(400, 401, 403),
    },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const rows = await ownKeys(c, (owner) =>
      pageQuery(c.get("db"), accesskeys, eq(accesskeys.customerId, owner), query),
    );
    return c.json(
      pageOf(rows, query, (row: AccesskeyRow) => serializeAccesskey(row)),
      200,
    );
  },
);

export const createAccesskey = defineRoute(
  createRoute({
    method: "post",
    path: "/v1.0/accesskeys",
    tags,
    summary: "Create an access key",
    description:
      "The response carries the key (`vb_…`) once; only its SHA-256 is stored. A customer holds at most 50 active (unexpired) keys: past that, 429 RESOURCE_LIMIT_EXCEEDED. A customer's key acts as CustomerAdmin. The project super admin's key acts as the super admin (for clients that only send `?accesskey=`); it is bound to the configured ADMIN_USERNAME and ADMIN_PASSWORD and stops working when either changes.",
    security: authenticated,
    request: { body: jsonBody(AccesskeyCreateSchema) },
    responses: {
      200: jsonResponse(AccesskeySchema, "The created access key, with its token"),
      ...errorResponses(400, 401, 403, 429),
    },
  }),
  async (c) => {
    const principal = c.get("principal");
    const owner = keyOwner(principal);
    const binding = isSuperAdmin(principal) ? await superAdminCredentialVersion(c.env) : "";
    const { row, token } = await buildAccesskey(owner, c.req.valid("json"), Date.now(), binding);
    const answer = serializeAccesskey(row, { token });
    const results = await d1Batch(
      c.get("db").$client,
      await withStoredAnswer(c, [insertAccesskeyWithinCap(row)], answer),
    );
    if (changesOf(ownResults(c, results), 0) === 0) throw accesskeyLimitExceeded();
    return c.json(answer, 200);
  },
  { idempotent: true },
);

export const getAccesskey = defineRoute(
  createRoute({
    method: "get",
    path: "/v1.0/accesskeys/{id}",
    tags,
    summary: "Get an access key",
    security: authenticated,
    request: { params: IdParams },
    responses: {
      200: jsonResponse(AccesskeySchema, "The access key (without its token)"),
      ...errorResponses(401, 403, 404),
    },
  }),
  async (c) => {
    const id = c.req.valid("param").id;
    const [key] = await ownKeys(c, (owner) =>
      c
        .get("db")
        .select()
        .from(accesskeys)
        .where(and(eq(accesskeys.id, isUuid(id) ? id.toLowerCase() : ""), eq(accesskeys.customerId, owner)))
        .limit(1),
    );
    if (!key) throw notFound("access key");
    return c.json(serializeAccesskey(key), 200);
  },
);

export const updateAccesskey = defineRoute(
  createRoute({
    method: "put",
    path: "/v1.0/accesskeys/{id}",
    tags,
    summary: "Update an access key",
    security: authenticated,
    request: { params: IdParams, body: jsonBody(AccesskeyUpdateSchema) },
    responses: { 200: jsonResponse(AccesskeySchema, "The updated access key"), ...errorResponses(400, 401, 403, 404) },
  }),
  async (c) => {
    const owner = keyOwner(c.get("principal"));
    const db = c.get("db");
    const key = await findOwnKey(db, owner, c.req.valid("param").id);
    const input = c.req.valid("json");
    const [row] = await db
      .update(accesskeys)
      .set({
        ...(input.name !== undefined && { name: input.name }),
        ...(input.detail !== undefined && { detail: input.detail }),
        tmUpdate: Date.now(),
      })
      .where(and(eq(accesskeys.id, key.id), eq(accesskeys.customerId, owner)))
      .returning();
    if (!row) throw notFound("access key");
    return c.json(serializeAccesskey(row), 200);
  },
);

export const deleteAccesskey = defineRoute(
  createRoute({
    method: "delete",
    path: "/v1.0/accesskeys/{id}",
    tags,
    summary: "Delete an access key",
    description: "The key stops working at once. The answer is the key as it was, with `tm_delete` set.",
    security: authenticated,
    request: { params: IdParams },
    responses: { 200: jsonResponse(AccesskeySchema, "The deleted access key"), ...errorResponses(401, 403, 404) },
  }),
  async (c) => {
    const owner = keyOwner(c.get("principal"));
    const db = c.get("db");
    const key = await findOwnKey(db, owner, c.req.valid("param").id);
    const now = Date.now();
    await db.delete(accesskeys).where(and(eq(accesskeys.id, key.id), eq(accesskeys.customerId, owner)));
    return c.json(serializeAccesskey(key, { tmDelete: now }), 200);
  },
);

export const accesskeyRoutes = [listAccesskeys, createAccesskey, getAccesskey, updateAccesskey, deleteAccesskey];
