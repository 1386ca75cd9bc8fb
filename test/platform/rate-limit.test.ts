import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src";
import type { Env } from "../../src/env";
import { adminLogin, api, BASE, createAccesskey, createCustomer } from "../helpers";

// Issue 12, "Also": a per-customer request budget for the /v1.0 API, on the Workers Rate Limiting binding.

/** The Worker with the small real budget (5 a minute) bound in place of the suite's large one. */
async function call(path: string, token: string) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${BASE}${path}`, { headers: { Authorization: `Bearer ${token}`, "CF-Connecting-IP": "192.0.2.9" } }),
    { ...env, API_RATE_LIMITER: env.API_RATE_LIMITER_SMALL, API_RATE_LIMIT: "5" } as Env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

describe("per-customer API rate limit", () => {
  it("announces the policy on /v1.0 responses", async () => {
    const c = await createCustomer();
    const res = await api("GET", "/v1.0/customer", { token: c.token });
    expect(res.status).toBe(200);
    expect(res.headers.get("RateLimit-Policy")).toBe('"per-customer";q=100000;w=60');
  });

  it("past the budget: 429 RATE_LIMITED with Retry-After, RateLimit and RateLimit-Policy; other customers unaffected", async () => {
    const [a, b] = await Promise.all([createCustomer(), createCustomer()]);
    for (let i = 0; i < 5; i++) expect((await call("/v1.0/customer", a.token)).status).toBe(200);
    const limited = await call("/v1.0/customer", a.token);
    expect(limited.status).toBe(429);
    expect(limited.body.error.status).toBe("RESOURCE_EXHAUSTED");
    expect(limited.body.error.reason).toBe("RATE_LIMITED");
    expect(limited.body.error.request_id).toBe(limited.headers.get("X-Request-Id"));
    expect(limited.headers.get("Retry-After")).toBe("60");
    expect(limited.headers.get("RateLimit")).toBe('"per-customer";r=0;t=60');
    expect(limited.headers.get("RateLimit-Policy")).toBe('"per-customer";q=5;w=60');
    // Every agent of the customer shares its budget ...
    const login = await api("POST", "/auth/login", { body: { username: a.username, password: a.password } });
    expect((await call("/v1.0/customer", login.body.token)).status).toBe(429);
    // ... and another customer has its own.
    expect((await call("/v1.0/customer", b.token)).status).toBe(200);
  });

  it("an access key has its own budget, and the super admin is not limited per customer", async () => {
    const c = await createCustomer();
    const key = await createAccesskey(c.token);
    for (let i = 0; i < 5; i++) expect((await call("/v1.0/customer", key)).status).toBe(200);
    expect((await call("/v1.0/customer", key)).status).toBe(429);
    const admin = await adminLogin();
    for (let i = 0; i < 8; i++) expect((await call("/v1.0/customers", admin)).status).toBe(200);
  });

  it("a request without a valid credential spends no one's budget (401, no RateLimit headers)", async () => {
    const res = await call("/v1.0/customer", "not-a-token");
    expect(res.status).toBe(401);
    expect(res.headers.get("RateLimit-Policy")).toBeNull();
  });
});
