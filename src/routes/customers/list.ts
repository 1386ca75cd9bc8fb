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
    .openapi({ param: { name: "email", in: "query" }, description: "Only the customer with this email (any case)." }),
  name: z
    .string()
    .trim()
    .max(100)
    .optional()
    .openapi({
      param: { name: "name", in: "query" },
      description: "Only customers whose name contains this text (ASCII letters in any case); empty means any.",
    }),
});

export const listCustomers = defineRoute(
  createRoute({
    method: "get",
    path: "/v1.0/customers",
    tags: ["Customers (admin)"],
    summary: "List customers",
    description:
      "Newest first, keyset-paginated: a page costs the same at any depth. The filters combine; a name search walks the customers (of the status) newest first until the page is full.",
    security: authenticated,
    request: { query: ListQuery },
    responses: {
      200: jsonResponse(pageSchema(CustomerSchema, "CustomerList"), "A page of customers"),
      ...errorResponses(400, 401, 403),
    },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const { status, email, name } = query;
    // On the (status, tm_create, id) index; the email and name filters narrow what it walks. The
    // name is a substring (instr() needs no escaping of LIKE's wildcards), folded on both sides by
    // SQLite's lower(), which folds ASCII only: JS folding of the text alone would miss "Ö" in "Ö".
    const where = {
      sql:
        (status ? `"status" = ?` : `"status" <> 'deleted'`) +
        (email !== undefined ? ` AND "email" = ?` : "") +
        (name ? ` AND instr(lower("name"), lower(?)) > 0` : ""),
      params: [
        ...(status ? [status] : []),
        ...(email !== undefined ? [email.toLowerCase()] : []),
        ...(name ? [name] : []),
      ],
    };
    // The credential and the page in one D1 round trip.
    const [principal, rows] = await principalWith(c, rawPageQuery(customers, where, query, CUSTOMER_VIEW_COLUMNS));
    requireSuperAdmin(principal);
    return c.json(pageOf(rows, query, serializeCustomer), 200);
  },
);
