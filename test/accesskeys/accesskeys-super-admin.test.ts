import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { adminLogin, api, createAccesskey, createCustomer, expectError, ISO_UTC, unique } from "../helpers";
import { callAndSettle } from "../helpers/mail";

// Access keys of the project super admin: the platform's clients send operator calls with
// ?accesskey= only. Customers' keys are in accesskeys.test.ts.

const ZERO_UUID = "00000000-0000-0000-0000-000000000000";
const TOKEN_FORMAT = /^vb_[A-Za-z0-9]{32}$/;

async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("super-admin access keys", () => {
  const rootKeyRow = (id: string) =>
    env.DB.prepare("SELECT * FROM accesskeys WHERE id = ?").bind(id).first<Record<string, string>>();

  it("the super admin creates a key that acts as the super admin: hashed, shown once, listed under the super admin", async () => {
    const admin = await adminLogin();
    const created = await api("POST", "/v1.0/accesskeys", {
      token: admin,
      body: { name: "operator", detail: "cron jobs", expire: 86400 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(Object.keys(created.body).sort()).toEqual([
      "customer_id",
      "detail",
      "id",
      "name",
      "tm_create",
      "tm_delete",
      "tm_expire",
      "tm_update",
      "token",
      "token_prefix",
    ]);
    expect(created.body.tm_expire).toMatch(ISO_UTC);
    expect(created.body.customer_id).toBe(ZERO_UUID);
    const key = created.body.token as string;
    expect(key).toMatch(TOKEN_FORMAT);
    // Stored hashed; the binding reveals neither the username nor the password.
    const row = (await rootKeyRow(created.body.id))!;
    expect(row.token_hash).toBe(await sha256Hex(key));
    expect(JSON.stringify(row)).not.toContain(key);
    expect(row.operator_binding).toMatch(/^[0-9a-f]{32}$/);
    expect(row.operator_binding).not.toBe(await sha256Hex(env.ADMIN_USERNAME));

    // The clients' way: ?accesskey= on the operator's API.
    const list = await api("GET", `/v1.0/customers?accesskey=${key}`);
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    const made = await api("POST", `/v1.0/customers?accesskey=${key}`, {
      body: { username: unique("byk"), password: "long-enough-password", email: `${unique("byk")}@example.com` },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    expect((await api("GET", `/v1.0/customers/${made.body.id}?accesskey=${key}`)).status).toBe(200);
    // It has no customer of its own.
    expectError(await api("GET", `/v1.0/customer?accesskey=${key}`), 403, "PERMISSION_DENIED");

    // Listed under the super admin, by its token and by the key itself, without the token.
    for (const credential of [admin, key]) {
      const keys = await api("GET", "/v1.0/accesskeys?page_size=100", { token: credential });
      expect(keys.status).toBe(200);
      const listed = keys.body.result.find((k: any) => k.id === created.body.id);
      expect(listed).toMatchObject({ name: "operator", customer_id: ZERO_UUID, token_prefix: key.slice(0, 11) });
      expect(listed.token).toBeUndefined();
      for (const k of keys.body.result) expect(k.customer_id).toBe(ZERO_UUID);
    }
    // A customer's key is no operator.
    const customerKey = await createAccesskey((await createCustomer()).token);
    expectError(await api("GET", `/v1.0/customers?accesskey=${customerKey}`), 403, "PERMISSION_DENIED");
  });

  it("is audited: its creation, and every write made with it as the super admin", async () => {
    const admin = await adminLogin();
    const created = await api("POST", "/v1.0/accesskeys", { token: admin, body: { name: "audited" } });
    const key = created.body.token as string;
    const made = await api("POST", `/v1.0/customers?accesskey=${key}`, {
      body: { username: unique("aud"), password: "long-enough-password", email: `${unique("aud")}@example.com` },
    });
    expect(made.status).toBe(200);
    const creation = await env.DB.prepare("SELECT * FROM audit_log WHERE request_id = ?")
      .bind(created.headers.get("X-Request-Id"))
      .first<Record<string, any>>();
    expect(creation).toMatchObject({
      action: "POST /v1.0/accesskeys",
      actor_kind: "agent",
      actor_permission: 1,
      status_code: 200,
    });
    expect(JSON.parse(creation!.changed_fields)).toEqual(["name"]);
    const use = await env.DB.prepare("SELECT * FROM audit_log WHERE request_id = ?")
      .bind(made.headers.get("X-Request-Id"))
      .first<Record<string, any>>();
    expect(use).toMatchObject({
      action: "POST /v1.0/customers",
      actor_kind: "accesskey",
      actor_id: created.body.id,
      actor_permission: 1,
      customer_id: made.body.id,
    });
    expect(JSON.stringify([creation, use])).not.toContain(key);
  });

  it("stops working when ADMIN_USERNAME or ADMIN_PASSWORD changes, and works again under the old ones", async () => {
    const created = await api("POST", "/v1.0/accesskeys", { token: await adminLogin(), body: { name: "bound" } });
    const key = created.body.token as string;
    expect((await callAndSettle("GET", `/v1.0/customers?accesskey=${key}`)).status).toBe(200);
    for (const changed of [
      { ADMIN_USERNAME: "new-root@test.local" },
      { ADMIN_PASSWORD: "rotated-root-password" },
      { ADMIN_USERNAME: ` ${env.ADMIN_USERNAME.toUpperCase()}x` },
    ]) {
      const res = await callAndSettle("GET", `/v1.0/customers?accesskey=${key}`, { env: changed });
      expect(res.status, JSON.stringify(changed)).toBe(401);
      expect(res.body.error.status).toBe("UNAUTHENTICATED");
    }
    // Case and spacing of the configured username do not matter (it is compared normalized).
    expect(
      (
        await callAndSettle("GET", `/v1.0/customers?accesskey=${key}`, {
          env: { ADMIN_USERNAME: ` ${env.ADMIN_USERNAME.toUpperCase()} ` },
        })
      ).status,
    ).toBe(200);
    expect((await callAndSettle("GET", `/v1.0/customers?accesskey=${key}`)).status).toBe(200);
  });

  it("is deleted by the super admin and stops at once; an expired one stops too", async () => {
    const admin = await adminLogin();
    const created = await api("POST", "/v1.0/accesskeys", { token: admin, body: { name: "short" } });
    const key = created.body.token as string;
    const deleted = await api("DELETE", `/v1.0/accesskeys/${created.body.id}`, { token: key });
    expect(deleted.status).toBe(200);
    expectError(await api("GET", `/v1.0/customers?accesskey=${key}`), 401, "UNAUTHENTICATED");

    const expiring = await api("POST", "/v1.0/accesskeys", { token: admin, body: { name: "expiring" } });
    await env.DB.prepare("UPDATE accesskeys SET tm_expire = ? WHERE id = ?")
      .bind(Date.now() - 1, expiring.body.id)
      .run();
    expectError(await api("GET", `/v1.0/customers?accesskey=${expiring.body.token}`), 401, "UNAUTHENTICATED");
  });
});
