import { assertWebhookUriAllowed } from "../../webhooks/policy";
import { createRoute } from "@hono/zod-openapi";
import { requireSuperAdmin } from "../../auth/principal";
import { assertNotSuperAdminUsername } from "../../auth/super-admin";
import { CustomerCreateSchema, CustomerSchema, serializeCustomer } from "../../domain/customer";
import { createCustomer } from "../../domain/customer-store";
import { sendSetPasswordMails } from "../../domain/password-reset";
import { errorResponses } from "../../lib/errors";
import { etagOf } from "../../lib/etag";
import { authenticated, defineRoute, jsonBody, jsonResponse } from "../../lib/route";
import { withStoredAnswer } from "../../middleware/idempotency";

export const createCustomerRoute = defineRoute(
  createRoute({
    method: "post",
    path: "/v1.0/customers",
    tags: ["Customers (admin)"],
    summary: "Create a customer",
    description:
      'Creates an active customer with its first admin agent and its guest agent, in one atomic batch. The admin agent\'s username is `username`, or the email when left out; the password is write-only. Without a password, a "set your password" mail (a reset link, valid one hour) goes to the username when it is an address, else to the email.',
    security: authenticated,
    request: { body: jsonBody(CustomerCreateSchema) },
    responses: {
      200: jsonResponse(CustomerSchema, "The created customer"),
      ...errorResponses(400, 401, 403, 409),
    },
  }),
  async (c) => {
    requireSuperAdmin(c.get("principal"));
    const input = c.req.valid("json");
    assertNotSuperAdminUsername(c.env, input.username);
    assertNotSuperAdminUsername(c.env, input.email, "email");
    await assertWebhookUriAllowed(c.env, input.webhook_uri);
    const row = await createCustomer(c.get("db"), input, (created, statements) =>
      withStoredAnswer(c, statements, serializeCustomer(created)),
    );
    // No password given: the admin agent chooses one through a "set your password" mail.
    if (input.password === undefined)
      c.executionCtx.waitUntil(sendSetPasswordMails(c.env, c.get("db"), new URL(c.req.url).origin, row.id));
    c.header("ETag", etagOf(row.version));
    return c.json(serializeCustomer(row), 200);
  },
  { idempotent: true, writesEvents: true },
);
