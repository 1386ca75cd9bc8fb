import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import {
  adminLogin,
  api,
  type ApiResponse,
  createCustomer,
  CUSTOMER_KEYS,
  expectError,
  login,
  unique,
} from "../helpers";
import { callAndSettle, mailbox } from "../helpers/mail";

// POST /v1.0/customers as the platform's clients send it: the profile fields only. Without a
// username and password, the admin agent signs in with the email once it has set a password
// through its "set your password" mail. The operator's other calls: customers-admin-create.test.ts
// and customers-admin-routes.test.ts.

let admin: string;
beforeAll(async () => {
  admin = await adminLogin();
});

const fieldsOf = (res: ApiResponse): string[] =>
  (res.body?.error?.details ?? []).flatMap((d: any) => String(d.field ?? "").split(","));

async function counts() {
  const one = async (sql: string) => (await env.DB.prepare(sql).first<{ n: number }>())!.n;
  return {
    customers: await one("SELECT COUNT(*) AS n FROM customers"),
    agents: await one("SELECT COUNT(*) AS n FROM agents"),
  };
}

describe("POST /v1.0/customers with the contract's body (no username, no password)", () => {
  // What the platform's clients send: every profile field, empty ones included (vn defaults the
  // webhook method to POST), and neither username nor password.
  const contractBody = (email: string) => ({
    name: "Contract Co",
    detail: "made by vn",
    email,
    phone_number: "",
    address: "",
    webhook_method: "POST",
    webhook_uri: "",
  });

  it("the admin agent's username is the email; a 'set your password' mail leads to a working login", async () => {
    const email = `${unique("contract")}@example.com`;
    const box = mailbox();
    try {
      const res = await callAndSettle("POST", "/v1.0/customers", { token: admin, body: contractBody(email) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual([...CUSTOMER_KEYS].sort());
      expect(res.body).toMatchObject({ name: "Contract Co", email, status: "active", webhook_method: "POST" });
      const agent = (await env.DB.prepare(
        "SELECT username, password_hash FROM agents WHERE customer_id = ? AND is_guest = 0",
      )
        .bind(res.body.id)
        .first<Record<string, string>>())!;
      expect(agent.username).toBe(email);
      expect(agent.password_hash).not.toMatch(/^pbkdf2/);
      expect(box.to(email).at(-1)).toContain("Subject: Set your VoIPBIN password");
      const token = await box.resetToken(email);
      expect(
        (await api("POST", "/auth/password-reset", { body: { token, password: "operator-made-pw" } })).status,
      ).toBe(200);
      const jwt = await login(email, "operator-made-pw");
      expect((await api("GET", "/v1.0/customer", { token: jwt })).body.id).toBe(res.body.id);
    } finally {
      box.stop();
    }
  });

  it("a username without a password: that username, the mail to the email", async () => {
    const email = `${unique("named")}@example.com`;
    const username = unique("named");
    const box = mailbox();
    try {
      const res = await callAndSettle("POST", "/v1.0/customers", {
        token: admin,
        body: { ...contractBody(email), username },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const token = await box.resetToken(email);
      expect((await api("POST", "/auth/password-reset", { body: { token, password: "named-agent-pw" } })).status).toBe(
        200,
      );
      await login(username, "named-agent-pw");
    } finally {
      box.stop();
    }
  });

  it("a password without a username: the email signs in with it, and no mail goes out", async () => {
    const email = `${unique("pwonly")}@example.com`;
    const box = mailbox();
    try {
      const res = await callAndSettle("POST", "/v1.0/customers", {
        token: admin,
        body: { ...contractBody(email), password: "given-password-1" },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      await login(email, "given-password-1");
      expect(box.to(email)).toHaveLength(0);
    } finally {
      box.stop();
    }
  });

  it.each([
    ["no email, no username, no password", { name: "x" }],
    ["an empty email, no username", { email: "", password: "long-enough-pw" }],
    ["a username but neither password nor email", { username: unique("lonely") }],
  ])("%s → 400 EMAIL_REQUIRED, nothing written", async (_n, body) => {
    const before = await counts();
    const res = await api("POST", "/v1.0/customers", { token: admin, body });
    expectError(res, 400, "INVALID_ARGUMENT", "EMAIL_REQUIRED");
    expect(fieldsOf(res)).toEqual(["email"]);
    expect(await counts()).toEqual(before);
  });

  it("PUT /v1.0/customer/metadata without rtp_debug sets it to false", async () => {
    const c = await createCustomer();
    expect(
      (await api("PUT", "/v1.0/customer/metadata", { token: c.token, body: { rtp_debug: true } })).body.metadata,
    ).toEqual({ rtp_debug: true });
    const res = await api("PUT", "/v1.0/customer/metadata", { token: c.token, body: {} });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.metadata).toEqual({ rtp_debug: false });
  });
});
