import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { credentialOf } from "../auth/credentials";
import { SUPER_ADMIN_ID } from "../auth/super-admin";
import { tooManyRequests } from "../lib/errors";
import { setResponseHeader } from "../lib/response-headers";
import { configOf } from "../config";

const POLICY_NAME = "per-customer";

/** The budget the `[[ratelimits]]` binding enforces, for the headers: API_RATE_LIMIT / API_RATE_PERIOD_SECONDS mirror wrangler.toml. */
function policy(env: AppEnv["Bindings"]) {
  const { apiRateLimit, apiRatePeriodSeconds } = configOf(env);
  return { limit: apiRateLimit, period: apiRatePeriodSeconds };
}

/**
 * The budget a request counts against, from its credential alone (no D1 read): a JWT's customer
 * (signed into the token), or the access key itself. Null for the super admin (not limited per
 * customer) and for requests without a valid credential (answered 401 by `authenticate`; an
 * invalid token must not spend anyone's budget).
 */
async function budgetKey(c: Context<AppEnv>): Promise<string | null> {
  const credential = credentialOf(c);
  if (!credential) return null;
  if (credential.kind === "accesskey") return `accesskey:${await credential.tokenHash}`;
  const claims = await credential.claims;
  if (!claims || claims.agentId === SUPER_ADMIN_ID || !claims.customerId) return null;
  return `customer:${claims.customerId}`;
}

/**
 * Per-customer request budget for the /v1.0 API, through the Workers Rate Limiting binding
 * (`API_RATE_LIMITER`, see README "Security limits"): past it, 429 with Retry-After and the
 * RateLimit / RateLimit-Policy headers of draft-ietf-httpapi-ratelimit-headers.
 */
export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const limiter = c.env.API_RATE_LIMITER;
  const key = limiter ? await budgetKey(c) : null;
  if (!key || !limiter) return next();
  const { limit, period } = policy(c.env);
  const policyHeader = `"${POLICY_NAME}";q=${limit};w=${period}`;
  const { success } = await limiter.limit({ key });
  if (!success) {
    // The binding does not say when its window resets: the period is the longest wait.
    const error = tooManyRequests(
      period,
      "RATE_LIMITED",
      `More than ${limit} requests in ${period} seconds; slow down.`,
    );
    Object.assign(error.headers, { "RateLimit-Policy": policyHeader, RateLimit: `"${POLICY_NAME}";r=0;t=${period}` });
    throw error;
  }
  await next();
  setResponseHeader(c, "RateLimit-Policy", policyHeader);
});
