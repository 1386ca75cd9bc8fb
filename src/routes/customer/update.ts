import { assertWebhookUriAllowed } from "../../webhooks/policy";
import { createRoute } from "@hono/zod-openapi";
import { requireOwnCustomer } from "../../auth/principal";
import { assertNotSuperAdminUsername } from "../../auth/super-admin";
import { CustomerSchema, CustomerUpdateSchema, serializeCustomer } from "../../domain/customer";
import { updateCustomerProfile } from "../../domain/customer-store";
import { errorResponses } from "../../lib/errors";
import { etagOf, ifMatch } from "../../lib/etag";
import { authenticated, defineRoute, jsonBody, jsonResponse } from "../../lib/route";

export const updateOwnCustomer = defineRoute(
  createRoute({
    method: "put",
    path: "/v1.0/customer",
    tags: ["Customer"],
    summary: "Update your own customer",
    description: "Partial update: fields left out keep their values.",
    security: authenticated,
    request: { body: jsonBody(CustomerUpdateSchema) },
    responses: {
      200: jsonResponse(CustomerSchema, "The updated customer"),
      ...errorResponses(400, 401, 403, 409, 412),
    },
  }),
  async (c) => {
    const customer = requireOwnCustomer(c.get("principal"));
    assertNotSuperAdminUsername(c.env, c.req.valid("json").email, "email");
    await assertWebhookUriAllowed(c.env, c.req.valid("json").webhook_uri);
    const row = await updateCustomerProfile(c.get("db"), customer.id, c.req.valid("json"), {
      current: customer,
      ifMatch: ifMatch(c),
    });
    c.header("ETag", etagOf(row.version));
    return c.json(serializeCustomer(row), 200);
  },
  { writesEvents: true },
);
