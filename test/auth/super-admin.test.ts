import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SUPER_ADMIN_ID } from "../../src/auth/super-admin";
import { ADMIN, api, createCustomer, expectError, unique } from "../helpers";

// Issue 12, defect 2: the super admin's username is reserved, and its login reads nothing the
// customers' side can write. The first test runs before any super-admin login of this file.

const adminUsernameVariants = [
  ADMIN.username.toUpperCase(),
  `  ${ADMIN.username} `,
  ADMIN.username.replace(/^./, (ch) => ch.toUpperCase()),
];

const agentsNamed = async (username: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM agents WHERE lower(username) = ?")
    .bind(username.toLowerCase())
    .first<{ n: number }>())!.n;

describe("ADMIN_USERNAME squatting", () => {
  it("a signup under the super admin's username (other case) creates nothing, and the super admin still logs in", async () => {
    const res = await api("POST", "/auth/signup", {
      body: {
        email: ADMIN.username.toUpperCase(),
        password: "squatter-password-1",
        accepted_tos: true,
        name: "Squatter",
      },
    });
    // Refused like any taken email: an empty 200 that creates nothing and reveals nothing.
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({});
    expect(await agentsNamed(ADMIN.username)).toBe(0);
    const login = await api("POST", "/auth/login", { body: ADMIN });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    expect((await api("GET", "/v1.0/customers", { token: login.body.token })).status).toBe(200);
  });

  it("the super admin's login neither needs nor writes an agents row, and no customer agent can block it", async () => {
    // A row squatting the name (as older versions let a signup leave behind) changes nothing.
    const c = await createCustomer();
    const now = Date.now();
    await env.DB.prepare(
      `INSERT INTO agents (id, customer_id, name, detail, tm_create, tm_update, version, username, password_hash, permission, is_guest)
       VALUES (?, ?, 'Squatter', '', ?, ?, 1, ?, 'x', 32, 0)`,
    )
      .bind(crypto.randomUUID(), c.id, now, now, ADMIN.username)
      .run();
    const login = await api("POST", "/auth/login", { body: ADMIN });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    expect((await api("GET", "/v1.0/customers", { token: login.body.token })).status).toBe(200);
    const superRows = await env.DB.prepare("SELECT count(*) AS n FROM agents WHERE permission & 1 != 0").first<{
      n: number;
    }>();
    expect(superRows!.n).toBe(0);
    await env.DB.prepare("DELETE FROM agents WHERE username = ? AND customer_id = ?").bind(ADMIN.username, c.id).run();
  });

  it.each(adminUsernameVariants)(
    "operator customer create with username %j → 409 USERNAME_ALREADY_EXISTS",
    async (username) => {
      const admin = (await api("POST", "/auth/login", { body: ADMIN })).body.token;
      const email = `${unique("c")}@example.com`;
      const res = await api("POST", "/v1.0/customers", {
        token: admin,
        body: { username, password: "some-password-1", name: "X", email },
      });
      expectError(res, 409, "ALREADY_EXISTS", "USERNAME_ALREADY_EXISTS");
      expect(res.body.error.details[0].field).toBe("username");
      expect(await env.DB.prepare("SELECT id FROM customers WHERE email = ?").bind(email).first()).toBeNull();
    },
  );

  it.each(adminUsernameVariants.filter((u) => u.trim() === u))(
    "agent create with username %j → 409 USERNAME_ALREADY_EXISTS",
    async (username) => {
      const c = await createCustomer();
      const res = await api("POST", "/v1.0/agents", {
        token: c.token,
        body: { username, password: "agent-password-1", permission: 16, name: "A" },
      });
      expectError(res, 409, "ALREADY_EXISTS", "USERNAME_ALREADY_EXISTS");
      expect(await agentsNamed(ADMIN.username)).toBe(0);
    },
  );

  it("the super admin's writes are audited under its fixed identity", async () => {
    const admin = (await api("POST", "/auth/login", { body: ADMIN })).body.token;
    const res = await api("POST", "/v1.0/customers", {
      token: admin,
      body: {
        username: unique("u"),
        password: "some-password-1",
        name: "Audited",
        email: `${unique("c")}@example.com`,
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const entry = await env.DB.prepare(
      "SELECT actor_id, actor_permission FROM audit_log WHERE customer_id = ? AND action = 'POST /v1.0/customers'",
    )
      .bind(res.body.id)
      .first<{ actor_id: string; actor_permission: number }>();
    expect(entry).toEqual({ actor_id: SUPER_ADMIN_ID, actor_permission: 1 });
  });
});
