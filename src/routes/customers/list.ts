import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, ne } from "drizzle-orm";
import { requireSuperAdmin } from "../../auth/principal";
import { customers, customerStatuses } from "../../db/schema";
import { CustomerSchema, serializeCustomer } from "../../domain/customer";
import { errorResponses } from "../../lib/errors";
import { listPage, pageSchema, PageQuerySchema } from "../../lib/pagination";
import { authenticated, defineRoute, jsonResponse } from "../../lib/route";

const ListQuery = PageQuerySchema.extend({
  status: z.enum(customerStatuses).optional().openapi({ param: { name: "status", in: "query" }, description: "Only customers in this status. Without it, deleted customers are left out." }),
  email: z.string().max(254).optional().openapi({ param: { name: "email", in: "query" } }),
});

export const listCustomers = defineRoute(
  createRoute({
    method: "get",
    path: "/v1.0/customers",
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
    requireSuperAdmin(c.get("principal"));
    const query = c.req.valid("query");
    const { status, email } = query;
    const where = and(
      status ? eq(customers.status, status) : ne(customers.status, "deleted"),
      email !== undefined ? eq(customers.email, email.toLowerCase()) : undefined,
    );
    return c.json(await listPage(c.get("db"), customers, where, query, serializeCustomer), 200);
  },
);
