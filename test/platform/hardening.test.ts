import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import type { Env } from "../../src/env";
import worker from "../../src";
import { describe, expect, it } from "vitest";
import { adminLogin, api, createCustomer, expectError, unique } from "../helpers";
import { runCron } from "../helpers/lifecycle";
import { validBody } from "../helpers/resources";

const count = async (table: string) =>
  (await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>())!.n;

describe("Idempotency-Key", () => {
  it("POST /v1.0/customers: the same key and body return the first response without doing the work again", async () => {
    const admin = await adminLogin();
    const body = { username: unique("idem"), password: "long-password-1", email: `${unique("idem")}@example.com` };
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    const first = await api("POST", "/v1.0/customers", { token: admin, body, headers });
    const customersAfterFirst = await count("customers");
    const second = await api("POST", "/v1.0/customers", { token: admin, body, headers });
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await count("customers")).toBe(customersAfterFirst);

    const other = await api("POST", "/v1.0/customers", { token: admin, body: { ...body, name: "different" }, headers });
    expectError(other, 409, "ALREADY_EXISTS", "IDEMPOTENCY_KEY_REUSED");
    expect(await count("customers")).toBe(customersAfterFirst);
  });

  it("resource creation, and the stored response is encrypted", async () => {
    const c = await createCustomer();
    const headers = { "Idempotency-Key": "create-key-1" };
    const body = validBody("tags");
    const first = await api("POST", "/v1.0/tags", { token: c.token, body, headers });
    const again = await api("POST", "/v1.0/tags", { token: c.token, body, headers });
    expect(again.body.id).toBe(first.body.id);
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM tags WHERE customer_id = ?")
      .bind(c.id)
      .first<{ n: number }>();
    expect(rows!.n).toBe(1);
    // Keys are per caller: another tenant's identical key is its own.
    const other = await createCustomer();
    const theirs = await api("POST", "/v1.0/tags", { token: other.token, body, headers });
    expect(theirs.body.id).not.toBe(first.body.id);

    const key = await api("POST", "/v1.0/accesskeys", {
      token: c.token,
      body: { name: "k" },
      headers: { "Idempotency-Key": "key-1" },
    });
    const stored = await env.DB.prepare("SELECT response FROM idempotency_keys").all<{ response: string }>();
    for (const row of stored.results) expect(row.response).not.toContain(key.body.token);
    const replay = await api("POST", "/v1.0/accesskeys", {
      token: c.token,
      body: { name: "k" },
      headers: { "Idempotency-Key": "key-1" },
    });
    expect(replay.body.token).toBe(key.body.token);
  });

  it("signup and unregister", async () => {
    // Anonymous requests are scoped to their client: the retry comes from the same address.
    const headers = { "Idempotency-Key": crypto.randomUUID(), "CF-Connecting-IP": "198.51.100.61" };
    const body = { email: `${unique("su")}@example.com`, password: "long-password-1", accepted_tos: true };
    const first = await api("POST", "/auth/signup", { body, headers });
    const second = await api("POST", "/auth/signup", { body, headers });
    expect(second.body.customer.id).toBe(first.body.customer.id);

    const c = await createCustomer();
    const h = { "Idempotency-Key": "unregister-1" };
    const frozen = await api("POST", "/auth/unregister", {
      token: c.token,
      body: { password: c.password },
      headers: h,
    });
    await api("DELETE", "/auth/unregister", { token: c.token });
    const replay = await api("POST", "/auth/unregister", {
      token: c.token,
      body: { password: c.password },
      headers: h,
    });
    expect(replay.body).toEqual(frozen.body);
    // Replayed, not redone: the account stays recovered.
    expect((await api("GET", "/v1.0/customer", { token: c.token })).body.status).toBe("active");
  });

  it("a failed request can be retried with the same key; a malformed key is refused", async () => {
    const c = await createCustomer();
    const headers = { "Idempotency-Key": "retry-me" };
    const bad = await api("POST", "/v1.0/tags", { token: c.token, body: { name: 5 }, headers });
    expect(bad.status).toBe(400);
    expectError(
      await api("POST", "/v1.0/tags", { token: c.token, body: { name: "x" }, headers }),
      409,
      "ALREADY_EXISTS",
      "IDEMPOTENCY_KEY_REUSED",
    );
    expectError(
      await api("POST", "/v1.0/tags", {
        token: c.token,
        body: { name: "x" },
        headers: { "Idempotency-Key": "has space" },
      }),
      400,
      "INVALID_ARGUMENT",
    );
  });

  it("keys expire after 24 hours and the cron prunes them", async () => {
    const c = await createCustomer();
    const headers = { "Idempotency-Key": "old-key" };
    const first = await api("POST", "/v1.0/tags", { token: c.token, body: { name: "a" }, headers });
    await env.DB.prepare("UPDATE idempotency_keys SET tm_create = ?")
      .bind(Date.now() - 25 * 3600_000)
      .run();
    const later = await api("POST", "/v1.0/tags", { token: c.token, body: { name: "b" }, headers });
    expect(later.body.id).not.toBe(first.body.id);
    await env.DB.prepare("UPDATE idempotency_keys SET tm_create = ?")
      .bind(Date.now() - 25 * 3600_000)
      .run();
    await runCron();
    expect(await count("idempotency_keys")).toBe(0);
  });
});

