import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src";
import type { Env } from "../../src/env";
import { adminLogin, api, BASE, createAccesskey, createCustomer } from "../helpers";

// Issue 12, "Also": a per-customer request budget for the /v1.0 API, on the Workers Rate Limiting binding.

/** The Worker with the small real budget (5 a minute) bound in place of the suite's large one. */
async function callWith(method: string, path: string, token: string, body?: unknown) {
  const ctx = createExecutionContext();
  const headers: Record<string, string> = { Authorization: `Bearer ${token}`, "CF-Connecting-IP": "192.0.2.9" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await worker.fetch(
    new Request(`${BASE}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }),
    { ...env, API_RATE_LIMITER: env.API_RATE_LIMITER_SMALL, API_RATE_LIMIT: "5" } as Env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

const call = (path: string, token: string) => callWith("GET", path, token);

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

  it("every credential of a customer spends the one budget: its access keys, however many, add none", async () => {
    const c = await createCustomer();
    const [k1, k2] = [await createAccesskey(c.token), await createAccesskey(c.token)];
    // Five requests in all, from three credentials, and the customer's budget is spent ...
    for (const credential of [k1, k2, c.token, k1, k2])
      expect((await call("/v1.0/customer", credential)).status).toBe(200);
    for (const credential of [k1, k2, c.token]) {
      const limited = await call("/v1.0/customer", credential);
      expect(limited.status).toBe(429);
      expect(limited.body.error.reason).toBe("RATE_LIMITED");
      expect(limited.headers.get("RateLimit-Policy")).toBe('"per-customer";q=5;w=60');
    }
    // ... for a key made afterwards too, on its very first request (its customer known only by its lookup).
    const k3 = await createAccesskey(c.token);
    const fresh = await call("/v1.0/customer", k3);
    expect(fresh.status).toBe(429);
    expect(fresh.body.error.reason).toBe("RATE_LIMITED");
    // And a write is refused before it writes anything.
    expect((await callWith("POST", "/v1.0/tags", k3, { name: "over budget" })).status).toBe(429);
    expect((await api("GET", "/v1.0/tags", { token: c.token })).body.result).toEqual([]);
  });

  it("a deleted access key does not go on spending its former customer's budget", async () => {
    const c = await createCustomer();
    const key = await createAccesskey(c.token);
    expect((await call("/v1.0/customer", key)).status).toBe(200); // 1 spent; the key's customer is now known here
    const [row] = (await api("GET", "/v1.0/accesskeys", { token: c.token })).body.result;
    expect((await api("DELETE", `/v1.0/accesskeys/${row.id}`, { token: c.token })).status).toBe(200);
    // Its first use after the deletion may still count (2); the failed lookup forgets it, and the rest do not.
    for (let i = 0; i < 6; i++) expect((await call("/v1.0/customer", key)).status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await call("/v1.0/customer", c.token)).status).toBe(200);
    expect((await call("/v1.0/customer", c.token)).status).toBe(429);
  });

  it("the super admin is not limited per customer, by token or access key", async () => {
    const admin = await adminLogin();
    const key = await createAccesskey(admin);
    for (let i = 0; i < 8; i++) {
      expect((await call("/v1.0/customers", admin)).status).toBe(200);
      expect((await call("/v1.0/customers", key)).status).toBe(200);
    }
  });

  it("a request without a valid credential spends no one's budget (401, no RateLimit headers)", async () => {
    const res = await call("/v1.0/customer", "not-a-token");
    expect(res.status).toBe(401);
    expect(res.headers.get("RateLimit-Policy")).toBeNull();
  });
});
