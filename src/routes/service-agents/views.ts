import { createRoute, z } from "@hono/zod-openapi";
import { principalOf, requireOwnCustomer } from "../../auth/principal";
import type { ResourceKind } from "../../db/owned";
import { CustomerSchema, serializeCustomer } from "../../domain/customer";
import { errorResponses, invalidArgument } from "../../lib/errors";
import { etagOf } from "../../lib/etag";
import { authenticated, defineRoute, jsonResponse, type RouteModule } from "../../lib/route";
import { kindSpecs } from "../../resources/kinds";
import { contactLookupAt } from "../resources/contacts";
import { READ, readRoutes } from "../resources/crud";
import { downloadRoute } from "../storage-files/download";
import { SERVICE_AGENT_TAGS } from "./me";

// The logged-in agent's read-only views of its customer's data, at the contract's
// /v1.0/service_agents/* paths: the same list/get/download/lookup handlers as the customer-level
// paths, open to every agent of the customer (and its access keys), never to another customer.
const base = "/v1.0/service_agents";
const tags = SERVICE_AGENT_TAGS;

const getCustomer = defineRoute(
  createRoute({
    method: "get",
    path: `${base}/customer`,
    tags,
    summary: "The logged-in agent's customer",
    description:
      "Read-only, for any agent of the customer; never carries the webhook signing secret (GET /v1.0/customer shows it to a CustomerAdmin).",
    security: authenticated,
    responses: { 200: jsonResponse(CustomerSchema, "The caller's customer"), ...errorResponses(401, 403) },
  }),
  async (c) => {
    // The credential lookup already joined the customer row: no second query.
    const customer = requireOwnCustomer(await principalOf(c), READ);
    c.header("ETag", etagOf(customer.version));
    return c.json(serializeCustomer(customer), 200);
  },
);

// The contract's filter of transcribes by their origin: both parts or neither.
const referenceType = kindSpecs.transcriptions.fields.find((f) => f.api === "reference_type")!.schema;
const TranscribeFilter = z.object({
  reference_type: referenceType.optional().openapi({ param: { name: "reference_type", in: "query" } }),
  reference_id: z
    .uuid()
    .optional()
    .openapi({ param: { name: "reference_id", in: "query" } }),
});
const transcribeFilter = {
  query: TranscribeFilter,
  where(query: Record<string, any>) {
    const { reference_type: type, reference_id: id } = query as z.infer<typeof TranscribeFilter>;
    if (type === undefined && id === undefined) return undefined;
    if (type === undefined || id === undefined) {
      const missing = type === undefined ? "reference_type" : "reference_id";
      throw invalidArgument("REFERENCE_FILTER_INCOMPLETE", "Give reference_type and reference_id together.", [
        { field: missing, location: "query" },
      ]);
    }
    return { sql: `"reference_type" = ? AND "reference_id" = ?`, params: [type, id.toLowerCase()] };
  },
};

/** The views: [path under service_agents, kind, list only]. */
const VIEWS: [string, ResourceKind, boolean][] = [
  ["agents", "agents", false],
  ["extensions", "extensions", false],
  ["files", "files", false],
  ["tags", "tags", false],
  ["contacts", "contacts", false],
  ["transcribes", "transcriptions", true],
];

export const serviceAgentViewRoutes: RouteModule<any>[] = [
  getCustomer,
  // Before /contacts/{id}, so "lookup" is not read as an id.
  contactLookupAt(`${base}/contacts/lookup`, tags),
  ...VIEWS.flatMap(([name, kind, listOnly]) => {
    const [list, get] = readRoutes(kind, `${base}/${name}`, {
      tags,
      mask: READ,
      listFilter: kind === "transcriptions" ? transcribeFilter : undefined,
    });
    return listOnly ? [list] : [list, get];
  }),
  downloadRoute(`${base}/files`, tags),
];
