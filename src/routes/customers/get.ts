import { createRoute } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { principalWith, requireSuperAdmin } from "../../auth/principal";
import { customers } from "../../db/schema";
import { CustomerSchema, serializeCustomer } from "../../domain/customer";
import { errorResponses, notFound } from "../../lib/errors";
import { isUuid } from "../../lib/validation";
import { etagOf } from "../../lib/etag";
import { authenticated, defineRoute, jsonResponse } from "../../lib/route";
import { CustomerIdParams } from "./shared";

export const getCustomer = defineRoute(
  createRoute({
    method: "get",
    path: "/v1.0/customers/{id}",
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
    const [principal, rows] = await principalWith(c, c.get("db").select().from(customers).where(eq(customers.id, isUuid(id) ? id : "")).limit(1));
    requireSuperAdmin(principal);
    const row = rows[0];
    if (!row) throw notFound("customer");
    c.header("ETag", etagOf(row.version));
    return c.json(serializeCustomer(row), 200);
  },
);
