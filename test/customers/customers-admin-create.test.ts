import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN,
  adminLogin,
  api,
  type ApiResponse,
  createCustomer,
  expectError,
  login,
  unique,
  ZERO_UUID,
} from "../helpers";
import {
  counts,
  expectCustomerShape,
  expectInvalid,
  expectNotContaining,
  fieldsOf,
  freshBody,
  SEED_CREATE,
} from "../helpers/customers-admin";

// The operator's POST /v1.0/customers. Its other customer routes: customers-admin-routes.test.ts.

// ---------------------------------------------------------------------------------------------

let admin: string;

beforeAll(async () => {
  admin = await adminLogin();
});

describe("POST /v1.0/customers", () => {
  let seeded: ApiResponse;
  let before: Awaited<ReturnType<typeof counts>>;

  beforeAll(async () => {
    before = await counts();
    seeded = await api("POST", "/v1.0/customers", { token: admin, body: SEED_CREATE });
  });

  it("creates the seeds' example customer: exactly the customer object, active, unverified", async () => {
    expect(seeded.status, JSON.stringify(seeded.body)).toBe(200);
    expectCustomerShape(seeded.body);
    const { id, tm_create, tm_update, ...rest } = seeded.body;
    expect(rest).toEqual({
      name: "Test Company",
      detail: "Test customer account",
      email: "test@test-company.com",
      phone_number: "",
      address: "",
      webhook_method: "POST",
      webhook_uri: "https://webhooks.test-company.com/voipbin",
      billing_account_id: ZERO_UUID,
      metadata: { rtp_debug: false },
      email_verified: false,
      status: "active",
      identity_verification_status: "none",
      tm_deletion_scheduled: null,
      tm_delete: null,
    });
    expect(tm_update).toBe(tm_create);
    expect(Math.abs(Date.parse(tm_create) - Date.now())).toBeLessThan(60_000);
  });

  it("never returns the password, its hash or the webhook secret", async () => {
    const agent = await env.DB.prepare("SELECT password_hash FROM agents WHERE username = ?")
      .bind("test1")
      .first<{ password_hash: string }>();
    const customer = await env.DB.prepare("SELECT webhook_secret FROM customers WHERE id = ?")
      .bind(seeded.body.id)
      .first<{ webhook_secret: string }>();
    expect(seeded.body.password).toBeUndefined();
    expect(seeded.body.webhook_secret).toBeUndefined();
    expectNotContaining(seeded, [SEED_CREATE.password, agent!.password_hash, customer!.webhook_secret]);
  });

  it("creates, in one go, the customer, its admin agent and a guest agent", async () => {
    const after = await counts();
    expect(after.customers - before.customers).toBe(1);
    expect(after.agents - before.agents).toBe(2);
    const { results } = await env.DB.prepare(
      "SELECT username, permission, is_guest, password_hash FROM agents WHERE customer_id = ? ORDER BY is_guest",
    )
      .bind(seeded.body.id)
      .all<{ username: string; permission: number; is_guest: number; password_hash: string }>();
    expect(results).toHaveLength(2);
    const [adminAgent, guest] = results;
    expect(adminAgent!.username).toBe("test1");
    expect(adminAgent!.permission & 32).toBe(32);
    expect(adminAgent!.permission & 1).toBe(0);
    expect(adminAgent!.is_guest).toBe(0);
    expect(adminAgent!.password_hash).not.toBe(SEED_CREATE.password);
    expect(adminAgent!.password_hash).not.toContain(SEED_CREATE.password);
    expect(guest!.is_guest).toBe(1);
    expect(guest!.permission & 1).toBe(0);
    expect(guest!.username).not.toBe("test1");
  });

  it("the first admin agent logs in with the given username and password and sees its customer", async () => {
    const token = await login(SEED_CREATE.username, SEED_CREATE.password);
    const me = await api("GET", "/v1.0/customer", { token });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(seeded.body.id);
    expect(me.body.name).toBe("Test Company");
    // and it is a CustomerAdmin: it may update its customer
    const put = await api("PUT", "/v1.0/customer", { token, body: { address: "1 Admin Way" } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
  });

  it("accepts every optional field", async () => {
    const body = freshBody({
      detail: "all fields",
      phone_number: "+15551234567",
      address: "123 Main St, San Francisco, CA 94105",
      webhook_method: "PUT",
      webhook_uri: "http://hooks.example.com/in?x=1",
    });
    const res = await api("POST", "/v1.0/customers", { token: admin, body });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expectCustomerShape(res.body);
    expect(res.body).toMatchObject({
      name: body.name,
      detail: "all fields",
      email: body.email,
      phone_number: "+15551234567",
      address: "123 Main St, San Francisco, CA 94105",
      webhook_method: "PUT",
      webhook_uri: "http://hooks.example.com/in?x=1",
    });
  });

  it("only username and password are required; the rest default to empty values", async () => {
    const username = `${unique("min")}@example.com`;
    const res = await api("POST", "/v1.0/customers", { token: admin, body: { username, password: "12345678" } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expectCustomerShape(res.body);
    expect(res.body).toMatchObject({
      name: "",
      detail: "",
      email: "",
      phone_number: "",
      address: "",
      webhook_method: "",
      webhook_uri: "",
      billing_account_id: ZERO_UUID,
      metadata: { rtp_debug: false },
      email_verified: false,
      status: "active",
      identity_verification_status: "none",
      tm_deletion_scheduled: null,
      tm_delete: null,
    });
    // a password of exactly 8 characters is enough
    expect(await login(username, "12345678")).toBeTruthy();
  });

  it.each(["", "POST", "GET", "PUT", "DELETE"])("webhook_method %j is accepted", async (method) => {
    const res = await api("POST", "/v1.0/customers", { token: admin, body: freshBody({ webhook_method: method }) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.webhook_method).toBe(method);
  });

  describe("validation: 400 INVALID_ARGUMENT naming the field, nothing written", () => {
    const long = (n: number) => "x".repeat(n);
    const cases: [string, Record<string, unknown>, string][] = [
      ["email without @", { email: "not-an-email" }, "email"],
      ["email without domain", { email: "someone@" }, "email"],
      ["email without local part", { email: "@example.com" }, "email"],
      ["email with a space", { email: "some one@example.com" }, "email"],
      ["email not a string", { email: 12 }, "email"],
      ["email too long", { email: `${long(60)}@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(63)}.com` }, "email"],
      ["username empty", { username: "" }, "username"],
      ["username too long", { username: long(5000) }, "username"],
      ["username not a string", { username: 7 }, "username"],
      ["password of 7 characters", { password: "1234567" }, "password"],
      ["password empty", { password: "" }, "password"],
      ["password too long", { password: long(20000) }, "password"],
      ["webhook_method PATCH", { webhook_method: "PATCH" }, "webhook_method"],
      ["webhook_method lowercase post", { webhook_method: "post" }, "webhook_method"],
      ["webhook_method HEAD", { webhook_method: "HEAD" }, "webhook_method"],
      ["webhook_uri ftp", { webhook_uri: "ftp://example.com/hook" }, "webhook_uri"],
      ["webhook_uri without scheme", { webhook_uri: "example.com/hook" }, "webhook_uri"],
      ["webhook_uri relative", { webhook_uri: "/hook" }, "webhook_uri"],
      ["webhook_uri scheme only", { webhook_uri: "https://" }, "webhook_uri"],
      ["webhook_uri javascript:", { webhook_uri: "javascript:alert(1)" }, "webhook_uri"],
      ["webhook_uri not a string", { webhook_uri: true }, "webhook_uri"],
      ["phone_number without +", { phone_number: "15551234567" }, "phone_number"],
      ["phone_number with spaces", { phone_number: "+1 555 123 4567" }, "phone_number"],
      ["phone_number starting +0", { phone_number: "+05551234567" }, "phone_number"],
      ["phone_number of 16 digits", { phone_number: "+1234567890123456" }, "phone_number"],
      ["phone_number letters", { phone_number: "+1555CALLNOW" }, "phone_number"],
      ["name too long", { name: long(10000) }, "name"],
      ["name null", { name: null }, "name"],
      ["detail too long", { detail: long(20000) }, "detail"],
      ["address too long", { address: long(20000) }, "address"],
      ["unknown field", { foo: "bar" }, "foo"],
      ["server-owned field status", { status: "deleted" }, "status"],
      ["server-owned field email_verified", { email_verified: true }, "email_verified"],
      ["server-owned field id", { id: "5e4a0680-804e-11ec-8477-2fea5968d85b" }, "id"],
      ["server-owned field metadata", { metadata: { rtp_debug: true } }, "metadata"],
      [
        "server-owned field identity_verification_status",
        { identity_verification_status: "verified" },
        "identity_verification_status",
      ],
      [
        "server-owned field billing_account_id",
        { billing_account_id: "a1b2c3d4-5678-90ab-cdef-1234567890ab" },
        "billing_account_id",
      ],
      ["write-only secret webhook_secret", { webhook_secret: "whsec_mine" }, "webhook_secret"],
    ];

    it.each(cases)("%s", async (_name, patch, field) => {
      const body: Record<string, unknown> = freshBody(patch);
      for (const [k, v] of Object.entries(patch)) if (v === undefined) delete body[k];
      const before = await counts();
      const res = await api("POST", "/v1.0/customers", { token: admin, body });
      expectInvalid(res, field);
      expect(await counts()).toEqual(before);
      // the username was not taken by the failed attempt
      if (typeof body.username === "string" && body.username) {
        const hit = await env.DB.prepare("SELECT COUNT(*) AS n FROM agents WHERE username = ?")
          .bind(body.username)
          .first<{ n: number }>();
        expect(hit!.n).toBe(0);
      }
    });

    it("several bad fields are all listed", async () => {
      const res = await api("POST", "/v1.0/customers", {
        token: admin,
        body: freshBody({ email: "nope", password: "short", webhook_method: "PATCH", phone_number: "123" }),
      });
      expectError(res, 400, "INVALID_ARGUMENT");
      for (const f of ["email", "password", "webhook_method", "phone_number"]) expect(fieldsOf(res)).toContain(f);
    });

    it("an empty body → 400", async () => {
      const res = await api("POST", "/v1.0/customers", { token: admin, body: {} });
      expectError(res, 400, "INVALID_ARGUMENT");
      // Username and password are optional; without them the email is needed (username and mail).
      expect(fieldsOf(res)).toEqual(["email"]);
    });

    it("malformed JSON → 400 INVALID_JSON_BODY, nothing written", async () => {
      const before = await counts();
      const res = await api("POST", "/v1.0/customers", {
        token: admin,
        rawBody: '{"username": "x", "password": "12345678",',
        headers: { "Content-Type": "application/json" },
      });
      expectError(res, 400, "INVALID_ARGUMENT", "INVALID_JSON_BODY");
      expect(await counts()).toEqual(before);
    });

    it("a non-JSON content type → 415, nothing written", async () => {
      const before = await counts();
      const res = await api("POST", "/v1.0/customers", {
        token: admin,
        rawBody: JSON.stringify(freshBody()),
        headers: { "Content-Type": "text/plain" },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(415);
      expect(res.body.error.request_id).toBe(res.headers.get("X-Request-Id"));
      expect(Array.isArray(res.body.error.details)).toBe(true);
      expect(await counts()).toEqual(before);
    });

    it("a body over 64 KB → 413, nothing written", async () => {
      const before = await counts();
      const res = await api("POST", "/v1.0/customers", {
        token: admin,
        body: freshBody({ detail: "d".repeat(70 * 1024) }),
      });
      expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(413);
      expect(res.body.error.request_id).toBe(res.headers.get("X-Request-Id"));
      expect(await counts()).toEqual(before);
    });

    it("a body just under 64 KB is read (and judged on its fields, not its size)", async () => {
      const res = await api("POST", "/v1.0/customers", {
        token: admin,
        body: freshBody({ detail: "d".repeat(60 * 1024) }),
      });
      expectInvalid(res, "detail");
    });
  });

  describe("uniqueness: 409 ALREADY_EXISTS, nothing written", () => {
    const expectConflict = async (body: Record<string, unknown>, field: string) => {
      const before = await counts();
      const res = await api("POST", "/v1.0/customers", { token: admin, body });
      expectError(res, 409, "ALREADY_EXISTS");
      expect(fieldsOf(res)).toContain(field);
      expect(await counts()).toEqual(before);
      return res;
    };

    it("email of a live customer", async () => {
      await expectConflict(freshBody({ email: SEED_CREATE.email }), "email");
    });

    it("email differing from a live customer's only in letter case", async () => {
      // One mailbox, one account: Test@Test-Company.com is the seeded customer's address.
      await expectConflict(freshBody({ email: "Test@Test-Company.COM" }), "email");
    });

    it("email equal to a live agent's username", async () => {
      const username = `${unique("boss")}@example.com`;
      const first = await api("POST", "/v1.0/customers", { token: admin, body: freshBody({ username }) });
      expect(first.status).toBe(200);
      await expectConflict(freshBody({ email: username }), "email");
    });

    it("email equal to the super admin's username", async () => {
      await expectConflict(freshBody({ email: ADMIN.username }), "email");
    });

    it("username of a live agent", async () => {
      await expectConflict(freshBody({ username: SEED_CREATE.username }), "username");
    });

    it("username of the project super admin", async () => {
      await expectConflict(freshBody({ username: ADMIN.username }), "username");
    });

    it("username of a guest agent", async () => {
      const guest = await env.DB.prepare("SELECT username FROM agents WHERE is_guest = 1 LIMIT 1").first<{
        username: string;
      }>();
      await expectConflict(freshBody({ username: guest!.username }), "username");
    });

    it("the email of a deleted or expired customer is free again", async () => {
      for (const status of ["deleted", "expired"]) {
        const c = await createCustomer();
        await env.DB.prepare("UPDATE customers SET status = ? WHERE id = ?").bind(status, c.id).run();
        const res = await api("POST", "/v1.0/customers", { token: admin, body: freshBody({ email: c.email }) });
        expect(res.status, `${status}: ${JSON.stringify(res.body)}`).toBe(200);
        expect(res.body.email).toBe(c.email);
      }
    });

    it("two concurrent creates with one username: exactly one wins, no partial customer", async () => {
      const username = `${unique("race")}@example.com`;
      const before = await counts();
      const results = await Promise.all([
        api("POST", "/v1.0/customers", { token: admin, body: freshBody({ username }) }),
        api("POST", "/v1.0/customers", { token: admin, body: freshBody({ username }) }),
      ]);
      const statuses = results.map((r) => r.status).sort();
      expect(statuses, JSON.stringify(results.map((r) => r.body))).toEqual([200, 409]);
      expectError(results.find((r) => r.status === 409)!, 409, "ALREADY_EXISTS");
      const after = await counts();
      expect(after.customers - before.customers).toBe(1);
      expect(after.agents - before.agents).toBe(2);
      const orphans = await env.DB.prepare(
        "SELECT COUNT(*) AS n FROM customers c WHERE NOT EXISTS (SELECT 1 FROM agents a WHERE a.customer_id = c.id)",
      ).first<{ n: number }>();
      expect(orphans!.n).toBe(0);
    });

    it("two concurrent creates with one email: exactly one wins, no partial customer", async () => {
      const email = `${unique("race")}@example.com`;
      const before = await counts();
      const results = await Promise.all([
        api("POST", "/v1.0/customers", { token: admin, body: freshBody({ email }) }),
        api("POST", "/v1.0/customers", { token: admin, body: freshBody({ email }) }),
      ]);
      expect(results.map((r) => r.status).sort(), JSON.stringify(results.map((r) => r.body))).toEqual([200, 409]);
      const after = await counts();
      expect(after.customers - before.customers).toBe(1);
      expect(after.agents - before.agents).toBe(2);
      const agentsWithoutCustomer = await env.DB.prepare(
        "SELECT COUNT(*) AS n FROM agents a WHERE a.customer_id <> ? AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = a.customer_id)",
      )
        .bind(ZERO_UUID)
        .first<{ n: number }>();
      expect(agentsWithoutCustomer!.n).toBe(0);
    });
  });
});
