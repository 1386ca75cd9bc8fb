import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN, adminLogin, api, createAgent, createCustomer, expectError, unique, ZERO_UUID } from "../helpers";
import {
  counts,
  expectCustomerShape,
  expectInvalid,
  expectNotContaining,
  fieldsOf,
  freshBody,
  SEED_CREATE,
} from "../helpers/customers-admin";

// The operator's customer routes other than POST /v1.0/customers (customers-admin-create.test.ts):
// GET and PUT of one customer, its metadata, the list, and the refusal of everyone else.

// ---------------------------------------------------------------------------------------------

let admin: string;

beforeAll(async () => {
  admin = await adminLogin();
  // The seeds' example customer, another live customer whose email a PUT may not take (this
  // file's storage is its own: the create tests' customer is not here).
  const seeded = await api("POST", "/v1.0/customers", { token: admin, body: SEED_CREATE });
  expect(seeded.status, JSON.stringify(seeded.body)).toBe(200);
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
    expect(res.body).toMatchObject({
      phone_number: "",
      webhook_method: "",
      webhook_uri: "",
      address: "",
      name: original.name,
    });
  });

  it("keeping its own email is not a conflict", async () => {
    const original = await fullCustomer();
    const res = await api("PUT", `/v1.0/customers/${original.id}`, {
      token: admin,
      body: { email: original.email, name: "Same Mail" },
    });
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
    const res = await api("PUT", `/v1.0/customers/${original.id}`, {
      token: admin,
      body: { email: SEED_CREATE.email, name: "should not stick" },
    });
    expectError(res, 409, "ALREADY_EXISTS");
    expect(fieldsOf(res)).toContain("email");
    expect((await api("GET", `/v1.0/customers/${original.id}`, { token: admin })).body).toEqual(original);
  });

  it("email equal to another customer's agent username (or the super admin's) → 409", async () => {
    const original = await fullCustomer();
    expectError(
      await api("PUT", `/v1.0/customers/${original.id}`, { token: admin, body: { email: ADMIN.username } }),
      409,
      "ALREADY_EXISTS",
    );
    const otherUsername = `${unique("agentname")}@example.com`;
    await createCustomer({ username: otherUsername });
    expectError(
      await api("PUT", `/v1.0/customers/${original.id}`, { token: admin, body: { email: otherUsername } }),
      409,
      "ALREADY_EXISTS",
    );
    expect((await api("GET", `/v1.0/customers/${original.id}`, { token: admin })).body.email).toBe(original.email);
  });

  it("malformed JSON → 400 INVALID_JSON_BODY; non-JSON → 415", async () => {
    const original = await fullCustomer();
    expectError(
      await api("PUT", `/v1.0/customers/${original.id}`, {
        token: admin,
        rawBody: "{",
        headers: { "Content-Type": "application/json" },
      }),
      400,
      "INVALID_ARGUMENT",
      "INVALID_JSON_BODY",
    );
    const res = await api("PUT", `/v1.0/customers/${original.id}`, {
      token: admin,
      rawBody: "name=x",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
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
    const on = await api("PUT", `/v1.0/customers/${created.body.id}/metadata`, {
      token: admin,
      body: { rtp_debug: true },
    });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    expectCustomerShape(on.body);
    expect(on.body).toEqual({ ...created.body, metadata: { rtp_debug: true }, tm_update: on.body.tm_update });
    expect((await api("GET", `/v1.0/customers/${created.body.id}`, { token: admin })).body.metadata).toEqual({
      rtp_debug: true,
    });
    const off = await api("PUT", `/v1.0/customers/${created.body.id}/metadata`, {
      token: admin,
      body: { rtp_debug: false },
    });
    expect(off.status).toBe(200);
    expect(off.body.metadata).toEqual({ rtp_debug: false });
  });

  it("a missing rtp_debug means false, as on the platform", async () => {
    const created = await api("POST", "/v1.0/customers", { token: admin, body: freshBody() });
    expect(
      (await api("PUT", `/v1.0/customers/${created.body.id}/metadata`, { token: admin, body: { rtp_debug: true } }))
        .body.metadata,
    ).toEqual({ rtp_debug: true });
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
    expect((await api("GET", `/v1.0/customers/${created.body.id}`, { token: admin })).body.metadata).toEqual({
      rtp_debug: false,
    });
  });

  it.each([
    ["unknown", "0b8a1c3e-1111-4222-8333-944455556666"],
    ["malformed", "bad-id"],
  ])("%s id → 404", async (_n, id) => {
    expectError(
      await api("PUT", `/v1.0/customers/${id}/metadata`, { token: admin, body: { rtp_debug: true } }),
      404,
      "NOT_FOUND",
    );
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
    const none = await api("GET", `/v1.0/customers?email=${encodeURIComponent("nobody-at-all@example.com")}`, {
      token: admin,
    });
    expect(none.body.result).toEqual([]);
    expect(none.body.next_page_token).toBe("");
  });

  it("leaves deleted customers out unless asked for by status", async () => {
    const c = await createCustomer();
    await env.DB.prepare("UPDATE customers SET status = 'deleted', tm_delete = ? WHERE id = ?")
      .bind(Date.now(), c.id)
      .run();
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
    const { results: hashes } = await env.DB.prepare("SELECT password_hash FROM agents").all<{
      password_hash: string;
    }>();
    const { results: secrets } = await env.DB.prepare(
      "SELECT webhook_secret FROM customers WHERE webhook_secret <> ''",
    ).all<{ webhook_secret: string }>();
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
      expectError(
        await api("PUT", `/v1.0/customers/${c.id}`, { token, body: { name: "hacked" } }),
        403,
        "PERMISSION_DENIED",
      );
      expectError(
        await api("PUT", `/v1.0/customers/${c.id}/metadata`, { token, body: { rtp_debug: true } }),
        403,
        "PERMISSION_DENIED",
      );
      expect(await counts()).toEqual(before);
    }
    const now = await api("GET", `/v1.0/customers/${c.id}`, { token: admin });
    expect(now.body.name).toBe(c.customer.name);
    expect(now.body.metadata.rtp_debug).toBe(false);
  });
});
