import type { Context } from "hono";
import type { AppEnv } from "../app-env";

// The platform ignores body fields it does not use, and its clients rely on that. Schemas that
// follow it are plain (non-strict) objects: validation strips what they do not know, and this
// names what was stripped, so a typo stays visible to whoever looks.
export const IGNORED_FIELDS_HEADER = "X-Ignored-Fields";
/** Past this many characters the list stops, with a marker saying how many names were left out. */
export const MAX_IGNORED_FIELDS_HEADER = 1024;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

// RFC 9110 tchar, less "%": the escape character of the names that are no token.
const PLAIN = /[!#$&'*+\-.^_`|~0-9A-Za-z]/;
const utf8 = new TextEncoder();

/**
 * A field name as a header token: token characters as they are, every other byte of its UTF-8
 * (CR, LF, NUL, DEL, non-ASCII, "%" itself) percent-encoded. Lone surrogates become U+FFFD.
 */
export function headerToken(name: string): string {
  let out = "";
  for (const ch of name) {
    if (PLAIN.test(ch)) out += ch;
    else for (const byte of utf8.encode(ch)) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/**
 * The header's value for these names: sorted, each a token, at most MAX_IGNORED_FIELDS_HEADER
 * characters; names that do not fit are counted in a last item `...(N more)` (it holds a space
 * and parentheses, which no encoded name does). An empty name is no token: counted, not listed.
 */
export function ignoredFieldsHeaderValue(names: string[]): string {
  const sorted = [...names].sort();
  // Room kept for the marker, at its longest.
  const reserve = `,...(${sorted.length} more)`.length;
  const listed: string[] = [];
  let length = 0;
  for (const [i, name] of sorted.entries()) {
    if (!name) continue;
    // Encoded only while there is room (the rest are only counted); a longer name cannot fit anyway.
    const token = headerToken(name.slice(0, MAX_IGNORED_FIELDS_HEADER + 1));
    const needed = length + (listed.length ? 1 : 0) + token.length;
    const last = i === sorted.length - 1;
    if (needed + (last ? 0 : reserve) > MAX_IGNORED_FIELDS_HEADER) break;
    listed.push(token);
    length = needed;
  }
  const left = sorted.length - listed.length;
  return left ? [...listed, `...(${left} more)`].join(",") : listed.join(",");
}

/** After a JSON body validated: the top-level fields of the body that the validated data lacks. */
export async function noteIgnoredFields(c: Context<AppEnv>, data: unknown): Promise<void> {
  // The body parsed by the JSON check, or (a body sent without a length) by the validator.
  const raw = c.get("jsonBody") ?? (await c.req.json().catch(() => undefined));
  if (!isPlainObject(raw) || !isPlainObject(data)) return;
  const ignored = Object.keys(raw).filter((k) => !Object.hasOwn(data, k));
  // The exact names, for the audit trail; the header carries them as tokens.
  c.set("ignoredFields", ignored);
  if (ignored.length) c.header(IGNORED_FIELDS_HEADER, ignoredFieldsHeaderValue(ignored));
}

/** The header in the OpenAPI document, for the responses of routes that ignore unknown fields. */
export const ignoredFieldsHeaderDoc = {
  [IGNORED_FIELDS_HEADER]: {
    description: `Body fields that were ignored (unknown, or read-only), comma-separated and sorted; absent when none were. A name that is no header token is percent-encoded (UTF-8). At most ${MAX_IGNORED_FIELDS_HEADER} characters: the names that do not fit are counted in a last item \`...(N more)\`.`,
    schema: { type: "string" as const },
  },
};