describe("optimistic concurrency", () => {
  it("customers carry an ETag; PUT with a stale If-Match is a 412 and changes nothing", async () => {
    const c = await createCustomer();
    const read = await api("GET", "/v1.0/customer", { token: c.token });
    const etag = read.headers.get("ETag")!;
    expect(etag).toMatch(/^"\d+"$/);
    const ok = await api("PUT", "/v1.0/customer", {
      token: c.token,
      body: { name: "first" },
      headers: { "If-Match": etag },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("ETag")).not.toBe(etag);
    const stale = await api("PUT", "/v1.0/customer", {
      token: c.token,
      body: { name: "second" },
      headers: { "If-Match": etag },
    });
    expectError(stale, 412, "FAILED_PRECONDITION", "ETAG_MISMATCH");
    const admin = await adminLogin();
    expectError(
      await api("PUT", `/v1.0/customers/${c.id}`, {
        token: admin,
        body: { name: "third" },
        headers: { "If-Match": etag },
      }),
      412,
      "FAILED_PRECONDITION",
    );
    expectError(
      await api("PUT", `/v1.0/customers/${c.id}/metadata`, {
        token: admin,
        body: { rtp_debug: true },
        headers: { "If-Match": etag },
      }),
      412,
      "FAILED_PRECONDITION",
    );
    expect((await api("GET", "/v1.0/customer", { token: c.token })).body).toMatchObject({
      name: "first",
      metadata: { rtp_debug: false },
    });
    expectError(
      await api("PUT", "/v1.0/customer", { token: c.token, body: { name: "x" }, headers: { "If-Match": "nonsense" } }),
      400,
      "INVALID_ARGUMENT",
    );
  });
});

describe("audit trail", () => {
  it("records state changes with actor, action and field names, never values", async () => {
    const admin = await adminLogin();
    const c = await createCustomer();
    await api("PUT", "/v1.0/customer", {
      token: c.token,
      body: { name: "Secret Name", address: "1 Hidden Rd" },
      headers: { "CF-Connecting-IP": "203.0.113.9" },
    });
    await api("GET", "/v1.0/customer", { token: c.token });
    await api("PUT", `/v1.0/customers/${c.id}/metadata`, { token: admin, body: { rtp_debug: true } });
    await api("PUT", "/v1.0/customer", { token: c.token, body: { email: "bad" } }); // refused: not recorded
    const trail = await api("GET", `/v1.0/customers/${c.id}/audit`, { token: admin });
    expect(trail.status).toBe(200);
    expect(trail.body.result.map((e: any) => e.action)).toEqual([
      "PUT /v1.0/customers/{id}/metadata",
      "PUT /v1.0/customer",
      "POST /v1.0/customers",
    ]);
    const [meta, update, create] = trail.body.result;
    expect(update).toMatchObject({
      actor_kind: "agent",
      actor_permission: 32,
      changed_fields: ["address", "name"],
      ip: "203.0.113.9",
      status_code: 200,
    });
    expect(meta).toMatchObject({ actor_permission: 1, changed_fields: ["rtp_debug"] });
    expect(create.changed_fields).toContain("password");
    expect(update.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(trail.body)).not.toContain("Secret Name");
    expect(JSON.stringify(trail.body)).not.toContain(c.password);
    expectError(await api("GET", `/v1.0/customers/${c.id}/audit`, { token: c.token }), 403, "PERMISSION_DENIED");
  });

  it("survives deletion without PII", async () => {
    const admin = await adminLogin();
    const c = await createCustomer();
    await api("PUT", "/v1.0/customer", {
      token: c.token,
      body: { name: "Private" },
      headers: { "CF-Connecting-IP": "198.51.100.77" },
    });
    await api("DELETE", `/v1.0/customers/${c.id}`, { token: admin });
    const { vi } = await import("vitest");
    await vi.waitFor(
      async () => {
        const job = await api("GET", `/v1.0/customers/${c.id}/deletion`, { token: admin });
        expect(job.body.status).toBe("finished");
      },
      { timeout: 15_000, interval: 100 },
    );
    const trail = (await api("GET", `/v1.0/customers/${c.id}/audit`, { token: admin })).body.result;
    expect(trail.map((e: any) => e.action)).toContain("DELETE /v1.0/customers/{id}");
    const text = JSON.stringify(trail);
    for (const pii of [c.email, c.username, "198.51.100.77", "Private"]) expect(text).not.toContain(pii);
  });
});

describe("HTTP hygiene", () => {
  it("sends nosniff everywhere and no-store on authenticated answers", async () => {
    const c = await createCustomer();
    const open = await api("GET", "/openapi.json");
    expect(open.headers.get("X-Content-Type-Options")).toBe("nosniff");
    const authed = await api("GET", "/v1.0/customer", { token: c.token });
    expect(authed.headers.get("Cache-Control")).toBe("no-store");
    expect(authed.headers.get("X-Content-Type-Options")).toBe("nosniff");
    const denied = await api("GET", "/v1.0/customer");
    expect(denied.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });

  it("answers CORS only for configured origins (none by default)", async () => {
    const res = await api("OPTIONS", "/v1.0/customer", {
      headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "GET" },
    });
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("a configured origin gets the CORS headers; a request without Origin gets none, but Vary: Origin", async () => {
    const c = await createCustomer();
    const call = async (headers: Record<string, string>) => {
      const ctx = createExecutionContext();
      const request = new Request("http://api.test/v1.0/customer", {
        headers: { Authorization: `Bearer ${c.token}`, "CF-Connecting-IP": "198.18.7.7", ...headers },
      });
      const res = await worker.fetch(request, { ...(env as Env), CORS_ORIGINS: "https://app.example" }, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    };
    const browser = await call({ Origin: "https://app.example" });
    expect(browser.status).toBe(200);
    expect(browser.headers.get("Access-Control-Allow-Origin")).toBe("https://app.example");
    expect(browser.headers.get("Access-Control-Expose-Headers")).toContain("x-d1-bookmark");
    expect(browser.headers.get("Vary")).toContain("Origin");
    const server = await call({});
    expect(server.status).toBe(200);
    expect(server.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect(server.headers.get("Vary")).toContain("Origin");
    expect(server.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(server.headers.get("x-d1-bookmark")).toBeTruthy();
  });

  it("limits failed logins per (account, client) with 429 and Retry-After; success resets the count", async () => {
    const c = await createCustomer();
    const from = { "CF-Connecting-IP": "192.0.2.200" };
    const attempt = (username: string, password: string) =>
      api("POST", "/auth/login", { body: { username, password }, headers: from });
    for (let i = 0; i < 9; i++) expect((await attempt(c.username, `nope-${i}`)).status).toBe(401);
    expect((await attempt(c.username, c.password)).status).toBe(200);
    for (let i = 0; i < 10; i++) expect((await attempt(c.username, `nope-${i}`)).status).toBe(401);
    const limited = await attempt(c.username, c.password);
    expectError(limited, 429, "RESOURCE_EXHAUSTED");
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(800);
    // Unknown usernames are limited the same way: the limit reveals nothing.
    for (let i = 0; i < 10; i++) await attempt("ghost@example.com", "x");
    expectError(await attempt("ghost@example.com", "x"), 429, "RESOURCE_EXHAUSTED");
  });
});
