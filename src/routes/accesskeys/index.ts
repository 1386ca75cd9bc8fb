import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { requireOwnCustomer } from "../../auth/principal";
import { ownPage, ownRow } from "../own-data";
import { accesskeys, Permission } from "../../db/schema";
import {
  AccesskeyCreateSchema,
  AccesskeySchema,
  AccesskeyUpdateSchema,
  buildAccesskey,
  insertAccesskey,
  serializeAccesskey,
} from "../../domain/accesskey";
import { errorResponses, notFound } from "../../lib/errors";
import { pageSchema, PageQuerySchema } from "../../lib/pagination";
import { authenticated, defineRoute, jsonBody, jsonResponse } from "../../lib/route";
import { isUuid } from "../../lib/validation";
import type { Db } from "../../db/client";

const tags = ["Access keys"];
const IdParams = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) });

async function findOwnKey(db: Db, customerId: string, id: string) {
  const [row] = isUuid(id)
    ? await db.select().from(accesskeys).where(and(eq(accesskeys.id, id.toLowerCase()), eq(accesskeys.customerId, customerId))).limit(1)
    : [];
  if (!row) throw notFound("access key");
  return row;
}

export const listAccesskeys = defineRoute(
  createRoute({
    method: "get",
    path: "/v1.0/accesskeys",
    tags,
    summary: "List your access keys",
    security: authenticated,
    request: { query: PageQuerySchema },
    responses: { 200: jsonResponse(pageSchema(AccesskeySchema, "AccesskeyList"), "A page of access keys"), ...errorResponses(400, 401, 403) },
  }),
  async (c) => {
    const page = await ownPage(c, accesskeys, c.req.valid("query"), Permission.CustomerAdmin, (row) => serializeAccesskey(row));
    return c.json(page, 200);
  },
);

export const createAccesskey = defineRoute(
  createRoute({
    method: "post",
    path: "/v1.0/accesskeys",
    tags,
    summary: "Create an access key",
    description: "The response carries the key (`vb_…`) once; only its SHA-256 is stored. The key acts as CustomerAdmin.",
    security: authenticated,
    request: { body: jsonBody(AccesskeyCreateSchema) },
    responses: { 200: jsonResponse(AccesskeySchema, "The created access key, with its token"), ...errorResponses(400, 401, 403) },
  }),
  async (c) => {
    const customer = requireOwnCustomer(c.get("principal"));
    const { row, token } = await buildAccesskey(customer.id, c.req.valid("json"));
    await insertAccesskey(c.get("db"), row);
    return c.json(serializeAccesskey(row, token), 200);
  },
);

export const getAccesskey = defineRoute(
  createRoute({
    method: "get",
    path: "/v1.0/accesskeys/{id}",
    tags,
    summary: "Get an access key",
    security: authenticated,
    request: { params: IdParams },
    responses: { 200: jsonResponse(AccesskeySchema, "The access key (without its token)"), ...errorResponses(401, 403, 404) },
  }),
  async (c) => {
    const key = await ownRow(c, accesskeys, c.req.valid("param").id, Permission.CustomerAdmin);
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
    const customer = requireOwnCustomer(c.get("principal"));
    const db = c.get("db");
    const key = await findOwnKey(db, customer.id, c.req.valid("param").id);
    const input = c.req.valid("json");
    const [row] = await db
      .update(accesskeys)
      .set({ ...(input.name !== undefined && { name: input.name }), ...(input.detail !== undefined && { detail: input.detail }), tmUpdate: Date.now() })
      .where(and(eq(accesskeys.id, key.id), eq(accesskeys.customerId, customer.id)))
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
    description: "The key stops working at once.",
    security: authenticated,
    request: { params: IdParams },
    responses: { 200: jsonResponse(AccesskeySchema, "The deleted access key"), ...errorResponses(401, 403, 404) },
  }),
  async (c) => {
    const customer = requireOwnCustomer(c.get("principal"));
    const db = c.get("db");
    const key = await findOwnKey(db, customer.id, c.req.valid("param").id);
    await db.delete(accesskeys).where(and(eq(accesskeys.id, key.id), eq(accesskeys.customerId, customer.id)));
    return c.json(serializeAccesskey(key), 200);
  },
);

export const accesskeyRoutes = [listAccesskeys, createAccesskey, getAccesskey, updateAccesskey, deleteAccesskey];
