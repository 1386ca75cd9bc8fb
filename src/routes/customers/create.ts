import { assertWebhookUriAllowed } from "../../webhooks/policy";
import { createRoute } from "@hono/zod-openapi";
import { requireSuperAdmin } from "../../auth/principal";
import { assertNotSuperAdminUsername } from "../../auth/super-admin";
import { CustomerCreateSchema, CustomerSchema, serializeCustomer } from "../../domain/customer";
import { createCustomer } from "../../domain/customer-store";
import { errorResponses } from "../../lib/errors";
import { etagOf } from "../../lib/etag";
import { authenticated, defineRoute, jsonBody, jsonResponse } from "../../lib/route";

export const createCustomerRoute = defineRoute(
  createRoute({
    method: "post",
    path: "/v1.0/customers",
    tags: ["Customers (admin)"],
    summary: "Create a customer",
    description:
      "Creates an active customer with its first admin agent (the given username and password) and its guest agent, in one atomic batch. The password is write-only.",
    security: authenticated,
    request: { body: jsonBody(CustomerCreateSchema) },
    responses: {
      200: jsonResponse(CustomerSchema, "The created customer"),
      ...errorResponses(400, 401, 403, 409),
    },
  }),
  async (c) => {
    requireSuperAdmin(c.get("principal"));
    const { username, email } = c.req.valid("json");
    assertNotSuperAdminUsername(c.env, username);
    assertNotSuperAdminUsername(c.env, email, "email");
    await assertWebhookUriAllowed(c.env, c.req.valid("json").webhook_uri);
    const row = await createCustomer(c.get("db"), c.req.valid("json"));
    c.header("ETag", etagOf(row.version));
    return c.json(serializeCustomer(row), 200);
  },
);
