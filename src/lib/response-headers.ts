import type { Context } from "hono";

/**
 * Sets a header on the response a middleware gets back from `next()`. Hono's `c.header()` at that
 * point copies the whole Response (one copy per call, several per request on the hot path); the
 * responses this service builds have mutable headers, so they are set in place. A response with
 * immutable headers (one passed through from a `fetch`) still gets the copy.
 */
export function setResponseHeader(c: Context, name: string, value: string): void {
  try {
    c.res.headers.set(name, value);
  } catch {
    c.header(name, value);
  }
}
