import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { clientIp } from "../auth/attempt-limiter";
import { auditLog } from "../db/schema";
import { IGNORED_FIELDS_HEADER } from "../lib/ignored-fields";
import { isUuid } from "../lib/validation";
import { isReadMethod } from "../lib/route";

const UUID_SEGMENT = /\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?=\/|$)/gi;

/** The customer a request acted on: the admin route's id, the caller's own, or the one created. */
async function affectedCustomer(path: string, ownCustomerId: string | undefined, res: Response): Promise<string> {
  const adminTarget = /^\/v1\.0\/customers\/([^/]+)/.exec(path)?.[1];
  if (adminTarget && isUuid(adminTarget)) return adminTarget.toLowerCase();
  if (ownCustomerId) return ownCustomerId;
  if (path === "/v1.0/customers" || path === "/auth/signup" || path === "/auth/email-verify") {
    try {
      const body = (await res.clone().json()) as { id?: string; customer?: { id?: string } };
      return body.customer?.id ?? body.id ?? "";
    } catch {
      return "";
    }
  }
  return "";
}

const ignoredFields = (res: Response) => new Set((res.headers.get(IGNORED_FIELDS_HEADER) ?? "").split(","));

/** Top-level field names of the body the JSON check parsed; never their values. */
function fieldNames(body: unknown): string[] {
  return body && typeof body === "object" && !Array.isArray(body) ? Object.keys(body).sort() : [];
}

/**
 * Records every request that changed state: who (actor id and permission, never a username),
 * which customer, what (method and route, with ids as {id}), the names of the fields sent
 * (never their values), the request id, the client IP and the time.
 */
export const audit = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (isReadMethod(c.req.method) || c.res.status >= 400 || c.res.headers.get("Idempotent-Replayed")) return;
  const path = new URL(c.req.url).pathname;
  if (path === "/auth/login" || path === "/auth/logout") return; // signing in or out changes nothing stored
  const principal = c.get("principal");
  const entry = {
    id: crypto.randomUUID(),
    customerId: await affectedCustomer(path, principal?.customer?.id, c.res),
    actorKind: principal?.kind ?? ("anonymous" as const),
    actorId: principal?.id ?? "",
    actorPermission: principal?.permission ?? 0,
    action: `${c.req.method} ${path.replace(UUID_SEGMENT, "/{id}")}`,
    // Fields the route ignored (X-Ignored-Fields) changed nothing.
    changedFields: fieldNames(c.get("jsonBody")).filter((name) => !ignoredFields(c.res).has(name)),
    statusCode: c.res.status,
    requestId: c.get("requestId"),
    ip: clientIp(c.req),
    tmCreate: Date.now(),
  };
  // Written before the answer leaves, so a client that saw success finds its entry.
  await c
    .get("db")
    .insert(auditLog)
    .values(entry)
    .catch((err) =>
      console.error("audit write failed", entry.requestId, err instanceof Error ? err.message : String(err)),
    );
});
