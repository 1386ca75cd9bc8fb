import { OpenAPIHono, type Hook } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./app-env";
import { ConfigError, configOf } from "./config";
import { authenticate } from "./auth/principal";
import { limitWritesByAccountState } from "./lifecycle/guards";
import { referenceViolation } from "./lib/db-errors";
import { ApiError, envelope, invalidArgument } from "./lib/errors";
import { noteIgnoredFields } from "./lib/ignored-fields";
import { isReadMethod, registerRoutes, routePropertiesOf } from "./lib/route";
import { audit } from "./middleware/audit";
import { d1Session } from "./middleware/d1-session";
import { idempotency } from "./middleware/idempotency";
import { requireJsonBodies } from "./middleware/json-body";
import { rateLimit } from "./middleware/rate-limit";
import { unlessUpload, uploadBodyLimit } from "./middleware/upload-body";
import { routes } from "./routes";
import { dispatchPendingEvents, shouldDispatchAfterWrite } from "./webhooks/dispatch";
import { DOCS_PATH, docsPage } from "./routes/docs";
import { registerAuthPages } from "./routes/auth";
import { setResponseHeader } from "./lib/response-headers";
import { corsForBrowsers } from "./middleware/cors";
import { runAfterResponse } from "./lib/after-response";

export const MAX_BODY_BYTES = 64 * 1024;

const logDispatchError = (err: unknown) =>
  console.error("event dispatch failed; the cron retries", err instanceof Error ? err.message : String(err));

const validationHook: Hook<unknown, AppEnv, string, unknown> = async (result, c) => {
  if (result.success) {
    if (result.target === "json") await noteIgnoredFields(c, result.data);
    return;
  }
  const details = result.error.issues.map((issue) => {
    const keys = issue.code === "unrecognized_keys" ? (issue as { keys: string[] }).keys : null;
    return {
      field: keys ? keys.join(",") : issue.path.join(".") || result.target,
      location: result.target,
      description: keys ? "unknown field" : issue.message,
    };
  });
  throw invalidArgument("VALIDATION_FAILED", "The request has invalid or missing fields.", details);
};

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ConfigError) {
    // The operator's to fix, named in the log; a client learns only that the service cannot answer.
    console.error(err.message);
    return new ApiError("INTERNAL", "MISCONFIGURED", "The service is misconfigured; its log names the setting.");
  }
  // A write that named another customer's resource, or none: refused by the statement itself.
  const reference = referenceViolation(err);
  if (reference) {
    const noun = reference === "tag_ids" ? "tag" : "flow";
    return new ApiError("NOT_FOUND", "NOT_FOUND", `The ${noun} was not found.`, [
      { field: reference, description: `names no ${noun} of this customer` },
    ]);
  }
  if (err instanceof HTTPException) {
    if (err.status === 400 && /malformed json/i.test(err.message)) {
      return invalidArgument("INVALID_JSON_BODY", "The request body is not valid JSON.");
    }
    if (err.status === 413) {
      return new ApiError(
        "PAYLOAD_TOO_LARGE",
        "PAYLOAD_TOO_LARGE",
        `The request body exceeds ${MAX_BODY_BYTES} bytes.`,
      );
    }
    if (err.status === 415)
      return new ApiError(
        "UNSUPPORTED_MEDIA_TYPE",
        "UNSUPPORTED_MEDIA_TYPE",
        "Send the request body as application/json.",
      );
    if (err.status === 400) return invalidArgument("BAD_REQUEST", err.message);
  }
  // Only the error's type and message, never request data: secrets must not reach logs.
  console.error("unhandled error", err instanceof Error ? `${err.name}: ${err.message}\n${err.stack}` : String(err));
  return new ApiError("INTERNAL", "INTERNAL", "An internal error occurred.");
}

function errorResponse(c: Context<AppEnv>, apiError: ApiError) {
  const requestId = c.get("requestId") ?? crypto.randomUUID();
  for (const [name, value] of Object.entries(apiError.headers)) c.header(name, value);
  c.header("X-Request-Id", requestId);
  c.header("X-Content-Type-Options", "nosniff");
  return c.json(envelope(apiError, requestId), apiError.code);
}

export function createApp() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.use("*", runAfterResponse);
  app.use("*", async (c, next) => {
    const requestId = crypto.randomUUID();
    c.set("requestId", requestId);
    // Parsed on the first request (then cached): a bad setting fails every request, loudly.
    configOf(c.env);
    await next();
    setResponseHeader(c, "X-Request-Id", requestId);
    setResponseHeader(c, "X-Content-Type-Options", "nosniff");
    // Writes of routes declared `writesEvents` hand their customer events to the webhook queue
    // now rather than at the next cron run; other writes (resources, access keys) dispatch only to
    // take over expired claims, at most once a minute per isolate.
    if (
      !isReadMethod(c.req.method) &&
      c.res.status < 400 &&
      shouldDispatchAfterWrite(routePropertiesOf(c).writesEvents === true)
    ) {
      c.executionCtx.waitUntil(dispatchPendingEvents(c.env).catch(logDispatchError));
    }
  });
  app.use("*", corsForBrowsers);
  app.use(
    "*",
    unlessUpload(
      bodyLimit({
        maxSize: MAX_BODY_BYTES,
        onError: () => {
          throw new HTTPException(413);
        },
      }),
    ),
  );
  app.use("*", uploadBodyLimit);
  app.use("*", d1Session);
  app.use("*", unlessUpload(requireJsonBodies));
  app.use("/v1.0/*", rateLimit, authenticate, limitWritesByAccountState);
  app.use("/auth/unregister", authenticate);
  app.use("*", audit, idempotency);

  registerRoutes(app, routes);
  registerAuthPages(app);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT or access key",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "tokenQuery", {
    type: "apiKey",
    in: "query",
    name: "token",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "accesskeyQuery", {
    type: "apiKey",
    in: "query",
    name: "accesskey",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "tokenCookie", {
    type: "apiKey",
    in: "cookie",
    name: "token",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "VoIPBIN Customer API",
      version: "1.0.0",
      description:
        "Customer accounts of the VoIPBIN CPaaS platform: the admin API over all customers, the self API over your own, authentication, access keys, signup and the account lifecycle.",
    },
  });
  app.get(DOCS_PATH, docsPage);
  // A trailing slash is how many people type it.
  app.get(`${DOCS_PATH}/`, (c) => c.redirect(DOCS_PATH, 301));

  app.notFound((c) =>
    errorResponse(
      c,
      new ApiError("NOT_FOUND", "ROUTE_NOT_FOUND", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`),
    ),
  );
  app.onError((err, c) => errorResponse(c, toApiError(err)));
  return app;
}
