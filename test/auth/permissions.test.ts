import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import {
  adminLogin,
  api,
  type ApiResponse,
  createAccesskey,
  createAgent,
  createCustomer,
  expectError,
  login,
  type TestCustomer,
  unique,
} from "../helpers";

// ---------------------------------------------------------------------------------------------
// Permission matrix: every route × every kind of caller → the exact status.
// Tenant A owns the targets; "otherAdmin" is the admin of tenant B.
// ---------------------------------------------------------------------------------------------

const CALLERS = [
  "anonymous",
  "badToken",
  "agent",
  "manager",
  "agentManager",
  "admin",
  "accesskey",
  "otherAdmin",
  "superAdmin",
] as const;
type Caller = (typeof CALLERS)[number];

interface Ctx {
  a: TestCustomer;
  b: TestCustomer;
  tokens: Record<Caller, string | undefined>;
  /** A fresh access key of tenant A (id), for routes that consume or change one. */
  newKeyOfA: () => Promise<string>;
  /** A long-lived access key of tenant A. */
  keyOfA: string;
}

interface Route {
  method: string;
  path: string; // display name
  url: (ctx: Ctx) => Promise<string> | string;
  body?: () => unknown;
  expect: Record<Caller, number>;
  /** Extra checks on a 200, per caller. */
  ok?: (res: ApiResponse, ctx: Ctx, caller: Caller) => void;
}

const superAdminOnly = (ok = 200): Record<Caller, number> => ({
  anonymous: 401,
  badToken: 401,
  agent: 403,
  manager: 403,
  agentManager: 403,
  admin: 403,
  accesskey: 403,
  otherAdmin: 403,
  superAdmin: ok,
});

const ownCustomerAdmin: Record<Caller, number> = {
  anonymous: 401,
  badToken: 401,
  agent: 403,
  manager: 403,
  agentManager: 403,
  admin: 200,
  accesskey: 200,
  otherAdmin: 200, // acts on its own customer B
  superAdmin: 403, // belongs to no customer
};

const ownCustomerAdminOrManager: Record<Caller, number> = { ...ownCustomerAdmin, manager: 200, agentManager: 200 };

/** Access keys: a customer's admin manages its customer's; the super admin its own (no customer). */
const accesskeyManager: Record<Caller, number> = { ...ownCustomerAdmin, superAdmin: 200 };

/** Access keys of tenant A by id: other tenants and the super admin see 404 (not theirs). */
const keyOfTenantA: Record<Caller, number> = { ...ownCustomerAdmin, otherAdmin: 404, superAdmin: 404 };

/** The customer id a caller's own-customer route must answer with (the super admin's: the zero UUID). */
const ownIdOf = (ctx: Ctx, caller: Caller) =>
  caller === "otherAdmin" ? ctx.b.id : caller === "superAdmin" ? "00000000-0000-0000-0000-000000000000" : ctx.a.id;

const freshCustomerBody = () => ({
  username: `${unique("perm")}@example.com`,
  password: "long-enough-password",
  name: "Matrix Co",
  email: `${unique("perm")}@example.com`,
});

