import { createRoute, z } from "@hono/zod-openapi";
import { requireOwnCustomer } from "../../auth/principal";
import { ownPage } from "../../resources/own-data";
import { customerEvents, customerEventTypes, Permission, webhookDeliveries } from "../../db/schema";
import { CustomerSchema, serializeCustomer } from "../../domain/customer";
import { newWebhookSecret, updateCustomer } from "../../domain/customer-store";
import { errorResponses } from "../../lib/errors";
import { pageSchema, PageQuerySchema } from "../../lib/pagination";
import { authenticated, defineRoute, jsonResponse } from "../../lib/route";
import { iso } from "../../lib/time";

const READ = Permission.CustomerAdmin | Permission.CustomerManager;

const EventSchema = z
  .object({
    id: z.uuid().openapi({ description: "Also the webhook-id of its deliveries." }),
    type: z.enum(customerEventTypes),
    data: CustomerSchema,
    tm_create: z.string(),
  })
  .openapi("CustomerEvent");

export const listOwnEvents = defineRoute(
  createRoute({
    method: "get",
    path: "/v1.0/customer/events",
    tags: ["Customer events"],
    summary: "List your customer's events",
    description: "Newest first; kept 30 days.",
    security: authenticated,
    request: { query: PageQuerySchema },
    responses: {
      200: jsonResponse(pageSchema(EventSchema, "CustomerEventList"), "A page of events"),
      ...errorResponses(400, 401, 403),
    },
  }),
  async (c) => {
    const page = await ownPage(c, customerEvents, c.req.valid("query"), READ, (r) => ({
      id: r.id,
      type: r.type,
      data: r.data as z.infer<typeof CustomerSchema>,
      tm_create: iso(r.tmCreate),
    }));
    return c.json(page, 200);
  },
);

const DeliverySchema = z
  .object({
    id: z.uuid(),
    event_id: z.uuid(),
    attempt: z.number().int(),
    status_code: z.number().int().openapi({ description: "HTTP status of the answer; 0 when none came." }),
    error: z.string(),
    tm_create: z.string(),
  })
  .openapi("WebhookDelivery");

export const listOwnDeliveries = defineRoute(
  createRoute({
    method: "get",
    path: "/v1.0/customer/webhook_deliveries",
    tags: ["Customer events"],
    summary: "List webhook delivery attempts",
    security: authenticated,
    request: { query: PageQuerySchema },
    responses: {
      200: jsonResponse(pageSchema(DeliverySchema, "WebhookDeliveryList"), "A page of attempts, newest first"),
      ...errorResponses(400, 401, 403),
    },
  }),
  async (c) => {
    const page = await ownPage(c, webhookDeliveries, c.req.valid("query"), READ, (r) => ({
      id: r.id,
      event_id: r.eventId,
      attempt: r.attempt,
      status_code: r.statusCode,
      error: r.error,
      tm_create: iso(r.tmCreate),
    }));
    return c.json(page, 200);
  },
);

export const rotateWebhookSecret = defineRoute(
  createRoute({
    method: "post",
    path: "/v1.0/customer/webhook_secret",
    tags: ["Customer events"],
    summary: "Rotate the webhook signing secret",
    description:
      "For 24 hours deliveries carry signatures of both the new and the previous secret in webhook-signature (space-separated), and X-VoIPBIN-Signature stays signed with the previous secret; after the 24 hours both headers use the new secret only. Read the new secret with GET /v1.0/customer, the one place a secret is shown.",
    security: authenticated,
    responses: { 200: jsonResponse(CustomerSchema, "The customer"), ...errorResponses(401, 403) },
  }),
  async (c) => {
    const customer = requireOwnCustomer(c.get("principal"));
    const row = await updateCustomer(
      c.get("db"),
      customer.id,
      {
        webhookSecret: newWebhookSecret(),
        webhookSecretPrevious: customer.webhookSecret,
        tmWebhookSecretRotated: Date.now(),
      },
      { current: customer },
    );
    return c.json(serializeCustomer(row), 200);
  },
  { writesEvents: true },
);
