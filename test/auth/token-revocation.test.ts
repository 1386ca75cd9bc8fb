import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src";
import type { Env } from "../../src/env";
import { ADMIN, api, BASE, createAgent, createCustomer, expectError, login } from "../helpers";

// Issue 12, defect 4: a token outlives no change of the credentials or permission it was issued under.

const agentId = async (username: string) =>
  (await env.DB.prepare("SELECT id FROM agents WHERE username = ?").bind(username).first<{ id: string }>())!.id;

const works = async (token: string, path = "/v1.0/customer") => (await api("GET", path, { token })).status;

/** A request to the Worker under a changed configuration (as after an operator rotates a secret). */
async function callWith(
  overrides: Partial<Env>,
  method: string,
  path: string,
  init: { token?: string; body?: unknown } = {},
) {
  const headers: Record<string, string> = { "CF-Connecting-IP": "192.0.2.44" };
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${BASE}${path}`, {
      method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    }),
    { ...env, ...overrides } as Env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: res.status, body: (await res.json()) as any };
}

describe("a password or permission change revokes the agent's earlier tokens", () => {
  it("the agent changes its own password: its old token answers 401, the new password logs in", async () => {
    const c = await createCustomer();
    const id = await agentId(c.username);
    expect(await works(c.token)).toBe(200);
    const res = await api("PUT", `/v1.0/agents/${id}/password`, {
      token: c.token,
      body: { password: "a-brand-new-password" },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expectError(await api("GET", "/v1.0/customer", { token: c.token }), 401, "UNAUTHENTICATED");
    expect(await works(await login(c.username, "a-brand-new-password"))).toBe(200);
  });

  it("an admin sets another agent's password (PUT /v1.0/agents/{id}/password): that agent's old token answers 401", async () => {
    const c = await createCustomer();
    const other = await createAgent(c.id, 32);
    expect(await works(other.token)).toBe(200);
    const res = await api("PUT", `/v1.0/agents/${await agentId(other.username)}/password`, {
      token: c.token,
      body: { password: "set-by-the-admin-1" },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expectError(await api("GET", "/v1.0/customer", { token: other.token }), 401, "UNAUTHENTICATED");
    // The admin's own token is untouched.
    expect(await works(c.token)).toBe(200);
  });

  it("a permission change answers 401 to the agent's earlier tokens; a name change does not", async () => {
    const c = await createCustomer();
    const other = await createAgent(c.id, 32);
    const id = await agentId(other.username);
    const renamed = await api("PUT", `/v1.0/agents/${id}`, { token: c.token, body: { name: "Renamed" } });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(await works(other.token)).toBe(200);
    const demoted = await api("PUT", `/v1.0/agents/${id}`, { token: c.token, body: { permission: 64 } });
    expect(demoted.status, JSON.stringify(demoted.body)).toBe(200);
    expectError(await api("GET", "/v1.0/customer", { token: other.token }), 401, "UNAUTHENTICATED");
    expect(await works(await login(other.username, other.password))).toBe(200);
  });
});

describe("rotating the super admin's configured credentials revokes its earlier tokens", () => {
  it("control: under an unchanged configuration the token works through worker.fetch too", async () => {
    const token = await login(ADMIN.username, ADMIN.password);
    expect((await callWith({}, "GET", "/v1.0/customers", { token })).status).toBe(200);
  });

  it("ADMIN_PASSWORD rotated: the old token answers 401, even for writes; a login with the new password works", async () => {
    const token = await login(ADMIN.username, ADMIN.password);
    const rotated = { ADMIN_PASSWORD: "rotated-root-password-1" };
    expect((await callWith(rotated, "GET", "/v1.0/customers", { token })).status).toBe(401);
    const create = await callWith(rotated, "POST", "/v1.0/customers", {
      token,
      body: { username: "after-rotation", password: "some-password-1", name: "X" },
    });
    expect(create.status).toBe(401);
    expect(await env.DB.prepare("SELECT id FROM agents WHERE username = 'after-rotation'").first()).toBeNull();
    expect((await callWith(rotated, "POST", "/auth/login", { body: ADMIN })).status).toBe(401);
    const fresh = await callWith(rotated, "POST", "/auth/login", {
      body: { username: ADMIN.username, password: rotated.ADMIN_PASSWORD },
    });
    expect(fresh.status).toBe(200);
    expect((await callWith(rotated, "GET", "/v1.0/customers", { token: fresh.body.token })).status).toBe(200);
    // ... and the new token is no good under the old configuration.
    expect((await callWith({}, "GET", "/v1.0/customers", { token: fresh.body.token })).status).toBe(401);
  });

  it("ADMIN_USERNAME rotated: the old token answers 401 and the old username no longer logs in", async () => {
    const token = await login(ADMIN.username, ADMIN.password);
    const rotated = { ADMIN_USERNAME: "new-root@test.local" };
    expect((await callWith(rotated, "GET", "/v1.0/customers", { token })).status).toBe(401);
    expect((await callWith(rotated, "POST", "/auth/login", { body: ADMIN })).status).toBe(401);
    const fresh = await callWith(rotated, "POST", "/auth/login", {
      body: { username: rotated.ADMIN_USERNAME, password: ADMIN.password },
    });
    expect(fresh.status).toBe(200);
    expect((await callWith(rotated, "GET", "/v1.0/customers", { token: fresh.body.token })).status).toBe(200);
    // No agents row stands for either name.
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM agents WHERE username IN (?, ?)")
      .bind(ADMIN.username, rotated.ADMIN_USERNAME)
      .first<{ n: number }>();
    expect(rows!.n).toBe(0);
  });
});
