import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { connectingIp } from "../auth/attempt-limiter";
import type { Principal } from "../auth/principal";
import { auditLog, Permission, ZERO_UUID } from "../db/schema";
import { isUuid } from "../lib/validation";
import { isReadMethod } from "../lib/route";

const UUID_SEGMENT = /\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?=\/|$)/gi;

const CREATES_CUSTOMER = new Set(["/v1.0/customers", "/auth/signup", "/auth/email-verify"]);

async function answerOf(res: Response): Promise<{ id?: unknown; customer_id?: unknown; customer?: { id?: string } }> {
  try {
    return await res.clone().json();
  } catch {
    return {};
  }
}

/**
 * The customer a request acted on: the admin route's id, the caller's own, the one created, or,
 * for an operator's write on one of a customer's resources (a forced balance change, a plan),
 * the owner the answer names, so that the customer's audit trail shows it.
 */
async function affectedCustomer(path: string, principal: Principal | undefined, res: Response): Promise<string> {
  const adminTarget = /^\/v1\.0\/customers\/([^/]+)/.exec(path)?.[1];
  if (adminTarget && isUuid(adminTarget)) return adminTarget.toLowerCase();
  if (principal?.customer) return principal.customer.id;
  if (CREATES_CUSTOMER.has(path)) {
    const body = await answerOf(res);
    return body.customer?.id ?? (typeof body.id === "string" ? body.id : "");
  }
  if (principal && (principal.permission & Permission.ProjectSuperAdmin) !== 0) {
    const owner = (await answerOf(res)).customer_id;
    // The super admin's own access keys belong to no customer (the zero UUID).
    if (typeof owner === "string" && isUuid(owner) && owner !== ZERO_UUID) return owner.toLowerCase();
  }
  return "";
}

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
  if (path === "/auth/login") return; // signing in changes nothing
  const principal = c.get("principal");
  const ignored = new Set(c.get("ignoredFields") ?? []);
  const entry = {
    id: crypto.randomUUID(),
    customerId: await affectedCustomer(path, principal, c.res),
    actorKind: principal?.kind ?? ("anonymous" as const),
    actorId: principal?.id ?? "",
    actorPermission: principal?.permission ?? 0,
    action: `${c.req.method} ${path.replace(UUID_SEGMENT, "/{id}")}`,
    // Fields the route ignored (X-Ignored-Fields) changed nothing.
    changedFields: fieldNames(c.get("jsonBody")).filter((name) => !ignored.has(name)),
    statusCode: c.res.status,
    requestId: c.get("requestId"),
    ip: connectingIp(c.req),
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
