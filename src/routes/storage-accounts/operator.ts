import { createRoute, z } from "@hono/zod-openapi";
import { eq, sql } from "drizzle-orm";
import { principalWith, requireSuperAdmin } from "../../auth/principal";
import { insertIf } from "../../db/insert-where";
import { recordReader } from "../../db/raw";
import { customers, Permission, storageAccounts, type StorageAccountRow } from "../../db/schema";
import { uniqueViolation } from "../../lib/db-errors";
import { alreadyExists, errorResponses, failedPrecondition, notFound } from "../../lib/errors";
import { pageOf, pageSchema, PageQuerySchema, rawPageQuery } from "../../lib/pagination";
import { authenticated, defineRoute, jsonBody, jsonResponse } from "../../lib/route";
import { isUuid } from "../../lib/validation";
import { serializeStorageAccount, StorageAccountSchema } from "../../storage/accounts";
import { IdParams } from "../resources/crud";

const tags = ["Storage"];
const reader = recordReader(storageAccounts);
const GET_SQL = `SELECT ${reader.columns} FROM storage_accounts WHERE id = ? LIMIT 1`;

export const listStorageAccounts = defineRoute(
  createRoute({
    method: "get",
    path: "/v1.0/storage_accounts",
    tags,
    summary: "List storage accounts (operator)",
    description: "Every customer's storage account, newest first. ProjectSuperAdmin only.",
    security: authenticated,
    request: { query: PageQuerySchema },
    responses: {
      200: jsonResponse(pageSchema(StorageAccountSchema, "StorageAccountList"), "A page of storage accounts"),
      ...errorResponses(400, 401, 403),
    },
  }),
  async (c) => {
    const query = c.req.valid("query");
    // The credential and the page in one D1 round trip (on the (tm_create, id) index).
    const [principal, rows] = await principalWith(c, rawPageQuery(storageAccounts, { sql: "1", params: [] }, query));
    requireSuperAdmin(principal);
    return c.json(pageOf(rows, query, serializeStorageAccount), 200);
  },
);

const CreateBody = z
  .strictObject({ customer_id: z.uuid().openapi({ description: "The customer it is for." }) })
  .openapi("StorageAccountCreate", { example: { customer_id: "7c4d2f3a-1b8e-4f5c-9a6d-3e2f1a0b4c5d" } });

const alreadyHasOne = () =>
  alreadyExists("STORAGE_ACCOUNT_ALREADY_EXISTS", "The customer already has a storage account.", [
    { field: "customer_id", description: "already has a storage account" },
  ]);

export const createStorageAccount = defineRoute(
  createRoute({
    method: "post",
    path: "/v1.0/storage_accounts",
    tags,
    summary: "Create a customer's storage account (operator)",
    description:
      "Every customer gets its storage account when it is created; this gives one back to a customer whose account was deleted. " +
      "Its totals are counted from the customer's files. A customer has at most one (409), and a deleted or expired customer none (400). ProjectSuperAdmin only.",
    security: authenticated,
    request: { body: jsonBody(CreateBody) },
    responses: {
      200: jsonResponse(StorageAccountSchema, "The created storage account"),
      ...errorResponses(400, 401, 403, 404, 409),
    },
  }),
  async (c) => {
    requireSuperAdmin(c.get("principal"));
    const db = c.get("db");
    const customerId = c.req.valid("json").customer_id.toLowerCase();
    const now = Date.now();
    // Totals from the rows, and the customer's state, read by the INSERT itself: no upload or
    // deletion can slip between a count and the write.
    const row = {
      id: crypto.randomUUID(),
      customerId,
      totalFileCount: sql`(SELECT count(*) FROM files WHERE customer_id = ${customerId})`,
      totalFileSize: sql`(SELECT coalesce(sum(size_bytes), 0) FROM files WHERE customer_id = ${customerId})`,
      tmCreate: now,
      tmUpdate: now,
    };
    let created: StorageAccountRow | null;
    try {
      created = await insertIf(db, storageAccounts, row, {
        condition: sql`EXISTS (SELECT 1 FROM customers WHERE id = ${customerId} AND status NOT IN ('deleted', 'expired'))`,
      });
    } catch (err) {
      // The unique index on customer_id: one account per customer, however concurrent the requests.
      if (uniqueViolation(err)) throw alreadyHasOne();
      throw err;
    }
    if (!created) {
      const [customer] = await db
        .select({ status: customers.status })
        .from(customers)
        .where(eq(customers.id, customerId))
        .limit(1);
      if (!customer) throw notFound("customer");
      throw failedPrecondition("ACCOUNT_CLOSED", `The customer is ${customer.status}: it can hold no files.`);
    }
    return c.json(serializeStorageAccount(created), 200);
  },
  { idempotent: true },
);

export const getStorageAccount = defineRoute(
  createRoute({
    method: "get",
    path: "/v1.0/storage_accounts/{id}",
    tags,
    summary: "Get a storage account",
    description:
      "Any storage account for the operator; a customer's CustomerAdmin or CustomerManager may read its own (another customer's is a 404).",
    security: authenticated,
    request: { params: IdParams },
    responses: { 200: jsonResponse(StorageAccountSchema, "The storage account"), ...errorResponses(401, 403, 404) },
  }),
  async (c) => {
    const id = c.req.valid("param").id.toLowerCase();
    const [principal, row] = await principalWith(c, {
      statement: (d1) => d1.prepare(GET_SQL).bind(isUuid(id) ? id : ""),
      read: (records) => (records[0] ? reader.read(records[0]) : null),
    });
    const operator = (principal.permission & Permission.ProjectSuperAdmin) !== 0;
    const ownReader = (principal.permission & (Permission.CustomerAdmin | Permission.CustomerManager)) !== 0;
    if (!operator && !ownReader) requireSuperAdmin(principal);
    if (!row || (!operator && row.customerId !== principal.customer?.id)) throw notFound("storage account");
    return c.json(serializeStorageAccount(row), 200);
  },
);

export const deleteStorageAccount = defineRoute(
  createRoute({
    method: "delete",
    path: "/v1.0/storage_accounts/{id}",
    tags,
    summary: "Delete a storage account (operator)",
    description:
      "The customer's files stay; uploads are refused (400 STORAGE_ACCOUNT_NOT_FOUND) until POST /v1.0/storage_accounts gives it one again. " +
      "The answer is the account as it was, with tm_delete set. ProjectSuperAdmin only.",
    security: authenticated,
    request: { params: IdParams },
    responses: {
      200: jsonResponse(StorageAccountSchema, "The deleted storage account"),
      ...errorResponses(401, 403, 404),
    },
  }),
  async (c) => {
    requireSuperAdmin(c.get("principal"));
    const id = c.req.valid("param").id.toLowerCase();
    const [row] = isUuid(id)
      ? await c.get("db").delete(storageAccounts).where(eq(storageAccounts.id, id)).returning()
      : [];
    if (!row) throw notFound("storage account");
    return c.json(serializeStorageAccount(row, Date.now()), 200);
  },
);
