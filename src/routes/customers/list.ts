import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, ne } from "drizzle-orm";
import { requireSuperAdmin } from "../../auth/principal";
import { customers, customerStatuses } from "../../db/schema";
import { CustomerSchema, serializeCustomer } from "../../domain/customer";
import { errorResponses } from "../../lib/errors";
import { afterCursor, decodePageToken, pageSchema, PageQuerySchema, toPage } from "../../lib/pagination";
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
    const { page_size, page_token, status, email } = c.req.valid("query");
    const cursor = decodePageToken(page_token);
    const rows = await c
      .get("db")
      .select()
      .from(customers)
      .where(
        and(
          status ? eq(customers.status, status) : ne(customers.status, "deleted"),
          email !== undefined ? eq(customers.email, email.toLowerCase()) : undefined,
          afterCursor(customers.tmCreate, customers.id, cursor),
        ),
      )
      .orderBy(desc(customers.tmCreate), desc(customers.id))
      .limit(page_size + 1);
    return c.json(toPage(rows, page_size, serializeCustomer), 200);
  },
);
