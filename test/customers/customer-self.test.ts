import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import {
  adminLogin,
  api,
  type ApiResponse,
  BASE,
  createAccesskey,
  createAgent,
  createCustomer,
  CUSTOMER_KEYS,
  expectError,
  ISO_UTC,
  type TestCustomer,
  unique,
  ZERO_UUID,
} from "../helpers";

// ---------------------------------------------------------------------------------------------
// Small helpers of this file
// ---------------------------------------------------------------------------------------------

function fieldsOf(res: ApiResponse): string[] {
  return (res.body?.error?.details ?? []).flatMap((d: any) => String(d.field ?? "").split(","));
}

function expectInvalid(res: ApiResponse, field: string) {
  expectError(res, 400, "INVALID_ARGUMENT");
  expect(fieldsOf(res), JSON.stringify(res.body.error.details)).toContain(field);
}

function expectNotContaining(res: ApiResponse, secrets: string[]) {
  const text = JSON.stringify(res.body);
  for (const s of secrets) expect(text).not.toContain(s);
}

/** The seeds' example customer (Acme), with an email of its own. */
async function createAcme(): Promise<TestCustomer> {
  return createCustomer({
    name: "Acme Corporation",
    detail: "Enterprise customer account",
    phone_number: "+15551234567",
    address: "123 Main St, San Francisco, CA 94105",
    webhook_method: "POST",
    webhook_uri: "https://webhooks.acme-corp.com/voipbin",
  });
}

const adminView = async (id: string) => (await api("GET", `/v1.0/customers/${id}`, { token: await adminLogin() })).body;

// ---------------------------------------------------------------------------------------------

describe("GET /v1.0/customer", () => {
  let acme: TestCustomer;
  beforeAll(async () => {
    acme = await createAcme();
  });

  it("returns the caller's customer: the customer object plus webhook_secret", async () => {
    const res = await api("GET", "/v1.0/customer", { token: acme.token });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual([...CUSTOMER_KEYS, "webhook_secret"].sort());
    const { webhook_secret, ...customer } = res.body;
    expect(customer).toEqual(await adminView(acme.id));
    expect(customer).toMatchObject({
      id: acme.id,
      name: "Acme Corporation",
      detail: "Enterprise customer account",
      email: acme.email,
      phone_number: "+15551234567",
      address: "123 Main St, San Francisco, CA 94105",
      webhook_method: "POST",
      webhook_uri: "https://webhooks.acme-corp.com/voipbin",
      billing_account_id: ZERO_UUID,
      metadata: { rtp_debug: false },
      email_verified: false,
      status: "active",
      identity_verification_status: "none",
      tm_deletion_scheduled: null,
      tm_delete: null,
    });
    expect(customer.tm_create).toMatch(ISO_UTC);
    expect(customer.tm_update).toMatch(ISO_UTC);
    const row = await env.DB.prepare("SELECT webhook_secret FROM customers WHERE id = ?")
      .bind(acme.id)
      .first<{ webhook_secret: string }>();
    expect(typeof webhook_secret).toBe("string");
    expect(webhook_secret.length).toBeGreaterThanOrEqual(16);
    expect(webhook_secret).toBe(row!.webhook_secret);
  });

  it("each customer's secret is its own", async () => {
    const other = await createCustomer();
    const a = await api("GET", "/v1.0/customer", { token: acme.token });
    const b = await api("GET", "/v1.0/customer", { token: other.token });
    expect(b.body.id).toBe(other.id);
    expect(b.body.webhook_secret).not.toBe(a.body.webhook_secret);
  });

  it("never returns the password or its hash", async () => {
    const res = await api("GET", "/v1.0/customer", { token: acme.token });
    const { results } = await env.DB.prepare("SELECT password_hash FROM agents WHERE customer_id = ?")
      .bind(acme.id)
      .all<{ password_hash: string }>();
    expect(results.length).toBe(2);
    expectNotContaining(res, [acme.password, ...results.map((r) => r.password_hash)]);
    expect(res.body.password).toBeUndefined();
  });

  it("a CustomerManager may read it, without the webhook secret (enough to forge webhooks)", async () => {
    const manager = await createAgent(acme.id, 64);
    const res = await api("GET", "/v1.0/customer", { token: manager.token });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(acme.id);
    expect(res.body).not.toHaveProperty("webhook_secret");
    expect(Object.keys(res.body).sort()).toEqual([...CUSTOMER_KEYS].sort());
    const { webhook_secret } = (await env.DB.prepare("SELECT webhook_secret FROM customers WHERE id = ?")
      .bind(acme.id)
      .first<{ webhook_secret: string }>())!;
    expect(JSON.stringify(res.body)).not.toContain(webhook_secret);
    // An agent that is both admin and manager is an admin; an access key acts as one.
    const both = await createAgent(acme.id, 32 | 64);
    expect((await api("GET", "/v1.0/customer", { token: both.token })).body.webhook_secret).toBe(webhook_secret);
    const key = await createAccesskey(acme.token);
    expect((await api("GET", "/v1.0/customer", { token: key })).body.webhook_secret).toBe(webhook_secret);
  });

  it("a plain CustomerAgent may not (403)", async () => {
    const agent = await createAgent(acme.id, 16);
    expectError(await api("GET", "/v1.0/customer", { token: agent.token }), 403, "PERMISSION_DENIED");
  });

  it("an access key reads its customer, with the secret", async () => {
    const key = await createAccesskey(acme.token);
    const res = await api("GET", "/v1.0/customer", { token: key });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(acme.id);
    expect(typeof res.body.webhook_secret).toBe("string");
  });

  it("anonymous → 401; the super admin (no customer) → 403", async () => {
    expectError(await api("GET", "/v1.0/customer"), 401, "UNAUTHENTICATED");
    expectError(await api("GET", "/v1.0/customer", { token: await adminLogin() }), 403, "PERMISSION_DENIED");
  });
});

