import { createRoute } from "@hono/zod-openapi";
import { requireOwnCustomer } from "../../auth/principal";
import { ownPage } from "../../resources/own-data";
import { customerEvents, Permission, webhookDeliveries } from "../../db/schema";
import { DeliveryPageSchema, EventPageSchema, serializeDelivery, serializeEvent } from "../../domain/event-views";
import { CustomerSchema, serializeCustomer } from "../../domain/customer";
import { newWebhookSecret, updateCustomer } from "../../domain/customer-store";
import { errorResponses } from "../../lib/errors";
import { PageQuerySchema } from "../../lib/pagination";
import { authenticated, defineRoute, jsonResponse } from "../../lib/route";

const READ = Permission.CustomerAdmin | Permission.CustomerManager;

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
      200: jsonResponse(EventPageSchema, "A page of events"),
      ...errorResponses(400, 401, 403),
    },
  }),
  async (c) => {
    const page = await ownPage(c, customerEvents, c.req.valid("query"), READ, serializeEvent);
    return c.json(page, 200);
  },
);

export const listOwnDeliveries = defineRoute(
  createRoute({
    method: "get",
    path: "/v1.0/customer/webhook_deliveries",
    tags: ["Customer events"],
    summary: "List webhook delivery attempts",
    security: authenticated,
    request: { query: PageQuerySchema },
    responses: {
      200: jsonResponse(DeliveryPageSchema, "A page of attempts, newest first"),
      ...errorResponses(400, 401, 403),
    },
  }),
  async (c) => {
    const page = await ownPage(c, webhookDeliveries, c.req.valid("query"), READ, serializeDelivery);
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
