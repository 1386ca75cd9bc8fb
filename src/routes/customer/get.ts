import { createRoute } from "@hono/zod-openapi";
import { principalOf, requireOwnCustomer } from "../../auth/principal";
import { Permission } from "../../db/schema";
import { CustomerWithSecretSchema, serializeOwnCustomer } from "../../domain/customer";
import { errorResponses } from "../../lib/errors";
import { etagOf } from "../../lib/etag";
import { authenticated, defineRoute, jsonResponse } from "../../lib/route";

export const getOwnCustomer = defineRoute(
  createRoute({
    method: "get",
    path: "/v1.0/customer",
    operationId: "GetCustomer",
    tags: ["Customer"],
    summary: "Get your own customer",
    description:
      "The caller's customer; a CustomerAdmin (or an access key) also gets its webhook signing secret, the only place it is shown.",
    security: authenticated,
    responses: {
      200: jsonResponse(CustomerWithSecretSchema, "The caller's customer"),
      ...errorResponses(401, 403),
    },
  }),
  async (c) => {
    // The credential lookup already joined the customer row: no second query.
    const principal = await principalOf(c);
    const customer = requireOwnCustomer(principal, Permission.CustomerAdmin | Permission.CustomerManager);
    c.header("ETag", etagOf(customer.version));
    return c.json(serializeOwnCustomer(customer, principal.permission), 200);
  },
);
