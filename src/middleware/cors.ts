import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { setResponseHeader } from "../lib/response-headers";
import { BOOKMARK_HEADER } from "./d1-session";
import { configOf } from "../config";

/** Browser origins allowed to call the API: CORS_ORIGINS, comma-separated (none by default). */
const allowedOrigin = (origin: string, c: { env: AppEnv["Bindings"] }) =>
  configOf(c.env).corsOrigins.includes(origin) ? origin : null;

const honoCors = cors({
  origin: allowedOrigin,
  allowHeaders: ["Authorization", "Content-Type", "If-Match", "Idempotency-Key", BOOKMARK_HEADER],
  exposeHeaders: [
    "ETag",
    "X-Request-Id",
    "Retry-After",
    "X-Ignored-Fields",
    "RateLimit",
    "RateLimit-Policy",
    BOOKMARK_HEADER,
  ],
  credentials: true,
});

/**
 * CORS for requests a browser sends cross-origin (they carry `Origin`). The rest (API clients,
 * servers) skip hono's middleware, which builds a placeholder Response before the route and copies
 * the final one after it; they only get `Vary: Origin`, so a shared cache keeps the two apart.
 */
export const corsForBrowsers = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.header("Origin") !== undefined) return honoCors(c, next);
  await next();
  setResponseHeader(c, "Vary", "Origin");
});
