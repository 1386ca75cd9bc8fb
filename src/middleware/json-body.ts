import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { ApiError, invalidArgument } from "../lib/errors";

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/** Deeper bodies are refused before anything parses or walks them: no API body nests near this. */
export const MAX_JSON_DEPTH = 32;

const unsupportedMediaType = () =>
  new ApiError("UNSUPPORTED_MEDIA_TYPE", "UNSUPPORTED_MEDIA_TYPE", "Send the request body as application/json.");

/**
 * A JSON API takes JSON: a body of any other type is refused before anything reads it. (The
 * one multipart upload is routed around this middleware: see upload-body.ts.)
 */
export const requireJsonBodies = createMiddleware<AppEnv>(async (c, next) => {
  const method = c.req.method;
  if (method === "POST" || method === "PUT" || method === "PATCH" || method === "DELETE") {
    const length = c.req.header("Content-Length");
    const hasBody = (length !== undefined && length !== "0") || c.req.header("Transfer-Encoding") !== undefined;
    const contentType = c.req.header("Content-Type") ?? "";
    const mediaType = (contentType.split(";")[0] ?? "").trim();
    if (hasBody && !JSON_MEDIA_TYPE.test(mediaType)) throw unsupportedMediaType();
    // "application/json\t; charset=utf-8" is legal (RFC 9110) but trips the router's exact match.
    if (hasBody && contentType !== mediaType && !/^[^\s;]+(; [^;]+)*$/.test(contentType)) {
      const headers = new Headers(c.req.raw.headers);
      headers.set(
        "Content-Type",
        contentType
          .split(";")
          .map((p) => p.trim())
          .join("; "),
      );
      c.req.raw = new Request(c.req.raw, { headers });
    }
    if (hasBody) c.set("jsonBody", parseStorableJson(await c.req.text()));
  }
  await next();
});

/**
 * The deepest nesting of arrays and objects in a JSON text, counted outside strings; it stops
 * counting past `limit`. Malformed text is left to the parser.
 */
export function jsonNestingDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c)
        i++; // backslash: the next character is escaped
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return deepest;
}

/**
 * The first place in a parsed body that cannot round-trip through storage, or null: a lone
 * UTF-16 surrogate (D1 keeps UTF-8 and would store U+FFFD) or a "__proto__" key (lost when
 * objects are rebuilt). Iterative, so no body can exhaust the stack.
 */
export function findUnstorable(body: unknown): string | null {
  const stack: [unknown, string][] = [[body, ""]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [value, path] = top;
    if (typeof value === "string") {
      if (!value.isWellFormed()) return path;
    } else if (value && typeof value === "object") {
      const keys = Object.keys(value);
      // Pushed in reverse so the first offending field in document order is the one reported.
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i] ?? "";
        const at = `${path}${path ? "." : ""}${key}`;
        if (key === "__proto__" || !key.isWellFormed()) return at;
        stack.push([(value as Record<string, unknown>)[key], at]);
      }
    }
  }
  return null;
}

/** Parses a write's body once; refuses, whole, what is nested too deep or cannot be stored as sent. */
function parseStorableJson(text: string): unknown {
  if (jsonNestingDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw invalidArgument("JSON_TOO_DEEP", `The body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels.`, [
      { field: "(body)", description: `nesting deeper than ${MAX_JSON_DEPTH}` },
    ]);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined; // the route's validator answers INVALID_JSON_BODY
  }
  const field = findUnstorable(body);
  if (field !== null) {
    throw invalidArgument(
      "UNSTORABLE_VALUE",
      'The body holds a lone UTF-16 surrogate or a "__proto__" key, which cannot be stored as sent.',
      [{ field: field || "(body)", description: "lone surrogate or reserved key" }],
    );
  }
  return body;
}
