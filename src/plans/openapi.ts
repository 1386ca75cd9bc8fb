import type { RouteConfig } from "@hono/zod-openapi";
import type { ResourceKind } from "../db/owned";
import { ErrorEnvelopeSchema } from "../lib/errors";
import { PLAN_LIMITS, PLAN_TYPES, type LimitedResource } from "./table";

const envelope = { "application/json": { schema: ErrorEnvelopeSchema } };

const limitsOf = (resource: LimitedResource) =>
  PLAN_TYPES.map((plan) => `${plan} ${PLAN_LIMITS[plan][resource] || "unlimited"}`).join(", ");

/** The 429 of an upload: the storage quota. */
export const quotaResponses = (): RouteConfig["responses"] => ({
  429: {
    description:
      "RESOURCE_EXHAUSTED, reason STORAGE_QUOTA_EXCEEDED: the file's bytes do not fit in the customer's storage quota (STORAGE_QUOTA_BYTES). No Retry-After: delete files to make room.",
    content: envelope,
  },
});

/** The 429 a create route can answer, documented with the figures of the plan table (none: no 429). */
export function createLimitResponses(kind: ResourceKind): RouteConfig["responses"] {
  const resource: LimitedResource | undefined =
    kind === "numbers"
      ? "virtual_numbers"
      : (["agents", "extensions", "queues", "trunks", "flows"] as const).find((k) => k === kind);
  if (!resource) return {};
  const what = kind === "numbers" ? "virtual numbers (+899…; other numbers are not limited)" : kind;
  return {
    429: {
      description: `RESOURCE_EXHAUSTED, reason RESOURCE_LIMIT_EXCEEDED: the customer's plan allows no more ${what} (${limitsOf(resource)}). No Retry-After: delete some, or move to a larger plan.`,
      content: envelope,
    },
  };
}
