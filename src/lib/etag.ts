import type { Context } from "hono";
import { invalidArgument } from "./errors";

/** Strong ETag of a versioned row. */
export const etagOf = (version: number) => `"${version}"`;

/** What an If-Match header asks for: any current representation, or one of these strong tags. */
export type IfMatch = "*" | readonly string[];

// RFC 9110 §8.8.3: entity-tag = [ W/ ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E / obs-text.
const ENTITY_TAG = /(W\/)?("[\x21\x23-\x7e\x80-\xff]*")/y;
const OWS = /[ \t]*/y;

function skip(re: RegExp, text: string, at: number): number {
  re.lastIndex = at;
  return re.exec(text) ? re.lastIndex : at;
}

/**
 * Parses an If-Match value (RFC 9110 §13.1.1): "*" or a comma-separated list of entity-tags
 * (empty list elements allowed). Weak tags are dropped: If-Match compares strongly, so they
 * never match. Null when the value is not such a list.
 */
export function parseIfMatch(header: string): IfMatch | null {
  if (header.trim() === "*") return "*";
  const strong: string[] = [];
  let at = skip(OWS, header, 0);
  while (at < header.length) {
    if (header[at] === ",") {
      at = skip(OWS, header, at + 1);
      continue;
    }
    ENTITY_TAG.lastIndex = at;
    const match = ENTITY_TAG.exec(header);
    if (!match) return null;
    if (!match[1]) strong.push(match[2] ?? "");
    at = skip(OWS, header, ENTITY_TAG.lastIndex);
    if (at < header.length && header[at] !== ",") return null;
  }
  return strong;
}

/** Strong comparison against the current representation's tag. */
export const ifMatchHolds = (condition: IfMatch, version: number) =>
  condition === "*" || condition.includes(etagOf(version));

/** The request's If-Match condition, or undefined when the client did not send one. */
export function ifMatch(c: Context): IfMatch | undefined {
  const header = c.req.header("If-Match");
  if (header === undefined) return undefined;
  const condition = parseIfMatch(header);
  if (condition === null)
    throw invalidArgument("INVALID_IF_MATCH", 'If-Match must be "*" or a list of entity-tags.', [
      { field: "If-Match" },
    ]);
  return condition;
}
