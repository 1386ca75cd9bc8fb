import type { Context, Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { TrieRouter } from "hono/router/trie-router";
import type { AppEnv } from "../app-env";
import { ApiError } from "../lib/errors";

export const routeNotFound = (c: Context) =>
  new ApiError("NOT_FOUND", "ROUTE_NOT_FOUND", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`);

/**
 * Answers 404 ROUTE_NOT_FOUND for a method and path no route serves, before any other check: an
 * unknown path is not the place to learn about body limits, media types or credentials (and a
 * client probing paths gets the same answer with or without a key). The routes are read from
 * the app once, on the first request, after every one is registered; middleware (method ALL)
 * is not a route.
 */
export function onlyKnownRoutes(app: Hono<AppEnv>) {
  let known: TrieRouter<true> | undefined;
  const build = () => {
    const router = new TrieRouter<true>();
    for (const route of app.routes) if (route.method !== "ALL") router.add(route.method, route.path, true);
    return router;
  };
  return createMiddleware<AppEnv>(async (c, next) => {
    known ??= build();
    // As Hono itself does, HEAD is served by the GET route.
    const method = c.req.method === "HEAD" ? "GET" : c.req.method;
    if (known.match(method, c.req.path)[0].length === 0) throw routeNotFound(c);
    await next();
  });
}
