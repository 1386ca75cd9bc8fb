import { createRoute } from "@hono/zod-openapi";
import { principalWith, principalWithOwnRaw, requireOwnCustomer, requireSuperAdmin } from "../../auth/principal";
import { Permission } from "../../db/schema";
import { errorResponses, notFound } from "../../lib/errors";
import { authenticated, defineRoute, jsonResponse } from "../../lib/route";
import { isUuid } from "../../lib/validation";
import { configOf } from "../../config";
import { usageQuery, UsageSchema } from "../../plans/usage";
import { CustomerIdParams } from "../customers/shared";

const description =
  "The customer's plan and, for each kind it owns, how many it has (exact) and what the plan allows (0 = unlimited); " +
  "virtual_numbers are the numbers in the +899 range. Agents include the built-in guest agent, as on the platform. " +
  "Storage: the files' count and bytes against the quota. One D1 round trip.";

export const getOwnUsage = defineRoute(
  createRoute({
    method: "get",
    path: "/v1.0/customer/usage",
    tags: ["Customer"],
    summary: "Your resource usage and limits",
    description: `${description} CustomerAdmin and CustomerManager.`,
    security: authenticated,
    responses: { 200: jsonResponse(UsageSchema, "The usage"), ...errorResponses(401, 403) },
  }),
  async (c) => {
    // The credential and the counts in one batch; the rows are released only to a valid credential.
    const [principal, row] = await principalWithOwnRaw(c, (scope) =>
      usageQuery(scope.sql, scope.params, configOf(c.env).defaultPlanType, configOf(c.env).storageQuotaBytes),
    );
    requireOwnCustomer(principal, Permission.CustomerAdmin | Permission.CustomerManager);
    if (!row) throw notFound("customer");
    return c.json(row.usage, 200);
  },
);

export const getCustomerUsage = defineRoute(
  createRoute({
    method: "get",
    path: "/v1.0/customers/{id}/usage",
    tags: ["Customers (admin)"],
    summary: "A customer's resource usage and limits",
    description: `${description} ProjectSuperAdmin only; deleted customers too (their counts fall to 0 as the cascade runs).`,
    security: authenticated,
    request: { params: CustomerIdParams },
    responses: { 200: jsonResponse(UsageSchema, "The usage"), ...errorResponses(401, 403, 404) },
  }),
  async (c) => {
    const id = c.req.valid("param").id.toLowerCase();
    const [principal, row] = await principalWith(
      c,
      usageQuery("?", [isUuid(id) ? id : ""], configOf(c.env).defaultPlanType, configOf(c.env).storageQuotaBytes),
    );
    requireSuperAdmin(principal);
    if (!row?.status) throw notFound("customer");
    return c.json(row.usage, 200);
  },
);