describe("PUT /v1.0/customer", () => {
  it("the seeds' example (name + detail only) changes those and keeps every other field", async () => {
    const acme = await createAcme();
    const before = await adminView(acme.id);
    const res = await api("PUT", "/v1.0/customer", {
      token: acme.token,
      body: { name: "Acme Corporation Inc.", detail: "Updated enterprise account" },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(CUSTOMER_KEYS);
    expect(res.body).toEqual({
      ...before,
      name: "Acme Corporation Inc.",
      detail: "Updated enterprise account",
      tm_update: res.body.tm_update,
    });
    expect(Date.parse(res.body.tm_update)).toBeGreaterThanOrEqual(Date.parse(before.tm_update));
    const me = await api("GET", "/v1.0/customer", { token: acme.token });
    const { webhook_secret, ...rest } = me.body;
    expect(rest).toEqual(res.body);
    expect(webhook_secret).toBeTruthy();
  });

  it("does not show the webhook secret (only GET /v1.0/customer does)", async () => {
    const c = await createCustomer();
    const secret = (await api("GET", "/v1.0/customer", { token: c.token })).body.webhook_secret;
    const res = await api("PUT", "/v1.0/customer", { token: c.token, body: { name: "x" } });
    expect(res.status).toBe(200);
    expect(res.body.webhook_secret).toBeUndefined();
    expectNotContaining(res, [secret, c.password]);
    const meta = await api("PUT", "/v1.0/customer/metadata", { token: c.token, body: { rtp_debug: true } });
    expect(meta.status).toBe(200);
    expect(meta.body.webhook_secret).toBeUndefined();
    expectNotContaining(meta, [secret]);
  });

  it("updates every profile field, one request", async () => {
    const c = await createAcme();
    const change = {
      name: "Renamed",
      detail: "changed detail",
      email: `${unique("self")}@example.com`,
      phone_number: "+819012345678",
      address: "2-1 Chiyoda, Tokyo",
      webhook_method: "GET",
      webhook_uri: "https://hooks.example.org/v2",
    };
    const res = await api("PUT", "/v1.0/customer", { token: c.token, body: change });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ ...change, id: c.id, status: "active" });
    expect((await api("GET", "/v1.0/customer", { token: c.token })).body).toMatchObject(change);
  });

  it("one field at a time, each keeping the others", async () => {
    const c = await createAcme();
    let expected = await adminView(c.id);
    const steps: Record<string, unknown>[] = [
      { address: "Somewhere 1" },
      { phone_number: "" },
      { webhook_method: "DELETE" },
      { webhook_uri: "" },
      { webhook_method: "" },
      { detail: "" },
    ];
    for (const step of steps) {
      const res = await api("PUT", "/v1.0/customer", { token: c.token, body: step });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expected = { ...expected, ...step, tm_update: res.body.tm_update };
      expect(res.body).toEqual(expected);
    }
  });

  it("keeping its own email is not a conflict", async () => {
    const c = await createCustomer();
    const res = await api("PUT", "/v1.0/customer", { token: c.token, body: { email: c.email } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.email).toBe(c.email);
  });

  it.each([
    ["email", { email: "not-an-email" }],
    ["email", { email: 5 }],
    ["phone_number", { phone_number: "0123456" }],
    ["phone_number", { phone_number: "+1-555-123-4567" }],
    ["webhook_method", { webhook_method: "PATCH" }],
    ["webhook_method", { webhook_method: "get" }],
    ["webhook_uri", { webhook_uri: "mailto:ops@example.com" }],
    ["webhook_uri", { webhook_uri: "hooks.example.com" }],
    ["name", { name: "n".repeat(10000) }],
    ["detail", { detail: "d".repeat(20000) }],
    ["address", { address: "a".repeat(20000) }],
    ["name", { name: null }],
    ["status", { status: "deleted" }],
    ["email_verified", { email_verified: true }],
    ["identity_verification_status", { identity_verification_status: "verified" }],
    ["billing_account_id", { billing_account_id: "a1b2c3d4-5678-90ab-cdef-1234567890ab" }],
    ["id", { id: "5e4a0680-804e-11ec-8477-2fea5968d85b" }],
    ["metadata", { metadata: { rtp_debug: true } }],
    ["webhook_secret", { webhook_secret: "whsec_chosen" }],
    ["password", { password: "new-password-123" }],
    ["tm_create", { tm_create: "2020-01-01T00:00:00Z" }],
  ])("invalid or unknown %s → 400, nothing changes", async (field, body) => {
    const c = await createCustomer();
    const before = await adminView(c.id);
    expectInvalid(
      await api("PUT", "/v1.0/customer", { token: c.token, body: { name: "would change", ...body } }),
      field,
    );
    expect(await adminView(c.id)).toEqual(before);
  });

  it("email of another live customer → 409 ALREADY_EXISTS, nothing changes", async () => {
    const a = await createCustomer();
    const b = await createCustomer();
    const before = await adminView(a.id);
    const res = await api("PUT", "/v1.0/customer", { token: a.token, body: { email: b.email, name: "nope" } });
    expectError(res, 409, "ALREADY_EXISTS");
    expect(fieldsOf(res)).toContain("email");
    expect(await adminView(a.id)).toEqual(before);
  });

  it("email equal to another tenant's agent username → 409", async () => {
    const a = await createCustomer();
    const username = `${unique("taken")}@example.com`;
    await createCustomer({ username });
    expectError(
      await api("PUT", "/v1.0/customer", { token: a.token, body: { email: username } }),
      409,
      "ALREADY_EXISTS",
    );
  });

  it("the email of a deleted customer may be taken", async () => {
    const a = await createCustomer();
    const gone = await createCustomer();
    await env.DB.prepare("UPDATE customers SET status = 'deleted' WHERE id = ?").bind(gone.id).run();
    const res = await api("PUT", "/v1.0/customer", { token: a.token, body: { email: gone.email } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.email).toBe(gone.email);
  });

  it("malformed JSON → 400 INVALID_JSON_BODY; non-JSON → 415; over 64 KB → 413", async () => {
    const c = await createCustomer();
    const before = await adminView(c.id);
    expectError(
      await api("PUT", "/v1.0/customer", {
        token: c.token,
        rawBody: '{"name":',
        headers: { "Content-Type": "application/json" },
      }),
      400,
      "INVALID_ARGUMENT",
      "INVALID_JSON_BODY",
    );
    const unsupported = await api("PUT", "/v1.0/customer", {
      token: c.token,
      rawBody: JSON.stringify({ name: "x" }),
      headers: { "Content-Type": "text/plain" },
    });
    expect(unsupported.status).toBe(415);
    expect(unsupported.body.error.request_id).toBe(unsupported.headers.get("X-Request-Id"));
    const large = await api("PUT", "/v1.0/customer", {
      token: c.token,
      body: { name: "x", detail: "d".repeat(70 * 1024) },
    });
    expect(large.status).toBe(413);
    expect(large.body.error.request_id).toBe(large.headers.get("X-Request-Id"));
    expect(await adminView(c.id)).toEqual(before);
  });

  it("a streamed (length-less) body is held to the same rules: non-JSON → 415, over 64 KB → 413", async () => {
    const c = await createCustomer();
    const before = await adminView(c.id);
    const stream = (text: string) =>
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(text));
          controller.close();
        },
      });
    const send = async (contentType: string, text: string) => {
      const res = await SELF.fetch(`${BASE}/v1.0/customer`, {
        method: "PUT",
        headers: { Authorization: `Bearer ${c.token}`, "Content-Type": contentType },
        body: stream(text),
        duplex: "half",
      } as RequestInit);
      return { status: res.status, body: await res.json<any>(), requestId: res.headers.get("X-Request-Id") };
    };
    const unsupported = await send("text/plain", JSON.stringify({ name: "streamed" }));
    expect(unsupported.status).toBe(415);
    expect(unsupported.body.error.request_id).toBe(unsupported.requestId);
    const large = await send("application/json", JSON.stringify({ detail: "d".repeat(70 * 1024) }));
    expect(large.status).toBe(413);
    expect(large.body.error.request_id).toBe(large.requestId);
    expect(await adminView(c.id)).toEqual(before);
    const ok = await send("application/json", JSON.stringify({ name: "streamed ok" }));
    expect(ok.status).toBe(200);
    expect(ok.body.name).toBe("streamed ok");
  });

  it("only touches the caller's own customer", async () => {
    const a = await createCustomer();
    const b = await createCustomer();
    const bBefore = await adminView(b.id);
    const res = await api("PUT", "/v1.0/customer", { token: a.token, body: { name: "Only A" } });
    expect(res.body.id).toBe(a.id);
    expect(await adminView(b.id)).toEqual(bBefore);
  });

  it("CustomerManager and CustomerAgent → 403, nothing changes", async () => {
    const c = await createAcme();
    const before = await adminView(c.id);
    for (const permission of [64, 16]) {
      const agent = await createAgent(c.id, permission);
      expectError(
        await api("PUT", "/v1.0/customer", { token: agent.token, body: { name: "not allowed" } }),
        403,
        "PERMISSION_DENIED",
      );
      expectError(
        await api("PUT", "/v1.0/customer/metadata", { token: agent.token, body: { rtp_debug: true } }),
        403,
        "PERMISSION_DENIED",
      );
    }
    expect(await adminView(c.id)).toEqual(before);
  });
});

