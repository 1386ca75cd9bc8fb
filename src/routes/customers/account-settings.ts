import { createRoute, z } from "@hono/zod-openapi";
import { requireSuperAdmin } from "../../auth/principal";
import { identityVerificationStatuses } from "../../db/schema";
import { BillingAccountIdUpdateSchema, setDefaultBillingAccount } from "../../domain/billing-default";
import { CustomerSchema, serializeCustomer } from "../../domain/customer";
import { updateCustomer } from "../../domain/customer-store";
import { errorResponses } from "../../lib/errors";
import { authenticated, defineRoute, jsonBody, jsonResponse } from "../../lib/route";
import { CustomerIdParams, findCustomerOr404 } from "./shared";

const tags = ["Customers (admin)"];

export const updateCustomerBillingAccount = defineRoute(
  createRoute({
    method: "put",
    path: "/v1.0/customers/{id}/billing_account_id",
    tags,
    summary: "Set a customer's default billing account",
    security: authenticated,
    request: { params: CustomerIdParams, body: jsonBody(BillingAccountIdUpdateSchema) },
    responses: { 200: jsonResponse(CustomerSchema, "The updated customer"), ...errorResponses(400, 401, 403, 404) },
  }),
  async (c) => {
    requireSuperAdmin(c.get("principal"));
    const db = c.get("db");
    const customer = await findCustomerOr404(db, c.req.valid("param").id);
    return c.json(
      serializeCustomer(await setDefaultBillingAccount(db, customer, c.req.valid("json").billing_account_id)),
      200,
    );
  },
  { writesEvents: true },
);

export const updateIdentityVerification = defineRoute(
  createRoute({
    method: "put",
    path: "/v1.0/customers/{id}/identity_verification_status",
    tags,
    summary: "Set a customer's identity verification status",
    description: "Only `verified` customers may buy PSTN numbers and place outbound PSTN calls.",
    security: authenticated,
    request: {
      params: CustomerIdParams,
      body: jsonBody(
        z
          .strictObject({ identity_verification_status: z.enum(identityVerificationStatuses) })
          .openapi("IdentityVerificationStatusUpdate", { example: { identity_verification_status: "verified" } }),
      ),
    },
    responses: { 200: jsonResponse(CustomerSchema, "The updated customer"), ...errorResponses(400, 401, 403, 404) },
  }),
  async (c) => {
    requireSuperAdmin(c.get("principal"));
    const db = c.get("db");
    const customer = await findCustomerOr404(db, c.req.valid("param").id);
    const row = await updateCustomer(
      db,
      customer.id,
      { identityVerificationStatus: c.req.valid("json").identity_verification_status },
      { current: customer, event: "customer_identity_verification_updated" },
    );
    return c.json(serializeCustomer(row), 200);
  },
  { writesEvents: true },
);