const ROUTES: Route[] = [
  // --- admin API (/v1.0/customers…): ProjectSuperAdmin only ---
  {
    method: "GET",
    path: "/v1.0/customers",
    url: () => "/v1.0/customers",
    expect: superAdminOnly(),
    ok: (res) => expect(Array.isArray(res.body.result)).toBe(true),
  },
  {
    method: "POST",
    path: "/v1.0/customers",
    url: () => "/v1.0/customers",
    body: freshCustomerBody,
    expect: superAdminOnly(),
    ok: (res) => expect(res.body.status).toBe("active"),
  },
  {
    method: "GET",
    path: "/v1.0/customers/{A}",
    url: (ctx) => `/v1.0/customers/${ctx.a.id}`,
    expect: superAdminOnly(),
    ok: (res, ctx) => expect(res.body.id).toBe(ctx.a.id),
  },
  {
    method: "PUT",
    path: "/v1.0/customers/{A}",
    url: (ctx) => `/v1.0/customers/${ctx.a.id}`,
    body: () => ({ detail: "set by the operator" }),
    expect: superAdminOnly(),
    ok: (res, ctx) => expect(res.body.id).toBe(ctx.a.id),
  },
  {
    method: "PUT",
    path: "/v1.0/customers/{A}/metadata",
    url: (ctx) => `/v1.0/customers/${ctx.a.id}/metadata`,
    body: () => ({ rtp_debug: false }),
    expect: superAdminOnly(),
    ok: (res, ctx) => expect(res.body.id).toBe(ctx.a.id),
  },
  {
    method: "GET",
    path: "/v1.0/customers/{unknown}",
    url: () => `/v1.0/customers/${crypto.randomUUID()}`,
    expect: superAdminOnly(404),
  },
  // --- self API (/v1.0/customer…): the caller's own customer ---
  {
    method: "GET",
    path: "/v1.0/customer",
    url: () => "/v1.0/customer",
    expect: ownCustomerAdminOrManager,
    ok: (res, ctx, caller) => expect(res.body.id).toBe(ownIdOf(ctx, caller)),
  },
  {
    method: "PUT",
    path: "/v1.0/customer",
    url: () => "/v1.0/customer",
    body: () => ({ address: "Matrix Street 1" }),
    expect: ownCustomerAdmin,
    ok: (res, ctx, caller) => {
      expect(res.body.id).toBe(ownIdOf(ctx, caller));
      expect(res.body.address).toBe("Matrix Street 1");
    },
  },
  {
    method: "PUT",
    path: "/v1.0/customer/metadata",
    url: () => "/v1.0/customer/metadata",
    body: () => ({ rtp_debug: false }),
    expect: ownCustomerAdmin,
    ok: (res, ctx, caller) => expect(res.body.id).toBe(ownIdOf(ctx, caller)),
  },
  // --- access keys: CustomerAdmin of the key's customer, or the super admin's own ---
  {
    method: "GET",
    path: "/v1.0/accesskeys",
    url: () => "/v1.0/accesskeys",
    expect: accesskeyManager,
    ok: (res, ctx, caller) => {
      for (const k of res.body.result) expect(k.customer_id).toBe(ownIdOf(ctx, caller));
    },
  },
  {
    method: "POST",
    path: "/v1.0/accesskeys",
    url: () => "/v1.0/accesskeys",
    body: () => ({ name: "matrix", expire: 3600 }),
    expect: accesskeyManager,
    ok: (res, ctx, caller) => expect(res.body.customer_id).toBe(ownIdOf(ctx, caller)),
  },
  {
    method: "GET",
    path: "/v1.0/accesskeys/{key of A}",
    url: (ctx) => `/v1.0/accesskeys/${ctx.keyOfA}`,
    expect: keyOfTenantA,
    ok: (res, ctx) => expect(res.body.customer_id).toBe(ctx.a.id),
  },
  {
    method: "PUT",
    path: "/v1.0/accesskeys/{key of A}",
    url: (ctx) => `/v1.0/accesskeys/${ctx.keyOfA}`,
    body: () => ({ detail: "renamed in the matrix" }),
    expect: keyOfTenantA,
    ok: (res, ctx) => expect(res.body.customer_id).toBe(ctx.a.id),
  },
  {
    method: "DELETE",
    path: "/v1.0/accesskeys/{key of A}",
    url: async (ctx) => `/v1.0/accesskeys/${await ctx.newKeyOfA()}`,
    expect: keyOfTenantA,
    ok: (res, ctx) => expect(res.body.customer_id).toBe(ctx.a.id),
  },
];

