import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN, adminLogin, api, type ApiResponse, createAgent, createCustomer, CUSTOMER_KEYS, expectError, ISO_UTC, login, unique, ZERO_UUID } from "./helpers";

// ---------------------------------------------------------------------------------------------
// Small helpers of this file
// ---------------------------------------------------------------------------------------------

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The seeds' example body of POST /v1.0/customers (email made concrete). */
const SEED_CREATE = {
  username: "test1",
  password: "ee5f3d14-5ac6-11ed-808e-6f7d676a444b",
  name: "Test Company",
  detail: "Test customer account",
  email: "test@test-company.com",
  webhook_method: "POST",
  webhook_uri: "https://webhooks.test-company.com/voipbin",
};

function expectCustomerShape(body: any) {
  expect(Object.keys(body).sort()).toEqual([...CUSTOMER_KEYS].sort());
  expect(body.id).toMatch(UUID);
  expect(Object.keys(body.metadata)).toEqual(["rtp_debug"]);
  expect(typeof body.metadata.rtp_debug).toBe("boolean");
  expect(body.tm_create).toMatch(ISO_UTC);
  expect(body.tm_update).toMatch(ISO_UTC);
  if (body.tm_delete !== null) expect(body.tm_delete).toMatch(ISO_UTC);
  if (body.tm_deletion_scheduled !== null) expect(body.tm_deletion_scheduled).toMatch(ISO_UTC);
}

function fieldsOf(res: ApiResponse): string[] {
  return (res.body?.error?.details ?? []).flatMap((d: any) => String(d.field ?? "").split(","));
}

function expectInvalid(res: ApiResponse, field: string) {
  expectError(res, 400, "INVALID_ARGUMENT");
  expect(fieldsOf(res), JSON.stringify(res.body.error.details)).toContain(field);
}

async function counts() {
  const one = async (sql: string) => (await env.DB.prepare(sql).first<{ n: number }>())!.n;
  return {
    customers: await one("SELECT COUNT(*) AS n FROM customers"),
    agents: await one("SELECT COUNT(*) AS n FROM agents"),
    events: await one("SELECT COUNT(*) AS n FROM customer_events"),
  };
}

const freshBody = (extra: Record<string, unknown> = {}) => ({
  username: `${unique("u")}@example.com`,
  password: "long-enough-password",
  name: "Fresh Co",
  email: `${unique("fresh")}@example.com`,
  ...extra,
});

