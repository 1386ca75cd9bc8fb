import { z } from "@hono/zod-openapi";
import type { customerEvents, webhookDeliveries } from "../db/schema";
import { customerEventTypes } from "../db/schema";
import { pageSchema } from "../lib/pagination";
import { iso } from "../lib/time";
import { CustomerSchema } from "./customer";

// The wire shapes of a customer's events and webhook delivery attempts: one definition for the
// customer's own views (/v1.0/customer/…) and the operator's (/v1.0/customers/{id}/…).

export const EventSchema = z
  .object({
    id: z.uuid().openapi({ description: "Also the webhook-id of its deliveries." }),
    type: z.enum(customerEventTypes),
    data: CustomerSchema,
    tm_create: z.string(),
  })
  .openapi("CustomerEvent");

export const serializeEvent = (r: typeof customerEvents.$inferSelect) => ({
  id: r.id,
  type: r.type,
  data: r.data as z.infer<typeof CustomerSchema>,
  tm_create: iso(r.tmCreate),
});

export const DeliverySchema = z
  .object({
    id: z.uuid(),
    event_id: z.uuid(),
    attempt: z.number().int(),
    status_code: z.number().int().openapi({ description: "HTTP status of the answer; 0 when none came." }),
    error: z.string(),
    tm_create: z.string(),
  })
  .openapi("WebhookDelivery");

export const serializeDelivery = (r: typeof webhookDeliveries.$inferSelect) => ({
  id: r.id,
  event_id: r.eventId,
  attempt: r.attempt,
  status_code: r.statusCode,
  error: r.error,
  tm_create: iso(r.tmCreate),
});

export const EventPageSchema = pageSchema(EventSchema, "CustomerEventList");
export const DeliveryPageSchema = pageSchema(DeliverySchema, "WebhookDeliveryList");
