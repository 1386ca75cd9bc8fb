import { createRoute, z } from "@hono/zod-openapi";
import { principalOf, requireOwnCustomer } from "../../auth/principal";
import { customerExample } from "../../domain/customer";
import { errorResponses } from "../../lib/errors";
import { etagOf } from "../../lib/etag";
import { authenticated, defineRoute, jsonResponse } from "../../lib/route";
import { isoOrNull, iso } from "../../lib/time";
import { READ } from "../../resources/store";
import { agentsOnly, SERVICE_AGENT_TAGS, SERVICE_AGENTS } from "./caller";

// The agent's view of its customer, limited as the platform limits it: who the customer is, not
// how to reach its owner or its webhooks (no email, phone, address, webhook settings or secret).
const ServiceAgentCustomer = z
  .object({
    id: z.uuid(),
    name: z.string(),
    detail: z.string(),
    tm_create: z.string(),
    tm_update: z.string(),
    tm_delete: z.string().nullable(),
  })
  .openapi("ServiceAgentCustomer", {
    example: {
      id: customerExample.id,
      name: customerExample.name,
      detail: customerExample.detail,
      tm_create: customerExample.tm_create,
      tm_update: customerExample.tm_update,
      tm_delete: null,
    },
  });

export const getServiceAgentCustomer = defineRoute(
  createRoute({
    method: "get",
    path: `${SERVICE_AGENTS}/customer`,
    tags: SERVICE_AGENT_TAGS,
    summary: "The logged-in agent's customer (a limited view)",
    description:
      "Its id, name, detail and times only, for every agent of the customer. The customer's full record is GET /v1.0/customer (admins and managers).",
    security: authenticated,
    middleware: [agentsOnly],
    responses: { 200: jsonResponse(ServiceAgentCustomer, "The caller's customer"), ...errorResponses(401, 403) },
  }),
  async (c) => {
    // The credential lookup already joined the customer row: no second query.
    const customer = requireOwnCustomer(await principalOf(c), READ);
    c.header("ETag", etagOf(customer.version));
    return c.json(
      {
        id: customer.id,
        name: customer.name,
        detail: customer.detail,
        tm_create: iso(customer.tmCreate),
        tm_update: iso(customer.tmUpdate),
        tm_delete: isoOrNull(customer.tmDelete),
      },
      200,
    );
  },
);
