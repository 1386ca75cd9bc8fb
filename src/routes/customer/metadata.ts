import { createRoute } from "@hono/zod-openapi";
import { requireOwnCustomer } from "../../auth/principal";
import { CustomerSchema, MetadataUpdateSchema, serializeCustomer } from "../../domain/customer";
import { updateCustomer } from "../../domain/customer-store";
import { errorResponses } from "../../lib/errors";
import { etagOf, ifMatch } from "../../lib/etag";
import { authenticated, defineRoute, jsonBody, jsonResponse } from "../../lib/route";

export const updateOwnMetadata = defineRoute(
  createRoute({
    method: "put",
    path: "/v1.0/customer/metadata",
    tags: ["Customer"],
    summary: "Update your own customer's metadata",
    security: authenticated,
    request: { body: jsonBody(MetadataUpdateSchema) },
    responses: {
      200: jsonResponse(CustomerSchema, "The updated customer"),
      ...errorResponses(400, 401, 403, 412),
    },
  }),
  async (c) => {
    const customer = requireOwnCustomer(c.get("principal"));
    const row = await updateCustomer(
      c.get("db"),
      customer.id,
      { rtpDebug: c.req.valid("json").rtp_debug },
      {
        current: customer,
        ifMatch: ifMatch(c),
      },
    );
    c.header("ETag", etagOf(row.version));
    return c.json(serializeCustomer(row), 200);
  },
  { writesEvents: true },
);
