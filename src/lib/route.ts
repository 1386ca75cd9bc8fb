import type { OpenAPIHono, RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "../app-env";

/**
 * What the middleware needs to know about a route, declared where the route is defined so that
 * a new route cannot be left out of a list kept elsewhere.
 */
export interface RouteProperties {
  /** A creating POST that honours `Idempotency-Key` (middleware/idempotency.ts). */
  idempotent?: boolean;
  /** Its writes can record a customer event: dispatch them to the webhook queue right away. */
  writesEvents?: boolean;
  /** Takes a multipart file upload instead of a JSON body, with its own size limit. */
  upload?: boolean;
}

/** A route definition with its handler: one file an endpoint, registered from an area's index. */
export interface RouteModule<R extends RouteConfig = RouteConfig> {
  route: R;
  handler: RouteHandler<R, AppEnv>;
  properties: RouteProperties;
}

export const defineRoute = <R extends RouteConfig>(
  route: R,
  handler: RouteHandler<R, AppEnv>,
  properties: RouteProperties = {},
): RouteModule<R> => ({ route, handler, properties });

/** The properties of every registered route, by the method and path Hono matches it on. */
const propertiesByRoute = new Map<string, RouteProperties>();
// @hono/zod-openapi registers `/a/{id}` as `/a/:id`.
const honoPath = (path: string) => path.replaceAll(/\/{(.+?)}/g, "/:$1");
const routeKey = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

export function registerRoutes(app: OpenAPIHono<AppEnv>, modules: RouteModule<any>[]): void {
  for (const { route, handler, properties } of modules) {
    propertiesByRoute.set(routeKey(route.method, honoPath(route.path)), properties);
    app.openapi(route, handler);
  }
}

const NONE: RouteProperties = Object.freeze({});

/**
 * The properties of the route that will answer this request. Hono matches every handler before
 * the first middleware runs; the first one bound to a method (middleware is bound to all) is the
 * route that answers, as routes are registered in order and never fall through.
 */
export function routePropertiesOf(c: Context<AppEnv>): RouteProperties {
  const route = matchedRoutes(c).find((r) => r.method !== "ALL");
  return (route && propertiesByRoute.get(routeKey(route.method, route.path))) || NONE;
}

const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Methods that change nothing: no write session, no audit entry, allowed on a frozen account. */
export const isReadMethod = (method: string) => READ_METHODS.has(method);

/** Every credential transport the platform's clients use, for the OpenAPI document. */
export const authenticated: RouteConfig["security"] = [
  { bearerAuth: [] },
  { tokenQuery: [] },
  { accesskeyQuery: [] },
  { tokenCookie: [] },
];

export const jsonBody = <T>(schema: T, description?: string) => ({
  required: true,
  description,
  content: { "application/json": { schema } },
});

export const jsonResponse = <T>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
