import { createRoute, z } from "@hono/zod-openapi";
import { requireSuperAdmin } from "../../auth/principal";
import { errorResponses } from "../../lib/errors";
import { etagOf } from "../../lib/etag";
import { authenticated, defineRoute, jsonBody, jsonResponse } from "../../lib/route";
import { PLAN_LIMITS, PLAN_TYPES } from "../../plans/table";
import { updateBillingAccountAsOperator } from "../../resources/billing-account-operator";
import { kindSpecs } from "../../resources/kinds";
import { IdParams } from "../resources/crud";
import { schemasFor, serializerFor } from "../../resources/schemas";

const { Resource } = schemasFor(kindSpecs.billing_accounts);
const serialize = serializerFor(kindSpecs.billing_accounts);

const PlanTypeUpdate = z
  .strictObject({ plan_type: z.enum(PLAN_TYPES) })
  .openapi("BillingAccountPlanTypeUpdate", { example: { plan_type: "basic" } });

const table = PLAN_TYPES.map(
  (plan) =>
    `${plan}: ${Object.entries(PLAN_LIMITS[plan])
      .map(([k, v]) => `${k} ${v || "unlimited"}`)
      .join(", ")}`,
).join("; ");

export const updatePlanType = defineRoute(
  createRoute({
    method: "put",
    path: "/v1.0/billing_accounts/{id}/plan_type",
    operationId: "PutBillingAccountsIdPlanType",
    tags: ["Billing Accounts"],
    summary: "Set a billing account's plan (operator)",
    description:
      "ProjectSuperAdmin only, on any customer's account (customers cannot change plan_type). A customer's plan is the plan_type " +
      `of its default billing account (billing_account_id), else DEFAULT_PLAN_TYPE. Limits (0 = unlimited): ${table}. ` +
      "A downgrade below current usage keeps every row and refuses new creations until the customer is under the limit again.",
    security: authenticated,
    request: { params: IdParams, body: jsonBody(PlanTypeUpdate) },
    responses: { 200: jsonResponse(Resource, "The billing account"), ...errorResponses(400, 401, 403, 404) },
  }),
  async (c) => {
    requireSuperAdmin(c.get("principal"));
    const row = await updateBillingAccountAsOperator(c.get("db"), c.req.valid("param").id, {
      planType: c.req.valid("json").plan_type,
    });
    c.header("ETag", etagOf(row.version));
    return c.json(serialize(row), 200);
  },
);
