import { createRoute, type z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { principalOf, requireSuperAdmin } from "../../auth/principal";
import { accesskeys, customerEvents, webhookDeliveries } from "../../db/schema";
import { AccesskeyPageSchema, serializeAccesskey } from "../../domain/accesskey";
import { DeliveryPageSchema, EventPageSchema, serializeDelivery, serializeEvent } from "../../domain/event-views";
import { errorResponses } from "../../lib/errors";
import { type KeysetTable, listPage, PageQuerySchema } from "../../lib/pagination";
import { authenticated, defineRoute, jsonResponse } from "../../lib/route";
import { CustomerIdParams, findCustomerOr404 } from "./shared";

type CustomerTable = KeysetTable & { customerId: SQLiteColumn };

/**
 * The operator's read of one of a customer's own lists, in the very shape the customer reads it
 * (GET /v1.0/customer/events, /v1.0/customer/webhook_deliveries, /v1.0/accesskeys): the console's
 * customer page, and any other operator tool, reads them here rather than as the customer.
 */
function operatorView<T extends CustomerTable>(
  name: string,
  table: T,
  page: z.ZodType,
  serialize: (row: T["$inferSelect"]) => unknown,
  summary: string,
  description: string,
) {
  return defineRoute(
    createRoute({
      method: "get",
      path: `/v1.0/customers/{id}/${name}`,
      tags: ["Customers (admin)"],
      summary,
      description,
      security: authenticated,
      request: { params: CustomerIdParams, query: PageQuerySchema },
      responses: { 200: jsonResponse(page, "A page, newest first"), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      requireSuperAdmin(await principalOf(c));
      const db = c.get("db");
      const { id } = await findCustomerOr404(db, c.req.valid("param").id);
      return c.json(await listPage(db, table, eq(table.customerId, id), c.req.valid("query"), serialize), 200);
    },
  );
}

export const listCustomerEvents = operatorView(
  "events",
  customerEvents,
  EventPageSchema,
  serializeEvent,
  "A customer's events",
  "What GET /v1.0/customer/events shows the customer, newest first, kept 30 days: its lifecycle (created, frozen with the scheduled deletion time, recovered, deleted) and every change. A deletion removes the earlier events (they hold PII); customer_deleted stays.",
);

export const listCustomerDeliveries = operatorView(
  "webhook_deliveries",
  webhookDeliveries,
  DeliveryPageSchema,
  serializeDelivery,
  "A customer's webhook delivery attempts",
  "What GET /v1.0/customer/webhook_deliveries shows the customer, newest first.",
);

export const listCustomerAccesskeys = operatorView(
  "accesskeys",
  accesskeys,
  AccesskeyPageSchema,
  (row) => serializeAccesskey(row),
  "A customer's access keys",
  "What GET /v1.0/accesskeys shows the customer's admin: names, prefixes and expiry, never the keys themselves.",
);