function expectNotContaining(res: ApiResponse, secrets: string[]) {
  const text = JSON.stringify(res.body);
  for (const s of secrets) expect(text).not.toContain(s);
}


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
    const agent = await env.DB.prepare("SELECT password_hash FROM agents WHERE username = ?").bind("test1").first<{ password_hash: string }>();
    const customer = await env.DB.prepare("SELECT webhook_secret FROM customers WHERE id = ?").bind(seeded.body.id).first<{ webhook_secret: string }>();
    expect(seeded.body.password).toBeUndefined();
    expect(seeded.body.webhook_secret).toBeUndefined();
    expectNotContaining(seeded, [SEED_CREATE.password, agent!.password_hash, customer!.webhook_secret]);
  });

  it("creates, in one go, the customer, its admin agent and a guest agent", async () => {
    const after = await counts();
    expect(after.customers - before.customers).toBe(1);
    expect(after.agents - before.agents).toBe(2);
    const { results } = await env.DB.prepare("SELECT username, permission, is_guest, password_hash FROM agents WHERE customer_id = ? ORDER BY is_guest")
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
      ["server-owned field identity_verification_status", { identity_verification_status: "verified" }, "identity_verification_status"],
      ["server-owned field billing_account_id", { billing_account_id: "a1b2c3d4-5678-90ab-cdef-1234567890ab" }, "billing_account_id"],
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
        const hit = await env.DB.prepare("SELECT COUNT(*) AS n FROM agents WHERE username = ?").bind(body.username).first<{ n: number }>();
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
      const res = await api("POST", "/v1.0/customers", { token: admin, body: freshBody({ detail: "d".repeat(70 * 1024) }) });
      expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(413);
      expect(res.body.error.request_id).toBe(res.headers.get("X-Request-Id"));
      expect(await counts()).toEqual(before);
    });

    it("a body just under 64 KB is read (and judged on its fields, not its size)", async () => {
      const res = await api("POST", "/v1.0/customers", { token: admin, body: freshBody({ detail: "d".repeat(60 * 1024) }) });
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
      const guest = await env.DB.prepare("SELECT username FROM agents WHERE is_guest = 1 LIMIT 1").first<{ username: string }>();
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

describe("GET /v1.0/customers/{id}", () => {
  it("returns the customer exactly as created", async () => {
    const created = await api("POST", "/v1.0/customers", { token: admin, body: freshBody({ detail: "get me" }) });
    const res = await api("GET", `/v1.0/customers/${created.body.id}`, { token: admin });
    expect(res.status).toBe(200);
    expectCustomerShape(res.body);
    expect(res.body).toEqual(created.body);
    expect(res.body.webhook_secret).toBeUndefined();
  });

  it.each([
    ["an unknown uuid", "0b8a1c3e-1111-4222-8333-944455556666"],
    ["the zero uuid", ZERO_UUID],
    ["a malformed id", "not-a-uuid"],
    ["a number", "12345"],
    ["a uuid with junk", "5e4a0680-804e-11ec-8477-2fea5968d85b-x"],
  ])("%s → 404 NOT_FOUND", async (_n, id) => {
    expectError(await api("GET", `/v1.0/customers/${id}`, { token: admin }), 404, "NOT_FOUND");
  });
});

describe("PUT /v1.0/customers/{id}", () => {
  const fullCustomer = async () => {
    const body = freshBody({
      detail: "original detail",
      phone_number: "+15551234567",
      address: "1 Original St",
      webhook_method: "POST",
      webhook_uri: "https://hooks.example.com/original",
    });
    const res = await api("POST", "/v1.0/customers", { token: admin, body });
    expect(res.status).toBe(200);
    return res.body;
  };

  it("the seeds' partial body (name + detail) changes only those fields", async () => {
    const original = await fullCustomer();
    const res = await api("PUT", `/v1.0/customers/${original.id}`, {
      token: admin,
      body: { name: "Acme Corporation Inc.", detail: "Updated enterprise account" },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expectCustomerShape(res.body);
    expect(res.body).toEqual({
      ...original,
      name: "Acme Corporation Inc.",
      detail: "Updated enterprise account",
      tm_update: res.body.tm_update,
    });
    expect(Date.parse(res.body.tm_update)).toBeGreaterThanOrEqual(Date.parse(original.tm_update));
    expect((await api("GET", `/v1.0/customers/${original.id}`, { token: admin })).body).toEqual(res.body);
  });

  it("updates every profile field", async () => {
    const original = await fullCustomer();
    const change = {
      name: "New Name",
      detail: "new detail",
      email: `${unique("new")}@example.com`,
      phone_number: "+442071838750",
      address: "10 Downing St",
      webhook_method: "DELETE",
      webhook_uri: "http://other.example.com/x",
    };
    const res = await api("PUT", `/v1.0/customers/${original.id}`, { token: admin, body: change });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject(change);
    expect(res.body.tm_create).toBe(original.tm_create);
    expect(res.body.status).toBe(original.status);
    expect((await api("GET", `/v1.0/customers/${original.id}`, { token: admin })).body).toMatchObject(change);
  });

  it("fields can be cleared with empty strings", async () => {
    const original = await fullCustomer();
    const res = await api("PUT", `/v1.0/customers/${original.id}`, {
      token: admin,
      body: { phone_number: "", webhook_method: "", webhook_uri: "", address: "" },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ phone_number: "", webhook_method: "", webhook_uri: "", address: "", name: original.name });
  });

  it("keeping its own email is not a conflict", async () => {
    const original = await fullCustomer();
    const res = await api("PUT", `/v1.0/customers/${original.id}`, { token: admin, body: { email: original.email, name: "Same Mail" } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.email).toBe(original.email);
  });

  it.each([
    ["email", { email: "bad" }],
    ["phone_number", { phone_number: "555" }],
    ["webhook_method", { webhook_method: "PATCH" }],
    ["webhook_uri", { webhook_uri: "ftp://x.example.com" }],
    ["name", { name: "n".repeat(10000) }],
    ["detail", { detail: "d".repeat(20000) }],
    ["address", { address: "a".repeat(20000) }],
    ["password", { password: "a-new-password" }],
    ["username", { username: "rename" }],
    ["status", { status: "frozen" }],
    ["foo", { foo: 1 }],
  ])("invalid %s → 400 and nothing changes", async (field, body) => {
    const original = await fullCustomer();
    expectInvalid(await api("PUT", `/v1.0/customers/${original.id}`, { token: admin, body }), field);
    expect((await api("GET", `/v1.0/customers/${original.id}`, { token: admin })).body).toEqual(original);
  });

  it("email of another live customer → 409 and nothing changes", async () => {
    const original = await fullCustomer();
    const res = await api("PUT", `/v1.0/customers/${original.id}`, { token: admin, body: { email: SEED_CREATE.email, name: "should not stick" } });
    expectError(res, 409, "ALREADY_EXISTS");
    expect(fieldsOf(res)).toContain("email");
    expect((await api("GET", `/v1.0/customers/${original.id}`, { token: admin })).body).toEqual(original);
  });

  it("email equal to another customer's agent username (or the super admin's) → 409", async () => {
    const original = await fullCustomer();
    expectError(await api("PUT", `/v1.0/customers/${original.id}`, { token: admin, body: { email: ADMIN.username } }), 409, "ALREADY_EXISTS");
    const otherUsername = `${unique("agentname")}@example.com`;
    await createCustomer({ username: otherUsername });
    expectError(await api("PUT", `/v1.0/customers/${original.id}`, { token: admin, body: { email: otherUsername } }), 409, "ALREADY_EXISTS");
    expect((await api("GET", `/v1.0/customers/${original.id}`, { token: admin })).body.email).toBe(original.email);
  });

  it("malformed JSON → 400 INVALID_JSON_BODY; non-JSON → 415", async () => {
    const original = await fullCustomer();
    expectError(
      await api("PUT", `/v1.0/customers/${original.id}`, { token: admin, rawBody: "{", headers: { "Content-Type": "application/json" } }),
      400,
      "INVALID_ARGUMENT",
      "INVALID_JSON_BODY",
    );
    const res = await api("PUT", `/v1.0/customers/${original.id}`, { token: admin, rawBody: "name=x", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBe(415);
  });

  it.each([
    ["unknown", "0b8a1c3e-1111-4222-8333-944455556666"],
    ["malformed", "nope"],
  ])("%s id → 404", async (_n, id) => {
    expectError(await api("PUT", `/v1.0/customers/${id}`, { token: admin, body: { name: "x" } }), 404, "NOT_FOUND");
  });
});

describe("PUT /v1.0/customers/{id}/metadata", () => {
  it("sets and clears rtp_debug, leaving the rest alone", async () => {
    const created = await api("POST", "/v1.0/customers", { token: admin, body: freshBody({ detail: "meta" }) });
    const on = await api("PUT", `/v1.0/customers/${created.body.id}/metadata`, { token: admin, body: { rtp_debug: true } });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    expectCustomerShape(on.body);
    expect(on.body).toEqual({ ...created.body, metadata: { rtp_debug: true }, tm_update: on.body.tm_update });
    expect((await api("GET", `/v1.0/customers/${created.body.id}`, { token: admin })).body.metadata).toEqual({ rtp_debug: true });
    const off = await api("PUT", `/v1.0/customers/${created.body.id}/metadata`, { token: admin, body: { rtp_debug: false } });
    expect(off.status).toBe(200);
    expect(off.body.metadata).toEqual({ rtp_debug: false });
  });

  it("a missing rtp_debug means false, as on the platform", async () => {
    const created = await api("POST", "/v1.0/customers", { token: admin, body: freshBody() });
    expect((await api("PUT", `/v1.0/customers/${created.body.id}/metadata`, { token: admin, body: { rtp_debug: true } })).body.metadata).toEqual({ rtp_debug: true });
    const res = await api("PUT", `/v1.0/customers/${created.body.id}/metadata`, { token: admin, body: {} });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.metadata).toEqual({ rtp_debug: false });
  });

  it.each([
    ["rtp_debug as a string", { rtp_debug: "true" }],
    ["rtp_debug as a number", { rtp_debug: 1 }],
    ["rtp_debug null", { rtp_debug: null }],
    ["an unknown field", { rtp_debug: true, pcap: true }],
  ])("%s → 400", async (_n, body) => {
    const created = await api("POST", "/v1.0/customers", { token: admin, body: freshBody() });
    const res = await api("PUT", `/v1.0/customers/${created.body.id}/metadata`, { token: admin, body });
    expectError(res, 400, "INVALID_ARGUMENT");
    expect(fieldsOf(res).some((f) => f === "rtp_debug" || f === "pcap")).toBe(true);
    expect((await api("GET", `/v1.0/customers/${created.body.id}`, { token: admin })).body.metadata).toEqual({ rtp_debug: false });
  });

  it.each([
    ["unknown", "0b8a1c3e-1111-4222-8333-944455556666"],
    ["malformed", "bad-id"],
  ])("%s id → 404", async (_n, id) => {
    expectError(await api("PUT", `/v1.0/customers/${id}/metadata`, { token: admin, body: { rtp_debug: true } }), 404, "NOT_FOUND");
  });
});

describe("GET /v1.0/customers", () => {
  it("returns {result, next_page_token} of full customer objects, newest first", async () => {
    const res = await api("GET", "/v1.0/customers", { token: admin });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(["next_page_token", "result"]);
    expect(typeof res.body.next_page_token).toBe("string");
    expect(res.body.result.length).toBeGreaterThan(5);
    for (const item of res.body.result) {
      expectCustomerShape(item);
      expect(item.webhook_secret).toBeUndefined();
    }
    const times = res.body.result.map((c: any) => Date.parse(c.tm_create));
    expect([...times].sort((x, y) => y - x)).toEqual(times);
  });

  it("filters by email", async () => {
    const created = await api("POST", "/v1.0/customers", { token: admin, body: freshBody() });
    const res = await api("GET", `/v1.0/customers?email=${encodeURIComponent(created.body.email)}`, { token: admin });
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual([created.body]);
    const none = await api("GET", `/v1.0/customers?email=${encodeURIComponent("nobody-at-all@example.com")}`, { token: admin });
    expect(none.body.result).toEqual([]);
    expect(none.body.next_page_token).toBe("");
  });

  it("leaves deleted customers out unless asked for by status", async () => {
    const c = await createCustomer();
    await env.DB.prepare("UPDATE customers SET status = 'deleted', tm_delete = ? WHERE id = ?").bind(Date.now(), c.id).run();
    const all = await api("GET", "/v1.0/customers?page_size=100", { token: admin });
    expect(all.body.result.map((x: any) => x.id)).not.toContain(c.id);
    for (const item of all.body.result) expect(item.status).not.toBe("deleted");
    const deleted = await api("GET", "/v1.0/customers?status=deleted", { token: admin });
    expect(deleted.status).toBe(200);
    expect(deleted.body.result.map((x: any) => x.id)).toContain(c.id);
    for (const item of deleted.body.result) expect(item.status).toBe("deleted");
  });

  it("an unknown status filter → 400", async () => {
    expectInvalid(await api("GET", "/v1.0/customers?status=bogus", { token: admin }), "status");
  });

  it("never exposes passwords, hashes or webhook secrets", async () => {
    const res = await api("GET", "/v1.0/customers", { token: admin });
    const { results: hashes } = await env.DB.prepare("SELECT password_hash FROM agents").all<{ password_hash: string }>();
    const { results: secrets } = await env.DB.prepare("SELECT webhook_secret FROM customers WHERE webhook_secret <> ''").all<{ webhook_secret: string }>();
    expectNotContaining(res, [
      SEED_CREATE.password,
      ADMIN.password,
      ...hashes.map((h) => h.password_hash),
      ...secrets.map((s) => s.webhook_secret),
    ]);
  });
});

describe("admin routes refuse everyone but the super admin", () => {
  it("a customer's admin, agent and manager get 403 and change nothing", async () => {
    const c = await createCustomer();
    const agent = await createAgent(c.id, 16);
    const manager = await createAgent(c.id, 64);
    for (const token of [c.token, agent.token, manager.token]) {
      const before = await counts();
      expectError(await api("GET", "/v1.0/customers", { token }), 403, "PERMISSION_DENIED");
      expectError(await api("POST", "/v1.0/customers", { token, body: freshBody() }), 403, "PERMISSION_DENIED");
      expectError(await api("GET", `/v1.0/customers/${c.id}`, { token }), 403, "PERMISSION_DENIED");
      expectError(await api("PUT", `/v1.0/customers/${c.id}`, { token, body: { name: "hacked" } }), 403, "PERMISSION_DENIED");
      expectError(await api("PUT", `/v1.0/customers/${c.id}/metadata`, { token, body: { rtp_debug: true } }), 403, "PERMISSION_DENIED");
      expect(await counts()).toEqual(before);
    }
    const now = await api("GET", `/v1.0/customers/${c.id}`, { token: admin });
    expect(now.body.name).toBe(c.customer.name);
    expect(now.body.metadata.rtp_debug).toBe(false);
  });
});
