import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env";

/** A route definition with its handler: one file an endpoint, registered from an area's index. */
export interface RouteModule<R extends RouteConfig = RouteConfig> {
  route: R;
  handler: RouteHandler<R, AppEnv>;
}

/** Every route names its operation (src/lib/operation-id.ts): generated clients need the name. */
export const defineRoute = <R extends RouteConfig & { operationId: string }>(
  route: R,
  handler: RouteHandler<R, AppEnv>,
): RouteModule<R> => ({
  route,
  handler,
});

export function registerRoutes(app: OpenAPIHono<AppEnv>, modules: RouteModule<any>[]): void {
  for (const { route, handler } of modules) app.openapi(route, handler);
}

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
