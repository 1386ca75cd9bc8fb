import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { requireSuperAdmin } from "../../auth/principal";
import { billingAccounts } from "../../db/schema";
import { errorResponses } from "../../lib/errors";
import { etagOf } from "../../lib/etag";
import { authenticated, defineRoute, jsonBody, jsonResponse } from "../../lib/route";
import { operationIdOf } from "../../lib/operation-id";
import { updateBillingAccountAsOperator } from "../../resources/billing-account-operator";
import { kindSpecs } from "../../resources/kinds";
import { IdParams } from "./crud";
import { schemasFor, serializerFor } from "../../resources/schemas";

const { Resource } = schemasFor(kindSpecs.billing_accounts);
const serialize = serializerFor(kindSpecs.billing_accounts);

const BalanceChange = z
  .strictObject({ balance: z.number().finite().min(0).max(1e12) })
  .openapi("BillingAccountBalanceChange", { example: { balance: 10 } });

/** The operator's forced balance changes: one statement each, so concurrent ones all count. */
const forceRoute = (name: "balance_add_force" | "balance_subtract_force", sign: 1 | -1) =>
  defineRoute(
    createRoute({
      method: "post",
      path: `/v1.0/billing_accounts/{id}/${name}`,
      operationId: operationIdOf("post", `/v1.0/billing_accounts/{id}/${name}`),
      tags: ["Billing Accounts"],
      summary:
        sign > 0
          ? "Add to a billing account's balance (operator)"
          : "Subtract from a billing account's balance (operator)",
      description: "ProjectSuperAdmin only, on any customer's account. Forced: the balance may go below zero.",
      security: authenticated,
      request: { params: IdParams, body: jsonBody(BalanceChange) },
      responses: { 200: jsonResponse(Resource, "The billing account"), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      requireSuperAdmin(c.get("principal"));
      const amount = sign * c.req.valid("json").balance;
      const row = await updateBillingAccountAsOperator(c.get("db"), c.req.valid("param").id, {
        balance: sql`${billingAccounts.balance} + ${amount}`,
      });
      c.header("ETag", etagOf(row.version));
      return c.json(serialize(row), 200);
    },
  );

export const billingForceRoutes = [forceRoute("balance_add_force", 1), forceRoute("balance_subtract_force", -1)];
