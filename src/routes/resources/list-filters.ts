import { z } from "@hono/zod-openapi";
import type { ResourceKind } from "../../db/owned";
import { invalidArgument } from "../../lib/errors";
import { isUuid } from "../../lib/validation";
import { enumFieldOf, kindSpecs } from "../../resources/kinds";
import type { RouteOptions } from "./crud";

// The query filters of the customer-level lists, as the platform applies them.

/** At most this many ids in one tag_ids filter, as the platform's agent-manager. */
export const MAX_TAG_IDS_FILTER = 100;
const NIL_UUID = "00000000-0000-0000-0000-000000000000";

const invalidTagIds = (message: string) =>
  invalidArgument("INVALID_TAG_IDS", message, [{ field: "tag_ids", location: "query" }]);

/**
 * `tag_ids` as the platform parses it: comma separated, blanks around and between commas
 * skipped; present but empty, a malformed or nil id, no id at all, or more than 100 is a 400.
 */
export function parseTagIds(raw: string): string[] {
  if (raw === "") throw invalidTagIds("tag_ids must not be empty when given.");
  const parts = raw.split(",");
  if (parts.length > MAX_TAG_IDS_FILTER) throw invalidTagIds(`tag_ids holds at most ${MAX_TAG_IDS_FILTER} ids.`);
  const ids: string[] = [];
  for (const part of parts.map((p) => p.trim())) {
    if (part === "") continue;
    if (!isUuid(part) || part === NIL_UUID) throw invalidTagIds("tag_ids contains an invalid tag id.");
    ids.push(part.toLowerCase());
  }
  if (ids.length === 0) throw invalidTagIds("tag_ids contains no tag id.");
  return ids;
}

const agentStatus = enumFieldOf(kindSpecs.agents, "status");

const AgentListQuery = z.object({
  status: agentStatus.optional().openapi({
    param: { name: "status", in: "query" },
    description: "Only agents with this status; empty or left out: any status.",
  }),
  tag_ids: z
    .string()
    .max(MAX_TAG_IDS_FILTER * 40)
    .optional()
    .openapi({
      param: { name: "tag_ids", in: "query" },
      description: `Comma-separated tag ids (at most ${MAX_TAG_IDS_FILTER}): only agents with at least one of them.`,
      example: "5e4a0680-804e-11ec-8477-2fea5968d85b,6f1b2c3d-804e-11ec-8477-2fea5968d85b",
    }),
});

const agentFilter: Pick<RouteOptions, "listFilter" | "listDescription"> = {
  listDescription:
    "Filters as the platform applies them: `status` keeps agents with that status, `tag_ids` those holding at least one of the tags; both together must both hold.",
  listFilter: {
    query: AgentListQuery,
    where(query) {
      const { status, tag_ids } = query as z.infer<typeof AgentListQuery>;
      const parts: string[] = [];
      const params: unknown[] = [];
      if (status) {
        parts.push(`"status" = ?`);
        params.push(status);
      }
      if (tag_ids !== undefined) {
        // One bound JSON array, however many ids: D1 allows 100 parameters per statement.
        parts.push(
          `EXISTS (SELECT 1 FROM json_each("tag_ids") AS t WHERE lower(t.value) IN (SELECT value FROM json_each(?)))`,
        );
        params.push(JSON.stringify(parseTagIds(tag_ids)));
      }
      return parts.length ? { sql: parts.join(" AND "), params } : undefined;
    },
  },
};

export const kindListFilters: Partial<Record<ResourceKind, Pick<RouteOptions, "listFilter" | "listDescription">>> = {
  agents: agentFilter,
};
