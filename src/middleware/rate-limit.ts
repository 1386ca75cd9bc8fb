import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { credentialOf } from "../auth/credentials";
import type { Principal } from "../auth/principal";
import { SUPER_ADMIN_ID } from "../auth/super-admin";
import { tooManyRequests } from "../lib/errors";
import { setResponseHeader } from "../lib/response-headers";
import { configOf } from "../config";
import { BoundedMemo } from "../lib/bounded-memo";

const POLICY_NAME = "per-customer";

/** The budget the `[[ratelimits]]` binding enforces, for the headers: API_RATE_LIMIT / API_RATE_PERIOD_SECONDS mirror wrangler.toml. */
function policy(env: AppEnv["Bindings"]) {
  const { apiRateLimit, apiRatePeriodSeconds } = configOf(env);
  return { limit: apiRateLimit, period: apiRatePeriodSeconds };
}

// A key never changes customer; the entries still expire, so that a revoked key cannot keep
// spending its former customer's budget for longer than this.
const KEY_CUSTOMER_TTL_MS = 60_000;
/** Access keys' customers as lookups in this isolate found them (null: a super-admin key). */
const keyCustomers = new BoundedMemo<string | null>(10_000);

/**
 * The customer whose budget a request spends, from its credential without a D1 read: a JWT's
 * customer (signed into the token), or an access key's as a recent lookup here found it.
 * Undefined: an access key not seen lately, whose customer only its lookup tells (authenticate
 * spends the budget then). Null: no budget, for the super admin (not limited per customer) and for
 * requests without a valid credential (answered 401; an invalid token spends nobody's budget).
 */
async function budgetOwner(c: Context<AppEnv>): Promise<string | null | undefined> {
  const credential = credentialOf(c);
  if (!credential) return null;
  if (credential.kind === "accesskey") return keyCustomers.get(await credential.tokenHash, Date.now());
  const claims = await credential.claims;
  if (!claims || claims.agentId === SUPER_ADMIN_ID || !claims.customerId) return null;
  return claims.customerId;
}

const policyHeaderOf = (env: AppEnv["Bindings"]) => {
  const { limit, period } = policy(env);
  return `"${POLICY_NAME}";q=${limit};w=${period}`;
};

/** Spends one request of the customer's budget; 429 past it. */
async function spend(c: Context<AppEnv>, limiter: RateLimit, customerId: string): Promise<void> {
  c.set("rateBudget", "spent");
  const { success } = await limiter.limit({ key: `customer:${customerId}` });
  if (success) return;
  const { limit, period } = policy(c.env);
  // The binding does not say when its window resets: the period is the longest wait.
  const error = tooManyRequests(period, "RATE_LIMITED", `More than ${limit} requests in ${period} seconds; slow down.`);
  Object.assign(error.headers, {
    "RateLimit-Policy": policyHeaderOf(c.env),
    RateLimit: `"${POLICY_NAME}";r=0;t=${period}`,
  });
  throw error;
}

/**
 * Per-customer request budget for the /v1.0 API, through the Workers Rate Limiting binding
 * (`API_RATE_LIMITER`, see README "Security limits"), shared by every credential of the customer:
 * past it, 429 with Retry-After and the RateLimit / RateLimit-Policy headers of
 * draft-ietf-httpapi-ratelimit-headers.
 */
export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const limiter = c.env.API_RATE_LIMITER;
  if (!limiter) return next();
  const owner = await budgetOwner(c);
  if (owner) await spend(c, limiter, owner);
  else if (owner === undefined) c.set("rateBudget", "pending");
  await next();
  if (c.get("rateBudget") === "spent") setResponseHeader(c, "RateLimit-Policy", policyHeaderOf(c.env));
});

/**
 * Called by authenticate once the credential is checked: an access key's customer, now known, is
 * remembered for the next requests, and its budget spent if the middleware above could not.
 */
export async function spendAfterLookup(c: Context<AppEnv>, principal: Principal | null): Promise<void> {
  const credential = credentialOf(c);
  if (credential?.kind !== "accesskey") return;
  const tokenHash = await credential.tokenHash;
  if (!principal) {
    keyCustomers.delete(tokenHash);
    return;
  }
  keyCustomers.set(tokenHash, principal.customer?.id ?? null, Date.now() + KEY_CUSTOMER_TTL_MS);
  const limiter = c.env.API_RATE_LIMITER;
  if (c.get("rateBudget") !== "pending" || !limiter || !principal.customer) return;
  await spend(c, limiter, principal.customer.id);
}
