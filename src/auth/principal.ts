import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import type { Db } from "../db/client";
import type { Env } from "../env";
import { recordReader, type D1Record, type RawQuery } from "../db/raw";
import { customers, Permission, type CustomerRow } from "../db/schema";
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

// The credential lookups, as fixed SQL run through D1 itself (src/db/raw.ts): on the hot path of
// every authenticated request, drizzle's query building and row mapping were most of the
// Worker's own CPU (bench/README.md). The credential's own columns carry aliases, so that the
// customer's columns keep their names in the joined record. A lookup that finds no customer
// (the super admin's agent) reads customer = null.
const customerReader = recordReader(customers);
const AGENT_COLUMNS = "a.id AS agent_id, a.username AS agent_username, a.permission AS agent_permission";
const AGENT_FROM = "FROM agents a LEFT JOIN customers c ON c.id = a.customer_id WHERE a.id = ? LIMIT 1";
const AGENT_SQL = `SELECT ${AGENT_COLUMNS}, ${customerReader.columnsOf("c")} ${AGENT_FROM}`;
/** The operator reads' lookup: only what tells the super admin apart (no customer columns to ship and map). */
const AGENT_SLIM_SQL = `SELECT ${AGENT_COLUMNS}, c.status AS customer_status ${AGENT_FROM}`;
const ACCESSKEY_SQL = `SELECT k.id AS key_id, k.tm_expire AS key_tm_expire, ${customerReader.columnsOf("c")}
  FROM accesskeys k LEFT JOIN customers c ON c.id = k.customer_id WHERE k.token_hash = ? LIMIT 1`;
/** The customer an access key names, for a query batched with its lookup. */
const ACCESSKEY_CUSTOMER_SQL = "(SELECT customer_id FROM accesskeys WHERE token_hash = ?)";

function accesskeyPrincipal(record: D1Record | undefined): Principal | null {
  if (!record || (record.key_tm_expire as number) <= Date.now()) return null;
  const customer = customerReader.read(record);
  if (!isLive(customer)) return null;
  return { kind: "accesskey", id: record.key_id as string, username: null, permission: Permission.CustomerAdmin, customer };
}

function agentPrincipal(record: D1Record | undefined): Principal | null {
  if (!record) return null;
  const customer = customerReader.read(record);
  const permission = record.agent_permission as number;
  const isSuperAdmin = (permission & Permission.ProjectSuperAdmin) !== 0 && customer === null;
  if (!isSuperAdmin && !isLive(customer)) return null;
  return { kind: "agent", id: record.agent_id as string, username: record.agent_username as string, permission, customer };
}

/** The super admin from the slim lookup; undefined for anyone else (who needs the full lookup). */
function slimSuperAdmin(record: D1Record | undefined): Principal | null | undefined {
  if (!record) return null;
  const permission = record.agent_permission as number;
  if ((permission & Permission.ProjectSuperAdmin) === 0 || record.customer_status !== null) return undefined;
  return { kind: "agent", id: record.agent_id as string, username: record.agent_username as string, permission, customer: null };
}

/** Where a batched query finds the caller's customer: a bound id, or a subquery on the access key. */
export interface CustomerScope {
  sql: string;
  params: string[];
}

interface Lookup {
  full: RawQuery<Principal | null>;
  /** For operator reads: the super admin, or undefined when the full lookup must decide. */
  slim: RawQuery<Principal | null | undefined>;
  scope: CustomerScope;
  /** The customer the credential names on its face (a token's claim); null for an access key. */
  claimedCustomer: string | null;
}

