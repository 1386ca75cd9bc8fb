import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { permissionDenied } from "../lib/errors";
import { isReadMethod } from "../lib/route";
import { isAllowedOrigin } from "./cors";

/**
 * CSRF defence in depth, behind the `token` cookie's SameSite=Strict: a state-changing request
 * that a browser marks as coming from another site is refused before anything reads it, unless
 * that origin is one CORS_ORIGINS allows. Browsers send `Origin` with every POST, PUT and DELETE
 * (`null` from sandboxes and some redirects, refused too); `Sec-Fetch-Site` covers the rest.
 * API clients send neither and are not affected.
 */
export const refuseCrossSiteWrites = createMiddleware<AppEnv>(async (c, next) => {
  if (!isReadMethod(c.req.method)) {
    const origin = c.req.header("Origin");
    const crossSite =
      origin !== undefined
        ? origin !== new URL(c.req.url).origin && !isAllowedOrigin(origin, c.env)
        : c.req.header("Sec-Fetch-Site") === "cross-site";
    if (crossSite) {
      throw permissionDenied(
        "CROSS_SITE_REQUEST_REFUSED",
        "A request from another site may not change anything here. Use this site's own pages, or an API client.",
      );
    }
  }
  await next();
});
