import type { Context } from "hono";
import type { AppEnv } from "../app-env";

// The platform ignores body fields it does not use, and its clients rely on that. Schemas that
// follow it are plain (non-strict) objects: validation strips what they do not know, and this
// names what was stripped, so a typo stays visible to whoever looks.
export const IGNORED_FIELDS_HEADER = "X-Ignored-Fields";

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** After a JSON body validated: the top-level fields of the body that the validated data lacks. */
export async function noteIgnoredFields(c: Context<AppEnv>, data: unknown): Promise<void> {
  // The body parsed by the JSON check, or (a body sent without a length) by the validator.
  const raw = c.get("jsonBody") ?? (await c.req.json().catch(() => undefined));
  if (!isPlainObject(raw) || !isPlainObject(data)) return;
  const ignored = Object.keys(raw)
    .filter((k) => !Object.hasOwn(data, k))
    .sort();
  if (ignored.length) c.header(IGNORED_FIELDS_HEADER, ignored.join(","));
}

/** The header in the OpenAPI document, for the responses of routes that ignore unknown fields. */
export const ignoredFieldsHeaderDoc = {
  [IGNORED_FIELDS_HEADER]: {
    description:
      "Body fields that were ignored (unknown, or read-only), comma-separated and sorted; absent when none were.",
    schema: { type: "string" as const },
  },
};