const ERROR_STATUS: Record<number, string> = { 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND" };

const ctx = {} as Ctx;

beforeAll(async () => {
  ctx.a = await createCustomer();
  ctx.b = await createCustomer();
  const [agent, manager, agentManager] = [
    await createAgent(ctx.a.id, 16),
    await createAgent(ctx.a.id, 64),
    await createAgent(ctx.a.id, 16 | 64),
  ];
  ctx.tokens = {
    anonymous: undefined,
    badToken: "not-a-valid-token",
    agent: agent.token,
    manager: manager.token,
    agentManager: agentManager.token,
    admin: ctx.a.token,
    accesskey: await createAccesskey(ctx.a.token, { name: "matrix-caller" }),
    otherAdmin: ctx.b.token,
    superAdmin: await adminLogin(),
  };
  ctx.newKeyOfA = async () => {
    const res = await api("POST", "/v1.0/accesskeys", { token: ctx.a.token, body: { name: "victim" } });
    expect(res.status).toBe(200);
    return res.body.id;
  };
  ctx.keyOfA = await ctx.newKeyOfA();
});

describe.each(ROUTES)("$method $path", (route) => {
  it.each(CALLERS.map((caller) => [caller, route.expect[caller]] as const))("%s → %i", async (caller, status) => {
    const url = await route.url(ctx);
    const res = await api(route.method, url, { token: ctx.tokens[caller], body: route.body?.() });
    expect(res.status, `${route.method} ${url} as ${caller}: ${JSON.stringify(res.body)}`).toBe(status);
    if (status === 200) {
      route.ok?.(res, ctx, caller);
    } else {
      expectError(res, status, ERROR_STATUS[status]!);
    }
  });
});

describe("refused calls change nothing", () => {
  it("tenant A's customer is untouched by every refused write", async () => {
    const fresh = await createCustomer();
    const before = (await api("GET", `/v1.0/customers/${fresh.id}`, { token: ctx.tokens.superAdmin })).body;
    const agent = await createAgent(fresh.id, 16);
    const manager = await createAgent(fresh.id, 64);
    for (const token of [undefined, "garbage", agent.token, manager.token]) {
      await api("PUT", "/v1.0/customer", { token, body: { name: "pwned" } });
      await api("PUT", "/v1.0/customer/metadata", { token, body: { rtp_debug: true } });
    }
    for (const token of [undefined, agent.token, manager.token, fresh.token, ctx.b.token]) {
      await api("PUT", `/v1.0/customers/${fresh.id}`, { token, body: { name: "pwned" } });
      await api("PUT", `/v1.0/customers/${fresh.id}/metadata`, { token, body: { rtp_debug: true } });
    }
    const after = (await api("GET", `/v1.0/customers/${fresh.id}`, { token: ctx.tokens.superAdmin })).body;
    expect(after).toEqual(before);
  });

  it("another tenant cannot delete or rename tenant A's access key", async () => {
    const id = await ctx.newKeyOfA();
    expectError(await api("DELETE", `/v1.0/accesskeys/${id}`, { token: ctx.b.token }), 404, "NOT_FOUND");
    expectError(
      await api("PUT", `/v1.0/accesskeys/${id}`, { token: ctx.b.token, body: { name: "stolen" } }),
      404,
      "NOT_FOUND",
    );
    const still = await api("GET", `/v1.0/accesskeys/${id}`, { token: ctx.a.token });
    expect(still.status).toBe(200);
    expect(still.body.name).toBe("victim");
  });

  it("a refused POST /v1.0/customers creates nothing", async () => {
    const count = async () => (await env.DB.prepare("SELECT COUNT(*) AS n FROM customers").first<{ n: number }>())!.n;
    const before = await count();
    for (const caller of CALLERS.filter((c) => c !== "superAdmin")) {
      const res = await api("POST", "/v1.0/customers", { token: ctx.tokens[caller], body: freshCustomerBody() });
      expect([401, 403]).toContain(res.status);
    }
    expect(await count()).toBe(before);
  });
});

describe("permission bits come from the agent row", () => {
  it("a manager whose row is promoted to CustomerAdmin may write once signed in again; demoted, may not", async () => {
    const c = await createCustomer();
    const manager = await createAgent(c.id, 64);
    expectError(
      await api("PUT", "/v1.0/customer", { token: manager.token, body: { detail: "x" } }),
      403,
      "PERMISSION_DENIED",
    );
    await env.DB.prepare("UPDATE agents SET permission = 32 WHERE username = ?").bind(manager.username).run();
    // Any permission change revokes the tokens issued before it (issue 12, defect 4).
    expectError(
      await api("PUT", "/v1.0/customer", { token: manager.token, body: { detail: "x" } }),
      401,
      "UNAUTHENTICATED",
    );
    const promoted = await login(manager.username, manager.password);
    expect((await api("PUT", "/v1.0/customer", { token: promoted, body: { detail: "x" } })).status).toBe(200);
    await env.DB.prepare("UPDATE agents SET permission = 16 WHERE username = ?").bind(manager.username).run();
    expectError(await api("GET", "/v1.0/customer", { token: promoted }), 401, "UNAUTHENTICATED");
    expectError(
      await api("GET", "/v1.0/customer", { token: await login(manager.username, manager.password) }),
      403,
      "PERMISSION_DENIED",
    );
  });

  it("a removed agent's token → 401", async () => {
    const c = await createCustomer();
    const agent = await createAgent(c.id, 32);
    expect((await api("GET", "/v1.0/customer", { token: agent.token })).status).toBe(200);
    await env.DB.prepare("DELETE FROM agents WHERE username = ?").bind(agent.username).run();
    expectError(await api("GET", "/v1.0/customer", { token: agent.token }), 401, "UNAUTHENTICATED");
  });
});
