import { sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import type { D1Client, Db } from "../db/client";
import type { Env } from "../env";
import { drizzleQuery, recordReader, type D1Record, type RawQuery } from "../db/raw";
import { accesskeys, customers, isLiveStatus, Permission, type CustomerRow } from "../db/schema";
import { permissionDenied, unauthenticated } from "../lib/errors";
import { spendAfterLookup } from "../middleware/rate-limit";
import { credentialOf, type DecodedCredential } from "./credentials";
import { SUPER_ADMIN_ID, superAdminCredentialVersion, superAdminPrincipal } from "./super-admin";
import { isReadMethod } from "../lib/route";

export interface Principal {
  kind: "agent" | "accesskey";
  /** The agent's or the access key's id. */
  id: string;
  username: string | null;
  permission: number;
  /** The caller's customer; null only for the project super admin. */
  customer: CustomerRow | null;
}

const isLive = (customer: CustomerRow | null) => customer !== null && isLiveStatus(customer.status);

// The credential lookups, as fixed SQL run through D1 itself (src/db/raw.ts): on the hot path of
// every authenticated request, drizzle's query building and row mapping were most of the
// Worker's own CPU (bench/README.md). The credential's own columns carry aliases, so that the
// customer's columns keep their names in the joined record; a lookup that finds no customer (a
// super-admin key) reads customer = null.
const customerReader = recordReader(customers);
const AGENT_SQL = `SELECT a.id AS agent_id, a.username AS agent_username, a.permission AS agent_permission,
  a.token_version AS agent_token_version, ${customerReader.columnsOf("c")}
  FROM agents a LEFT JOIN customers c ON c.id = a.customer_id WHERE a.id = ? LIMIT 1`;
// Left join: the super admin's keys belong to no customer.
const ACCESSKEY_SQL = `SELECT k.id AS key_id, k.tm_expire AS key_tm_expire, k.operator_binding AS key_operator_binding,
  ${customerReader.columnsOf("c")}
  FROM accesskeys k LEFT JOIN customers c ON c.id = k.customer_id WHERE k.token_hash = ? LIMIT 1`;
/** The customer an access key names, for a query batched with its lookup. */
const ACCESSKEY_CUSTOMER_SQL = "(SELECT customer_id FROM accesskeys WHERE token_hash = ?)";

/** `operatorBinding`: what a super-admin key must be bound to under the current configuration. */
function accesskeyPrincipal(record: D1Record | undefined, operatorBinding: string): Principal | null {
  if (!record || (record.key_tm_expire as number) <= Date.now()) return null;
  const id = record.key_id as string;
  const customer = customerReader.read(record);
  if (customer === null) {
    // A super-admin key works only while ADMIN_USERNAME/ADMIN_PASSWORD are those it was made under.
    if (!operatorBinding || record.key_operator_binding !== operatorBinding) return null;
    return { kind: "accesskey", id, username: null, permission: Permission.ProjectSuperAdmin, customer: null };
  }
  if (!isLive(customer)) return null;
  return { kind: "accesskey", id, username: null, permission: Permission.CustomerAdmin, customer };
}

/** A customer's agent, whose token was issued under its current credential version. */
function agentPrincipal(record: D1Record | undefined, tokenVersion: unknown): Principal | null {
  if (!record || record.agent_token_version !== tokenVersion) return null;
  const customer = customerReader.read(record);
  if (!isLive(customer)) return null;
  return {
    kind: "agent",
    id: record.agent_id as string,
    username: record.agent_username as string,
    permission: record.agent_permission as number,
    customer,
  };
}

/** Where a batched query finds the caller's customer: a bound id, or a subquery on the access key. */
export interface CustomerScope {
  /** As SQL text with `?` placeholders, and their values. */
  sql: string;
  params: string[];
  /** The same as a drizzle expression (or the id itself), for queries built with drizzle. */
  expr: SQL | string;
}

const idScope = (id: string): CustomerScope => ({ sql: "?", params: [id], expr: id });

interface Lookup {
  /** The lookup to run, alone or batched; or the principal itself when nothing needs looking up. */
  query: RawQuery<Principal | null> | Principal;
  scope: CustomerScope;
  /** The customer the credential names on its face (a token's claim); null for an access key. */
  claimedCustomer: string | null;
}

const isQuery = (q: Lookup["query"]): q is RawQuery<Principal | null> => "statement" in q;

/** The credential's lookup, or null when it is void on its face. */
async function lookupFor(env: Env, credential: DecodedCredential): Promise<Lookup | null> {
  if (credential.kind === "accesskey") {
    const [tokenHash, operatorBinding] = await Promise.all([credential.tokenHash, superAdminCredentialVersion(env)]);
    return {
      query: {
        statement: (d1) => d1.prepare(ACCESSKEY_SQL).bind(tokenHash),
        read: (records) => accesskeyPrincipal(records[0], operatorBinding),
      },
      scope: {
        sql: ACCESSKEY_CUSTOMER_SQL,
        params: [tokenHash],
        expr: sql`(SELECT ${accesskeys.customerId} FROM ${accesskeys} WHERE ${accesskeys.tokenHash} = ${tokenHash})`,
      },
      claimedCustomer: null,
    };
  }
  const claims = await credential.claims;
  if (!claims) return null;
  const { agentId, customerId, version } = claims;
  if (agentId === SUPER_ADMIN_ID) {
    // The super admin is checked against configuration alone: nothing to look up.
    const principal = await superAdminPrincipal(env, version);
    return principal ? { query: principal, scope: idScope(""), claimedCustomer: null } : null;
  }
  return {
    query: {
      statement: (d1) => d1.prepare(AGENT_SQL).bind(agentId),
      read: (records) => agentPrincipal(records[0], version),
    },
    // Signed into the token at login; an agent never moves to another customer.
    scope: idScope(customerId),
    claimedCustomer: customerId,
  };
}

/** Runs one statement alone, its rows read as they come. */
async function runQuery<R>(d1: D1Client, query: RawQuery<R>): Promise<R> {
  const { results } = await query.statement(d1).all<D1Record>();
  return query.read(results);
}

/** The lookup's principal and the rows of `query`, in one batch (the query alone when nothing needs looking up). */
async function batchWith<R>(d1: D1Client, lookup: Lookup, query: RawQuery<R>): Promise<[Principal | null, R]> {
  if (!isQuery(lookup.query)) return [lookup.query, await runQuery(d1, query)];
  const [who, rows] = await d1.batch<D1Record>([lookup.query.statement(d1), query.statement(d1)]);
  return [lookup.query.read(who!.results), query.read(rows!.results)];
}

/** Resolves a credential in one D1 round trip (none for the super admin's token): the agent or access key joined with its customer. */
export async function resolvePrincipal(env: Env, db: Db, credential: DecodedCredential): Promise<Principal | null> {
  const lookup = await lookupFor(env, credential);
  if (!lookup) return null;
  return isQuery(lookup.query) ? runQuery(db.$client, lookup.query) : lookup.query;
}

const revoked = () => unauthenticated("The credential is invalid, expired or revoked.");

/**
 * A request's credential, checked once, when first needed. Writes need it before anything else
 * (account-state guards, audit, idempotency) and resolve it at once; a read can check it in the
 * same D1 batch as its own query (`with`), so it costs one round trip in all.
 */
export class AuthSession {
  #principal?: Promise<Principal>;

  /** `checked`: runs on the outcome of the check before the principal is handed out (it may refuse with an error). */
  constructor(
    private readonly env: Env,
    private readonly db: Db,
    private readonly credential: DecodedCredential,
    private readonly onChecked: (principal: Principal | null) => Promise<void> = async () => undefined,
  ) {}

  get checked(): boolean {
    return this.#principal !== undefined;
  }

  principal(): Promise<Principal> {
    this.#principal ??= resolvePrincipal(this.env, this.db, this.credential).then((p) => this.#handOut(p));
    return this.#principal;
  }

  async #handOut(principal: Principal | null): Promise<Principal> {
    await this.onChecked(principal);
    if (!principal) throw revoked();
    return principal;
  }

  #settle(principal: Principal | null): Promise<Principal> {
    this.#principal = this.#handOut(principal);
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

  /** The principal and the rows of `query`, in one batch; the rows are handed over only to a valid credential. */
  async with<R>(query: RawQuery<R>): Promise<[Principal, R]> {
    if (this.#principal) return [await this.#principal, await runQuery(this.db.$client, query)];
    const [principal, rows] = await batchWith(this.db.$client, await this.#lookup(), query);
    return [await this.#settle(principal), rows];
  }

  /**
   * The principal and the rows of a query scoped to the caller's own customer, in one batch:
   * `build` gets the customer the credential names (the token's claim, or a subquery on the
   * access key) and the rows are handed over only if the credential checks out as that customer's.
   */
  async withOwn<R>(build: (scope: CustomerScope) => RawQuery<R>): Promise<[Principal, R]> {
    if (this.#principal) {
      const principal = await this.#principal;
      return [principal, await runQuery(this.db.$client, build(idScope(principal.customer?.id ?? "")))];
    }
    const lookup = await this.#lookup();
    const [principal, rows] = await batchWith(this.db.$client, lookup, build(lookup.scope));
    const sameCustomer =
      principal &&
      (lookup.claimedCustomer === null || !principal.customer || principal.customer.id === lookup.claimedCustomer);
    return [await this.#settle(sameCustomer ? principal : null), rows];
  }
}

export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const credential = credentialOf(c);
  if (!credential) throw unauthenticated();
  // An access key's customer is known only after its lookup: its API budget is spent then.
  const session = new AuthSession(c.env, c.get("db"), credential, (p) => spendAfterLookup(c, p));
  c.set("auth", session);
  if (!isReadMethod(c.req.method)) c.set("principal", await session.principal());
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
  error: {
    status: "INTERNAL",
    reason: "INTERNAL",
    message: "An internal error occurred.",
    request_id: requestId,
    details: [],
  },
});

/** The caller, for any handler behind `authenticate` (reads check the credential here). */
export const principalOf = (c: Context<AppEnv>) => c.get("auth").principal();

/** The caller and the rows of a query on its own customer's data, in one round trip (fixed SQL, src/db/raw.ts). */
export const principalWithOwnRaw = <R>(c: Context<AppEnv>, build: (scope: CustomerScope) => RawQuery<R>) =>
  c.get("auth").withOwn(build);

/** principalWithOwnRaw for a query built with drizzle: `build` gets the customer as a drizzle expression. */
export const principalWithOwn = <Q extends BatchItem<"sqlite">>(
  c: Context<AppEnv>,
  build: (customerId: SQL | string) => Q,
) => c.get("auth").withOwn((scope) => drizzleQuery(build(scope.expr)));

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
