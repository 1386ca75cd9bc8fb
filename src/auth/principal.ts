import { eq, sql } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import type { Db } from "../db/client";
import { accesskeys, agents, customers, Permission, type CustomerRow } from "../db/schema";
import { permissionDenied, unauthenticated } from "../lib/errors";
import { sha256Hex } from "../lib/crypto";
import { isAccesskeyToken, readCredential } from "./credentials";
import { verifyToken } from "./jwt";

export interface Principal {
  kind: "agent" | "accesskey";
  /** The agent's or the access key's id. */
  id: string;
  username: string | null;
  permission: number;
  /** The caller's customer; null only for the project super admin. */
  customer: CustomerRow | null;
}

const liveStatuses = new Set(["initial", "active", "frozen"]);
const isLive = (customer: CustomerRow | null) => customer !== null && liveStatuses.has(customer.status);

// The two credential lookups, built once per drizzle instance: on the hot path of every
// authenticated request, query building was most of the Worker's own CPU (bench/README.md).
function lookups(db: Db) {
  return {
    accesskey: db
      .select({ key: accesskeys, customer: customers })
      .from(accesskeys)
      .innerJoin(customers, eq(customers.id, accesskeys.customerId))
      .where(eq(accesskeys.tokenHash, sql.placeholder("tokenHash")))
      .limit(1)
      .prepare(),
    agent: db
      .select({ id: agents.id, username: agents.username, permission: agents.permission, customer: customers })
      .from(agents)
      .leftJoin(customers, eq(customers.id, agents.customerId))
      .where(eq(agents.id, sql.placeholder("agentId")))
      .limit(1)
      .prepare(),
  };
}
const prepared = new WeakMap<Db, ReturnType<typeof lookups>>();
function lookupsFor(db: Db) {
  let l = prepared.get(db);
  if (!l) {
    l = lookups(db);
    prepared.set(db, l);
  }
  return l;
}

/**
 * Resolves a credential in one D1 round trip: the agent or access key joined with its customer,
 * so handlers of the caller's own customer need no second query.
 */
export async function resolvePrincipal(env: AppEnv["Bindings"], db: Db, credential: string): Promise<Principal | null> {
  if (isAccesskeyToken(credential)) {
    const [row] = await lookupsFor(db).accesskey.all({ tokenHash: await sha256Hex(credential) });
    if (!row || row.key.tmExpire <= Date.now() || !isLive(row.customer)) return null;
    return { kind: "accesskey", id: row.key.id, username: null, permission: Permission.CustomerAdmin, customer: row.customer };
  }
  const agentId = await verifyToken(credential, env.JWT_SECRET);
  if (!agentId) return null;
  const [row] = await lookupsFor(db).agent.all({ agentId });
  if (!row) return null;
  const isSuperAdmin = (row.permission & Permission.ProjectSuperAdmin) !== 0 && row.customer === null;
  if (!isSuperAdmin && !isLive(row.customer)) return null;
  return { kind: "agent", id: row.id, username: row.username, permission: row.permission, customer: row.customer };
}

export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const credential = readCredential(c);
  if (!credential) throw unauthenticated();
  const principal = await resolvePrincipal(c.env, c.get("db"), credential);
  if (!principal) throw unauthenticated("The credential is invalid, expired or revoked.");
  c.set("principal", principal);
  // Authenticated answers are per caller: never let a cache keep them.
  c.header("Cache-Control", "no-store");
  await next();
});

export function requireSuperAdmin(principal: Principal): void {
  if ((principal.permission & Permission.ProjectSuperAdmin) === 0) {
    throw permissionDenied("PERMISSION_DENIED", "This endpoint is for the project super admin.");
  }
}

/** The caller's own customer, when its permission includes one of `allowed`. */
export function requireOwnCustomer(principal: Principal, allowed: number = Permission.CustomerAdmin): CustomerRow {
  if (!principal.customer || (principal.permission & allowed) === 0) {
    throw permissionDenied("PERMISSION_DENIED", "The credential lacks the permission for this customer operation.");
  }
  return principal.customer;
}
