import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "../app-env";
import { ApiError } from "../lib/errors";

export const routeNotFound = (c: Context) =>
  new ApiError("NOT_FOUND", "ROUTE_NOT_FOUND", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`);

/**
 * Answers 404 ROUTE_NOT_FOUND for a method and path no route serves, before any other check: an
 * unknown path is not the place to learn about body limits, media types or credentials (and a
 * client probing paths gets the same answer with or without a key). Hono matches every handler
 * before the first middleware runs; middleware is bound to all methods, a route to its own (HEAD
 * is matched as GET, as Hono serves it).
 */
export const onlyKnownRoutes = createMiddleware<AppEnv>(async (c, next) => {
  if (!matchedRoutes(c).some((route) => route.method !== "ALL")) throw routeNotFound(c);
  await next();
});
