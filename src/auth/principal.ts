import { eq, sql, type Placeholder, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import type { Db } from "../db/client";
import type { Env } from "../env";
import { accesskeys, agents, customers, Permission, type CustomerRow } from "../db/schema";
import { permissionDenied, unauthenticated } from "../lib/errors";
import { sha256Hex } from "../lib/crypto";
import { isAccesskeyToken, readCredential } from "./credentials";
import { verifyToken } from "./jwt";
import { SUPER_ADMIN_ID, superAdminCredentialVersion, superAdminPrincipal } from "./super-admin";

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

// Every column of a lookup has its own name: inside a D1 batch, rows come back as objects keyed
// by column name, and drizzle would mix up the two tables' `id`s.
const accesskeyLookup = (db: Db, tokenHash: Placeholder | string) =>
  db
    .select({
      key: {
        id: sql<string>`${accesskeys.id}`.as("key_id"),
        tmExpire: sql<number>`${accesskeys.tmExpire}`.as("key_tm_expire"),
        operatorBinding: sql<string>`${accesskeys.operatorBinding}`.as("key_operator_binding"),
      },
      customer: customers,
    })
    .from(accesskeys)
    // Left join: the super admin's keys belong to no customer.
    .leftJoin(customers, eq(customers.id, accesskeys.customerId))
    .where(eq(accesskeys.tokenHash, tokenHash))
    .limit(1);

const agentLookup = (db: Db, agentId: Placeholder | string) =>
  db
    .select({
      id: sql<string>`${agents.id}`.as("agent_id"),
      username: sql<string>`${agents.username}`.as("agent_username"),
      permission: sql<number>`${agents.permission}`.as("agent_permission"),
      tokenVersion: sql<number>`${agents.tokenVersion}`.as("agent_token_version"),
      customer: customers,
    })
    .from(agents)
    .leftJoin(customers, eq(customers.id, agents.customerId))
    .where(eq(agents.id, agentId))
    .limit(1);

type AccesskeyRows = Awaited<ReturnType<typeof accesskeyLookup>>;
type AgentRows = Awaited<ReturnType<typeof agentLookup>>;

/** `operatorBinding`: what a super-admin key must be bound to under the current configuration. */
function accesskeyPrincipal([row]: AccesskeyRows, operatorBinding: string): Principal | null {
  if (!row || row.key.tmExpire <= Date.now()) return null;
  if (row.customer === null) {
    // A super-admin key works only while ADMIN_USERNAME/ADMIN_PASSWORD are those it was made under.
    if (!operatorBinding || row.key.operatorBinding !== operatorBinding) return null;
    return { kind: "accesskey", id: row.key.id, username: null, permission: Permission.ProjectSuperAdmin, customer: null };
  }
  if (!isLive(row.customer)) return null;
  return { kind: "accesskey", id: row.key.id, username: null, permission: Permission.CustomerAdmin, customer: row.customer };
}

/** A customer's agent, whose token was issued under its current credential version. */
function agentPrincipal([row]: AgentRows, tokenVersion: unknown): Principal | null {
  if (!row || row.tokenVersion !== tokenVersion || !isLive(row.customer)) return null;
  return { kind: "agent", id: row.id, username: row.username, permission: row.permission, customer: row.customer };
}

// Both lookups prepared once per drizzle instance: on the hot path of every authenticated
// request, query building was most of the Worker's own CPU (bench/README.md).
const prepared = new WeakMap<Db, { accesskey: ReturnType<ReturnType<typeof accesskeyLookup>["prepare"]>; agent: ReturnType<ReturnType<typeof agentLookup>["prepare"]> }>();
function preparedLookups(db: Db) {
  let p = prepared.get(db);
  if (!p) {
    p = { accesskey: accesskeyLookup(db, sql.placeholder("tokenHash")).prepare(), agent: agentLookup(db, sql.placeholder("agentId")).prepare() };
    prepared.set(db, p);
  }
  return p;
}

/** The credential's lookup as a query to run alone or in a batch, or null when it is void on its face. */
async function lookupFor(env: Env, db: Db, credential: string) {
  if (isAccesskeyToken(credential)) {
    const [tokenHash, operatorBinding] = await Promise.all([sha256Hex(credential), superAdminCredentialVersion(env)]);
    return {
      query: accesskeyLookup(db, tokenHash),
      // The key's customer, as an expression a query batched with the lookup can filter on.
      customerScope: sql`(SELECT ${accesskeys.customerId} FROM ${accesskeys} WHERE ${accesskeys.tokenHash} = ${tokenHash})` as SQL | string,
      run: async () => accesskeyPrincipal(await preparedLookups(db).accesskey.all({ tokenHash }), operatorBinding),
      toPrincipal: (rows: unknown) => accesskeyPrincipal(rows as AccesskeyRows, operatorBinding),
    };
  }
  const claims = await verifyToken(credential, env.JWT_SECRET);
  if (!claims) return null;
  const { agentId, version } = claims;
  if (agentId === SUPER_ADMIN_ID) {
    // The super admin is checked against configuration alone: nothing to look up.
    const principal = await superAdminPrincipal(env, version);
    if (!principal) return null;
    return { query: null, customerScope: "" as SQL | string, run: async () => principal, toPrincipal: () => principal };
  }
  return {
    query: agentLookup(db, agentId),
    // Signed into the token at login; an agent never moves to another customer.
    customerScope: claims.customerId as SQL | string,
    run: async () => agentPrincipal(await preparedLookups(db).agent.all({ agentId }), version),
    toPrincipal: (rows: unknown) => agentPrincipal(rows as AgentRows, version),
  };
}

/** The lookup's rows and the caller's query's, in one batch (the query alone when nothing needs looking up). */
async function batchWith(db: Db, lookup: { query: BatchItem<"sqlite"> | null }, query: BatchItem<"sqlite">): Promise<[unknown, unknown]> {
  if (!lookup.query) return [null, await query];
  const [rows, data] = await db.batch([lookup.query, query]);
  return [rows, data];
}

/** Resolves a credential in one D1 round trip: the agent or access key joined with its customer. */
export async function resolvePrincipal(env: Env, db: Db, credential: string): Promise<Principal | null> {
  const lookup = await lookupFor(env, db, credential);
  return lookup ? lookup.run() : null;
}

const revoked = () => unauthenticated("The credential is invalid, expired or revoked.");

/**
 * A request's credential, checked once, when first needed. Writes need it before anything else
 * (account-state guards, audit, idempotency) and resolve it at once; a read can check it in the
 * same D1 batch as its own query (`with`), so it costs one round trip in all.
 */
export class AuthSession {
  #principal?: Promise<Principal>;

  constructor(
    private readonly env: Env,
    private readonly db: Db,
    private readonly credential: string,
  ) {}

  get checked(): boolean {
    return this.#principal !== undefined;
  }

  principal(): Promise<Principal> {
    this.#principal ??= resolvePrincipal(this.env, this.db, this.credential).then((p) => p ?? Promise.reject(revoked()));
    return this.#principal;
  }

  /** The principal and the rows of `query`, in one batch; the rows are handed over only to a valid credential. */
  async with<Q extends BatchItem<"sqlite">>(query: Q): Promise<[Principal, Awaited<Q>]> {
    if (this.#principal) return [await this.#principal, (await query) as Awaited<Q>];
    const lookup = await lookupFor(this.env, this.db, this.credential);
    if (!lookup) {
      this.#principal = Promise.reject(revoked());
      this.#principal.catch(() => undefined);
      throw revoked();
    }
    const [rows, data] = await batchWith(this.db, lookup, query);
    const principal = lookup.toPrincipal(rows);
    this.#principal = principal ? Promise.resolve(principal) : Promise.reject(revoked());
    this.#principal.catch(() => undefined);
    return [await this.#principal, data as Awaited<Q>];
  }

  /**
   * The principal and the rows of a query scoped to the caller's own customer, in one batch:
   * `build` gets the customer the credential names (the token's claim, or a subquery on the
   * access key) and the rows are handed over only if the credential checks out as that customer's.
   */
  async withOwn<Q extends BatchItem<"sqlite">>(build: (customerId: SQL | string) => Q): Promise<[Principal, Awaited<Q>]> {
    if (this.#principal) {
      const principal = await this.#principal;
      return [principal, (await build(principal.customer?.id ?? "")) as Awaited<Q>];
    }
    const lookup = await lookupFor(this.env, this.db, this.credential);
    if (!lookup) {
      this.#principal = Promise.reject(revoked());
      this.#principal.catch(() => undefined);
      throw revoked();
    }
    const [rows, data] = await batchWith(this.db, lookup, build(lookup.customerScope));
    const principal = lookup.toPrincipal(rows);
    const sameCustomer = principal && (typeof lookup.customerScope !== "string" || principal.customer?.id === lookup.customerScope || !principal.customer);
    this.#principal = principal && sameCustomer ? Promise.resolve(principal) : Promise.reject(revoked());
    this.#principal.catch(() => undefined);
    return [await this.#principal, data as Awaited<Q>];
  }
}

const READ_METHODS = new Set(["GET", "HEAD"]);

export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const credential = readCredential(c);
  if (!credential) throw unauthenticated();
  const session = new AuthSession(c.env, c.get("db"), credential);
  c.set("auth", session);
  if (!READ_METHODS.has(c.req.method)) c.set("principal", await session.principal());
  // Authenticated answers are per caller: never let a cache keep them.
  c.header("Cache-Control", "no-store");
  await next();
  // Fail closed: a read that answered without checking the credential is a bug, not a page.
  if (!session.checked && c.res.status < 400) {
    console.error("route answered without checking the credential", c.req.method, new URL(c.req.url).pathname);
    c.res = c.json(envelopeFor(c.get("requestId")), 500);
  }
});

const envelopeFor = (requestId: string) => ({
  error: { status: "INTERNAL", reason: "INTERNAL", message: "An internal error occurred.", request_id: requestId, details: [] },
});

/** The caller, for any handler behind `authenticate` (reads check the credential here). */
export const principalOf = (c: Context<AppEnv>) => c.get("auth").principal();

/** The caller and the rows of a query on its own customer's data, in one round trip. */
export const principalWithOwn = <Q extends BatchItem<"sqlite">>(c: Context<AppEnv>, build: (customerId: SQL | string) => Q) =>
  c.get("auth").withOwn(build);

/** The caller and the rows of a query that does not depend on who the caller is, in one round trip. */
export const principalWith = <Q extends BatchItem<"sqlite">>(c: Context<AppEnv>, query: Q) => c.get("auth").with(query);

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
