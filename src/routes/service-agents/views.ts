import { z } from "@hono/zod-openapi";
import { invalidArgument } from "../../lib/errors";
import type { RouteModule } from "../../lib/route";
import { enumFieldOf, kindSpecs } from "../../resources/kinds";
import { readRoutes, type RouteOptions, type RowScope } from "../resources/crud";
import { AGENT_ROUTES, agentIdOf, SERVICE_AGENTS } from "./caller";

// The agent's read-only views of its customer's data, from the same list/get factory as the
// customer-level paths: its colleagues, its customer's tags and transcriptions, and its own
// extensions (those its `extension` addresses name, as the platform has it).

/** The extensions the calling agent's `extension` addresses name (their target is the extension's id). */
const ownExtensions: RowScope = {
  async where(c) {
    return {
      sql: `"id" IN (SELECT lower(json_extract(a.value, '$.target')) FROM agents AS g, json_each(g.addresses) AS a
        WHERE g.id = ? AND json_extract(a.value, '$.type') = 'extension')`,
      params: [await agentIdOf(c)],
    };
  },
  // Nothing writes extensions here.
  owns: async () => false,
};

// The contract's filter of transcribes by their origin: both parts or neither.
const referenceType = enumFieldOf(kindSpecs.transcriptions, "reference_type");
const TranscribeFilter = z.object({
  reference_type: referenceType.optional().openapi({ param: { name: "reference_type", in: "query" } }),
  reference_id: z
    .uuid()
    .optional()
    .openapi({ param: { name: "reference_id", in: "query" } }),
});
const transcribeFilter: RouteOptions["listFilter"] = {
  query: TranscribeFilter,
  where(query) {
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

export const serviceAgentViewRoutes: RouteModule[] = [
  ...readRoutes("agents", `${SERVICE_AGENTS}/agents`, AGENT_ROUTES),
  ...readRoutes("extensions", `${SERVICE_AGENTS}/extensions`, {
    ...AGENT_ROUTES,
    scope: ownExtensions,
    listDescription: "The calling agent's own extensions: those its `extension` addresses name.",
  }),
  ...readRoutes("tags", `${SERVICE_AGENTS}/tags`, AGENT_ROUTES),
  // The list only: the contract has no single transcribe here.
  readRoutes("transcriptions", `${SERVICE_AGENTS}/transcribes`, {
    ...AGENT_ROUTES,
    listFilter: transcribeFilter,
    listDescription:
      "The customer's transcriptions; reference_type and reference_id (together) narrow them to one origin.",
  })[0],
];
