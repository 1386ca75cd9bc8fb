import { createRoute } from "@hono/zod-openapi";
import { principalWith, requireSuperAdmin } from "../../auth/principal";
import { recordReader } from "../../db/raw";
import { customers } from "../../db/schema";
import { CustomerSchema, serializeCustomer } from "../../domain/customer";
import { errorResponses, notFound } from "../../lib/errors";
import { isUuid } from "../../lib/validation";
import { etagOf } from "../../lib/etag";
import { authenticated, defineRoute, jsonResponse } from "../../lib/route";
import { CustomerIdParams } from "./shared";

const reader = recordReader(customers);
const GET_SQL = `SELECT ${reader.columns} FROM customers WHERE id = ? LIMIT 1`;

export const getCustomer = defineRoute(
  createRoute({
    method: "get",
    path: "/v1.0/customers/{id}",
    operationId: "GetCustomersId",
    tags: ["Customers (admin)"],
    summary: "Get a customer",
    description: "Any customer, deleted ones included (anonymized).",
    security: authenticated,
    request: { params: CustomerIdParams },
    responses: {
      200: jsonResponse(CustomerSchema, "The customer"),
      ...errorResponses(401, 403, 404),
    },
  }),
  async (c) => {
    const id = c.req.valid("param").id.toLowerCase();
    // The credential and the customer in one D1 round trip.
    const [principal, row] = await principalWith(c, {
      statement: (d1) => d1.prepare(GET_SQL).bind(isUuid(id) ? id : ""),
      read: (records) => (records[0] ? reader.read(records[0]) : null),
    });
    requireSuperAdmin(principal);
    if (!row) throw notFound("customer");
    c.header("ETag", etagOf(row.version));
    return c.json(serializeCustomer(row), 200);
  },
);
