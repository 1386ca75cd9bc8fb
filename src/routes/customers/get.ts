import { createRoute } from "@hono/zod-openapi";
import { requireSuperAdmin } from "../../auth/principal";
import { CustomerSchema, serializeCustomer } from "../../domain/customer";
import { errorResponses } from "../../lib/errors";
import { etagOf } from "../../lib/etag";
import { authenticated, defineRoute, jsonResponse } from "../../lib/route";
import { CustomerIdParams, findCustomerOr404 } from "./shared";

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
    requireSuperAdmin(c.get("principal"));
    const row = await findCustomerOr404(c.get("db"), c.req.valid("param").id);
    c.header("ETag", etagOf(row.version));
    return c.json(serializeCustomer(row), 200);
  },
);