describe("PUT /v1.0/customer/metadata", () => {
  it("sets rtp_debug and leaves every other field alone", async () => {
    const c = await createAcme();
    const before = await adminView(c.id);
    const on = await api("PUT", "/v1.0/customer/metadata", { token: c.token, body: { rtp_debug: true } });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    expect(Object.keys(on.body).sort()).toEqual(CUSTOMER_KEYS);
    expect(on.body).toEqual({ ...before, metadata: { rtp_debug: true }, tm_update: on.body.tm_update });
    expect((await api("GET", "/v1.0/customer", { token: c.token })).body.metadata).toEqual({ rtp_debug: true });

    const off = await api("PUT", "/v1.0/customer/metadata", { token: c.token, body: { rtp_debug: false } });
    expect(off.status).toBe(200);
    expect(off.body.metadata).toEqual({ rtp_debug: false });
    expect((await adminView(c.id)).metadata).toEqual({ rtp_debug: false });
  });

  it("is idempotent", async () => {
    const c = await createCustomer();
    for (let i = 0; i < 2; i++) {
      const res = await api("PUT", "/v1.0/customer/metadata", { token: c.token, body: { rtp_debug: true } });
      expect(res.status).toBe(200);
      expect(res.body.metadata).toEqual({ rtp_debug: true });
    }
  });

  it("a profile update does not touch metadata, nor metadata the profile", async () => {
    const c = await createAcme();
    await api("PUT", "/v1.0/customer/metadata", { token: c.token, body: { rtp_debug: true } });
    const profile = await api("PUT", "/v1.0/customer", { token: c.token, body: { name: "Still debugging" } });
    expect(profile.body.metadata).toEqual({ rtp_debug: true });
    const meta = await api("PUT", "/v1.0/customer/metadata", { token: c.token, body: { rtp_debug: false } });
    expect(meta.body.name).toBe("Still debugging");
  });

  it.each([
    ["rtp_debug as a string", { rtp_debug: "yes" }, "rtp_debug"],
    ["rtp_debug as 0", { rtp_debug: 0 }, "rtp_debug"],
    ["rtp_debug null", { rtp_debug: null }, "rtp_debug"],
    ["an unknown field", { rtp_debug: true, other_flag: true }, "other_flag"],
    ["the whole metadata object", { metadata: { rtp_debug: true } }, "metadata"],
  ])("%s → 400 naming the field, nothing changes", async (_n, body, field) => {
    const c = await createCustomer();
    expectInvalid(await api("PUT", "/v1.0/customer/metadata", { token: c.token, body }), field);
    expect((await adminView(c.id)).metadata).toEqual({ rtp_debug: false });
  });

  it("malformed JSON → 400 INVALID_JSON_BODY", async () => {
    const c = await createCustomer();
    expectError(
      await api("PUT", "/v1.0/customer/metadata", {
        token: c.token,
        rawBody: "{rtp_debug: true}",
        headers: { "Content-Type": "application/json" },
      }),
      400,
      "INVALID_ARGUMENT",
      "INVALID_JSON_BODY",
    );
  });

  it("an access key may set it", async () => {
    const c = await createCustomer();
    const key = await createAccesskey(c.token);
    const res = await api("PUT", "/v1.0/customer/metadata", { token: key, body: { rtp_debug: true } });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(c.id);
    expect(res.body.metadata).toEqual({ rtp_debug: true });
  });
});
