import { createRoute } from "@hono/zod-openapi";
import { requireSuperAdmin } from "../../auth/principal";
import { CustomerSchema, serializeCustomer } from "../../domain/customer";
import { errorResponses } from "../../lib/errors";
import { authenticated, defineRoute, jsonResponse } from "../../lib/route";
import { lifecycleOf, unwrap } from "../../lifecycle/customer-lifecycle-client";
import { CustomerIdParams, findCustomerOr404 } from "./shared";

const tags = ["Customers (admin)"];

/** An operator's POST that runs one lifecycle transition on a customer and answers the result. */
function operatorTransition(action: "freeze" | "recover", summary: string, result: string, description?: string) {
  return defineRoute(
    createRoute({
      method: "post",
      path: `/v1.0/customers/{id}/${action}`,
      tags,
      summary,
      description,
      security: authenticated,
      request: { params: CustomerIdParams },
      responses: { 200: jsonResponse(CustomerSchema, result), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      requireSuperAdmin(c.get("principal"));
      const { id } = await findCustomerOr404(c.get("db"), c.req.valid("param").id);
      return c.json(serializeCustomer(unwrap(await lifecycleOf(c.env, id)[action](id))), 200);
    },
    { writesEvents: true },
  );
}

export const freezeCustomer = operatorTransition(
  "freeze",
  "Freeze a customer",
  "The frozen customer",
  "Schedules the customer's permanent deletion after the grace period, as its own unregister would.",
);

export const recoverCustomer = operatorTransition("recover", "Recover a frozen customer", "The recovered customer");

export const deleteCustomer = defineRoute(
  createRoute({
    method: "delete",
    path: "/v1.0/customers/{id}",
    tags,
    summary: "Delete a customer",
    description:
      "Permanent deletion now: credentials revoked at once, PII anonymized in storage, and every owned resource removed by the cascade (follow it at /v1.0/customers/{id}/deletion). The response shows the customer as it was, with `status: deleted` and `tm_delete` set. An expired signup is closed for good: 409, nothing changes.",
    security: authenticated,
    request: { params: CustomerIdParams },
    responses: {
      200: jsonResponse(CustomerSchema, "The customer as it was, now deleted"),
      ...errorResponses(401, 403, 404, 409),
    },
  }),
  async (c) => {
    requireSuperAdmin(c.get("principal"));
    const before = await findCustomerOr404(c.get("db"), c.req.valid("param").id);
    const after = unwrap(await lifecycleOf(c.env, before.id).deleteNow(before.id));
    // Already deleted earlier: the stored (anonymized) row is all there is to show.
    const shown =
      before.status === "deleted"
        ? after
        : {
            ...before,
            status: after.status,
            tmDelete: after.tmDelete,
            tmUpdate: after.tmUpdate,
            tmDeletionScheduled: null,
          };
    return c.json(serializeCustomer(shown), 200);
  },
  { writesEvents: true },
);
