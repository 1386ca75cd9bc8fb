import type { Context } from "hono";
import { invalidArgument } from "./errors";

/** Strong ETag of a versioned row. */
export const etagOf = (version: number) => `"${version}"`;

/** The version an If-Match header pins, or undefined when the client did not send one. */
export function ifMatchVersion(c: Context): number | undefined {
  const header = c.req.header("If-Match");
  if (header === undefined || header.trim() === "*") return undefined;
  const match = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(header);
  if (!match) throw invalidArgument("INVALID_IF_MATCH", "If-Match must be an ETag this API issued.", [{ field: "If-Match" }]);
  return Number(match[1]);
}