/** The credential's lookups, or null when it is void on its face. */
async function lookupFor(env: Env, credential: string): Promise<Lookup | null> {
  if (isAccesskeyToken(credential)) {
    const tokenHash = await sha256Hex(credential);
    const full: RawQuery<Principal | null> = {
      statement: (d1) => d1.prepare(ACCESSKEY_SQL).bind(tokenHash),
      read: (records) => accesskeyPrincipal(records[0]),
    };
    return { full, slim: full, scope: { sql: ACCESSKEY_CUSTOMER_SQL, params: [tokenHash] }, claimedCustomer: null };
  }
  const claims = await verifyToken(credential, env.JWT_SECRET);
  if (!claims) return null;
  const { agentId, customerId } = claims;
  return {
    full: { statement: (d1) => d1.prepare(AGENT_SQL).bind(agentId), read: (records) => agentPrincipal(records[0]) },
    slim: { statement: (d1) => d1.prepare(AGENT_SLIM_SQL).bind(agentId), read: (records) => slimSuperAdmin(records[0]) },
    // Signed into the token at login; an agent never moves to another customer.
    scope: { sql: "?", params: [customerId] },
    claimedCustomer: customerId,
  };
}

/** Runs one lookup alone: a single statement, rows read as they come. */
async function runLookup<R>(d1: D1Database | D1DatabaseSession, query: RawQuery<R>): Promise<R> {
  const { results } = await query.statement(d1).all<D1Record>();
  return query.read(results);
}

/** Resolves a credential in one D1 round trip: the agent or access key joined with its customer. */
export async function resolvePrincipal(env: Env, db: Db, credential: string): Promise<Principal | null> {
  const lookup = await lookupFor(env, credential);
  return lookup ? runLookup(db.$client, lookup.full) : null;
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

  #settle(principal: Principal | null): Promise<Principal> {
    this.#principal = principal ? Promise.resolve(principal) : Promise.reject(revoked());
    this.#principal.catch(() => undefined);
    return this.#principal;
  }

  async #lookup(): Promise<Lookup> {
    const lookup = await lookupFor(this.env, this.credential);
    if (!lookup) {
      await this.#settle(null);
      throw revoked();
    }
    return lookup;
  }

  /**
   * The principal and the rows of `query`, in one batch; the rows are handed over only to a valid
   * credential. Meant for the operator's reads: the batch carries the slim lookup, and a caller
   * who is not the super admin is looked up in full afterwards (to be refused, as a rule).
   */
  async with<R>(query: RawQuery<R>): Promise<[Principal, R]> {
    if (this.#principal) return [await this.#principal, await runLookup(this.db.$client, query)];
    const lookup = await this.#lookup();
    const d1 = this.db.$client;
    const [who, rows] = await d1.batch<D1Record>([lookup.slim.statement(d1), query.statement(d1)]);
    const principal = lookup.slim.read(who!.results);
    if (principal === undefined) return [await this.principal(), query.read(rows!.results)];
    return [await this.#settle(principal), query.read(rows!.results)];
  }

  /**
   * The principal and the rows of a query scoped to the caller's own customer, in one batch:
   * `build` gets the customer the credential names (the token's claim, or a subquery on the
   * access key) and the rows are handed over only if the credential checks out as that customer's.
   */
  async withOwn<R>(build: (scope: CustomerScope) => RawQuery<R>): Promise<[Principal, R]> {
    if (this.#principal) {
      const principal = await this.#principal;
      return [principal, await runLookup(this.db.$client, build({ sql: "?", params: [principal.customer?.id ?? ""] }))];
    }
    const lookup = await this.#lookup();
    const d1 = this.db.$client;
    const query = build(lookup.scope);
    const [who, rows] = await d1.batch<D1Record>([lookup.full.statement(d1), query.statement(d1)]);
    const principal = lookup.full.read(who!.results);
    const sameCustomer = principal && (lookup.claimedCustomer === null || !principal.customer || principal.customer.id === lookup.claimedCustomer);
    return [await this.#settle(sameCustomer ? principal : null), query.read(rows!.results)];
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
export const principalWithOwn = <R>(c: Context<AppEnv>, build: (scope: CustomerScope) => RawQuery<R>) => c.get("auth").withOwn(build);

/** The caller and the rows of a query that does not depend on who the caller is, in one round trip. */
export const principalWith = <R>(c: Context<AppEnv>, query: RawQuery<R>) => c.get("auth").with(query);

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
