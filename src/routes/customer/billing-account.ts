import { createRoute } from "@hono/zod-openapi";
import { requireOwnCustomer } from "../../auth/principal";
import { BillingAccountIdUpdateSchema, setDefaultBillingAccount } from "../../domain/billing-default";
import { CustomerSchema, serializeCustomer } from "../../domain/customer";
import { errorResponses } from "../../lib/errors";
import { authenticated, defineRoute, jsonBody, jsonResponse } from "../../lib/route";

export const updateOwnBillingAccount = defineRoute(
  createRoute({
    method: "put",
    path: "/v1.0/customer/billing_account_id",
    tags: ["Customer"],
    summary: "Set your default billing account",
    security: authenticated,
    request: { body: jsonBody(BillingAccountIdUpdateSchema) },
    responses: { 200: jsonResponse(CustomerSchema, "The updated customer"), ...errorResponses(400, 401, 403, 404) },
  }),
  async (c) => {
    const customer = requireOwnCustomer(c.get("principal"));
    const row = await setDefaultBillingAccount(c.get("db"), customer, c.req.valid("json").billing_account_id);
    return c.json(serializeCustomer(row), 200);
  },
  { writesEvents: true },
);
