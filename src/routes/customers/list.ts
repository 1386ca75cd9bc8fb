import { createRoute, z } from "@hono/zod-openapi";
import { principalWith, requireSuperAdmin } from "../../auth/principal";
import { customers, customerStatuses } from "../../db/schema";
import { CUSTOMER_VIEW_COLUMNS, CustomerSchema, serializeCustomer } from "../../domain/customer";
import { errorResponses } from "../../lib/errors";
import { pageOf, pageSchema, PageQuerySchema, rawPageQuery } from "../../lib/pagination";
import { authenticated, defineRoute, jsonResponse } from "../../lib/route";

const ListQuery = PageQuerySchema.extend({
  status: z
    .enum(customerStatuses)
    .optional()
    .openapi({
      param: { name: "status", in: "query" },
      description: "Only customers in this status. Without it, deleted customers are left out.",
    }),
  email: z
    .string()
    .max(254)
    .optional()
    .openapi({ param: { name: "email", in: "query" } }),
});

export const listCustomers = defineRoute(
  createRoute({
    method: "get",
    path: "/v1.0/customers",
    operationId: "GetCustomers",
    tags: ["Customers (admin)"],
    summary: "List customers",
    description: "Newest first, keyset-paginated: a page costs the same at any depth.",
    security: authenticated,
    request: { query: ListQuery },
    responses: {
      200: jsonResponse(pageSchema(CustomerSchema, "CustomerList"), "A page of customers"),
      ...errorResponses(400, 401, 403),
    },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const { status, email } = query;
    // On the (status, tm_create, id) index; the email filter narrows what it walks.
    const where = {
      sql: (status ? `"status" = ?` : `"status" <> 'deleted'`) + (email !== undefined ? ` AND "email" = ?` : ""),
      params: [...(status ? [status] : []), ...(email !== undefined ? [email.toLowerCase()] : [])],
    };
    // The credential and the page in one D1 round trip.
    const [principal, rows] = await principalWith(c, rawPageQuery(customers, where, query, CUSTOMER_VIEW_COLUMNS));
    requireSuperAdmin(principal);
    return c.json(pageOf(rows, query, serializeCustomer), 200);
  },
);
