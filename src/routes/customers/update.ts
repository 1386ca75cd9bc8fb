import { assertWebhookUriAllowed } from "../../webhooks/policy";
import { createRoute } from "@hono/zod-openapi";
import { requireSuperAdmin } from "../../auth/principal";
import { assertNotSuperAdminUsername } from "../../auth/super-admin";
import { CustomerSchema, CustomerUpdateSchema, MetadataUpdateSchema, serializeCustomer } from "../../domain/customer";
import { updateCustomer, updateCustomerProfile } from "../../domain/customer-store";
import { errorResponses } from "../../lib/errors";
import { etagOf, ifMatch } from "../../lib/etag";
import { authenticated, defineRoute, jsonBody, jsonResponse } from "../../lib/route";
import { CustomerIdParams, findCustomerOr404 } from "./shared";

export const updateCustomerRoute = defineRoute(
  createRoute({
    method: "put",
    path: "/v1.0/customers/{id}",
    tags: ["Customers (admin)"],
    summary: "Update a customer",
    description: "Partial update: fields left out keep their values.",
    security: authenticated,
    request: { params: CustomerIdParams, body: jsonBody(CustomerUpdateSchema) },
    responses: {
      200: jsonResponse(CustomerSchema, "The updated customer"),
      ...errorResponses(400, 401, 403, 404, 409, 412),
    },
  }),
  async (c) => {
    requireSuperAdmin(c.get("principal"));
    const db = c.get("db");
    const current = await findCustomerOr404(db, c.req.valid("param").id);
    assertNotSuperAdminUsername(c.env, c.req.valid("json").email, "email");
    await assertWebhookUriAllowed(c.env, c.req.valid("json").webhook_uri);
    const row = await updateCustomerProfile(db, current.id, c.req.valid("json"), { current, ifMatch: ifMatch(c) });
    c.header("ETag", etagOf(row.version));
    return c.json(serializeCustomer(row), 200);
  },
  { writesEvents: true },
);

export const updateCustomerMetadata = defineRoute(
  createRoute({
    method: "put",
    path: "/v1.0/customers/{id}/metadata",
    tags: ["Customers (admin)"],
    summary: "Update a customer's metadata",
    security: authenticated,
    request: { params: CustomerIdParams, body: jsonBody(MetadataUpdateSchema) },
    responses: {
      200: jsonResponse(CustomerSchema, "The updated customer"),
      ...errorResponses(400, 401, 403, 404, 412),
    },
  }),
  async (c) => {
    requireSuperAdmin(c.get("principal"));
    const db = c.get("db");
    const current = await findCustomerOr404(db, c.req.valid("param").id);
    const row = await updateCustomer(
      db,
      current.id,
      { rtpDebug: c.req.valid("json").rtp_debug },
      { current, ifMatch: ifMatch(c) },
    );
    c.header("ETag", etagOf(row.version));
    return c.json(serializeCustomer(row), 200);
  },
  { writesEvents: true },
);
