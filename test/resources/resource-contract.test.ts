import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import worker from "../../src";
import {
  adminLogin,
  api,
  BASE,
  createAccesskey,
  createCustomer,
  expectError,
  login,
  unique,
  ZERO_UUID,
  type TestCustomer,
} from "../helpers";
import { createResource, validBody } from "../helpers/resources";

// Issue 11 items 1 and 2: the owned kinds as the platform's contract and clients have them.

let a: TestCustomer;
let b: TestCustomer;
beforeAll(async () => {
  [a, b] = await Promise.all([createCustomer(), createCustomer()]);
});

const post = (kind: string, body: unknown, token = a.token) => api("POST", `/v1.0/${kind}`, { token, body });
const ignored = (res: { headers: Headers }) => res.headers.get("X-Ignored-Fields");

describe("bodies the clients send are accepted; unknown and read-only fields are ignored and named", () => {
  it("vn agent create: permission 0 and ring_method; the agent gets CustomerAgent", async () => {
    const res = await post("agents", {
      username: `${unique("vn")}@example.com`,
      password: "agent-password-1",
      name: "vn agent",
      detail: "",
      ring_method: "ringall",
      permission: 0,
      tag_ids: null,
      addresses: [{ type: "tel", target: "+15550001234" }],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      permission: 16,
      ring_method: "ringall",
      status: "offline",
      tag_ids: [],
      direct_hash: "",
      tm_delete: null,
    });
    expect(res.body.addresses).toEqual([{ type: "tel", target: "+15550001234" }]);
    expect(ignored(res)).toBeNull();
  });

  it("trunks take auth_types, username and password; the password comes back to the customer's admin", async () => {
    const res = await post("trunks", {
      name: "pbx",
      detail: "",
      domain_name: `t${Date.now() % 1e6}`,
      auth_types: ["basic", "ip"],
      username: "PbxUser",
      password: "sip-secret",
      allowed_ips: ["203.0.113.7"],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ auth_types: ["basic", "ip"], username: "PbxUser", allowed_ips: ["203.0.113.7"] });
    expect(res.body.password).toBe("sip-secret");
  });

  it("the Go SDK's updates send password \"\" (no omitempty): an extension's and a trunk's password stay as they were", async () => {
    const hashOf = async (table: string, id: string) =>
      (await env.DB.prepare(`SELECT password_sealed FROM ${table} WHERE id = ?`)
        .bind(id)
        .first<{ password_sealed: string }>())!.password_sealed;
    for (const kind of ["extensions", "trunks"] as const) {
      const row = await createResource(a.token, kind, { ...validBody(kind), password: "sip-secret-123" });
      const before = await hashOf(kind, row.id);
      const res = await api("PUT", `/v1.0/${kind}/${row.id}`, {
        token: a.token,
        body: { name: "renamed", password: "" },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.name).toBe("renamed");
      expect(res.body.password).toBe("sip-secret-123");
      expect(await hashOf(kind, row.id)).toBe(before);
      expect(before).not.toBe("");
    }
    // Creating an extension still needs a real password.
    expectError(await post("extensions", { extension: `e${Date.now() % 1e6}`, password: "" }), 400, "INVALID_ARGUMENT");
  });

  it('vn\'s queue default routing_method "ringall" (an agent ring method) stands for the default', async () => {
    const res = await post("queues", {
      name: "q",
      detail: "",
      routing_method: "ringall",
      tag_ids: [],
      wait_timeout: 1000,
      service_timeout: 1000,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.routing_method).toBe("random");
    expectError(await post("queues", { name: "q", routing_method: "fastest" }), 400, "INVALID_ARGUMENT");
  });

  it('queues take wait_flow_id and service_timeout; routing_method "" is the default (random)', async () => {
    const flow = await createResource(a.token, "flows");
    const res = await post("queues", {
      name: "q",
      detail: "",
      routing_method: "",
      tag_ids: null,
      wait_flow_id: flow.id,
      wait_timeout: 1000,
      service_timeout: 20000,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      routing_method: "random",
      tag_ids: [],
      wait_flow_id: flow.id,
      service_timeout: 20000,
      total_incoming_count: 0,
      wait_queuecall_ids: [],
    });
  });

  it('numbers: "" and null flow ids are the zero UUID; type and status are answered', async () => {
    const res = await post("numbers", { ...validBody("numbers"), call_flow_id: "", message_flow_id: null });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      call_flow_id: ZERO_UUID,
      message_flow_id: ZERO_UUID,
      type: "virtual",
      status: "active",
    });
  });

  it("flows: actions null is an empty list (Go SDK)", async () => {
    const res = await post("flows", { name: "f", detail: "", actions: null, on_complete_flow_id: "" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ actions: [], type: "flow", on_complete_flow_id: ZERO_UUID });
  });

  it("contacts: the contract's fields are kept; phone_numbers[] and emails[] (MCP) are ignored and named", async () => {
    const res = await post("contacts", {
      first_name: "Ada",
      last_name: "L",
      display_name: "Ada L",
      job_title: "Engineer",
      notes: "met at a conference",
      source: "api",
      external_id: "crm-1",
      addresses: [{ type: "email", target: "ada@example.com", is_primary: true }],
      phone_numbers: ["+15550009999"],
      emails: ["ada@example.com"],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      display_name: "Ada L",
      job_title: "Engineer",
      notes: "met at a conference",
      source: "api",
      external_id: "crm-1",
    });
    expect(res.body.addresses).toEqual([
      {
        id: expect.any(String),
        type: "email",
        target: "ada@example.com",
        name: "",
        detail: "",
        is_primary: true,
        tm_create: expect.any(String),
      },
    ]);
    expect(ignored(res)).toBe("emails,phone_numbers");
  });

  it('billing accounts take payment_method; payment_type "" is prepaid; plan and status are answered', async () => {
    const res = await post("billing_accounts", { name: "acct", payment_method: "credit card", payment_type: "" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      payment_method: "credit card",
      payment_type: "prepaid",
      plan_type: "free",
      plan_status: "active",
      status: "active",
    });
  });

  it("a read-only field is ignored on PUT (agent status, is_guest), and named", async () => {
    const agent = await createResource(a.token, "agents");
    const res = await api("PUT", `/v1.0/agents/${agent.id}`, {
      token: a.token,
      body: { status: "busy", is_guest: true, username: "x@example.com", ring_method: "linear" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "offline",
      is_guest: false,
      username: agent.username,
      ring_method: "linear",
    });
    expect(ignored(res)).toBe("is_guest,status,username");
  });

  it("a browser app can read X-Ignored-Fields (CORS exposes it)", async () => {
    const tag = await createResource(a.token, "tags");
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`${BASE}/v1.0/tags/${tag.id}`, {
        method: "PUT",
        headers: {
          Origin: "https://app.example",
          Authorization: `Bearer ${a.token}`,
          "Content-Type": "application/json",
        },
        body: JSON.stringify({ nmae: "typo" }),
      }),
      { ...(env as Env), CORS_ORIGINS: "https://app.example" },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("X-Ignored-Fields")).toBe("nmae");
    expect(res.headers.get("Access-Control-Expose-Headers")?.split(/,\s*/)).toContain("X-Ignored-Fields");
  });

  it("the audit trail names the fields applied, not the ones ignored", async () => {
    const c = await createCustomer();
    const tag = await createResource(c.token, "tags");
    const res = await api("PUT", `/v1.0/tags/${tag.id}`, {
      token: c.token,
      body: { name: "x", customer_id: a.id, bogus: 1 },
    });
    expect(ignored(res)).toBe("bogus,customer_id");
    const trail = await api("GET", `/v1.0/customers/${c.id}/audit`, { token: await adminLogin() });
    const entry = trail.body.result.find((e: any) => e.action === "PUT /v1.0/tags/{id}");
    expect(entry.changed_fields).toEqual(["name"]);
  });

  it("a delete answers tm_delete; reads answer null", async () => {
    const tag = await createResource(a.token, "tags");
    expect(tag.tm_delete).toBeNull();
    const res = await api("DELETE", `/v1.0/tags/${tag.id}`, { token: a.token });
    expect(Date.parse(res.body.tm_delete)).toBeGreaterThanOrEqual(Date.parse(tag.tm_create));
  });
});

describe("GET /v1.0/me", () => {
  it("answers the signed-in agent", async () => {
    const body = validBody("agents");
    const agent = await createResource(a.token, "agents", body);
    const res = await api("GET", "/v1.0/me", { token: await login(body.username as string, body.password as string) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(agent);
  });

  it("answers an access key's identity in the agent shape (vn login)", async () => {
    const key = await createAccesskey(a.token, { name: "cli key" });
    const res = await api("GET", `/v1.0/me?accesskey=${key}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      customer_id: a.id,
      name: "cli key",
      username: "",
      permission: 32,
      tag_ids: [],
      addresses: [],
      tm_delete: null,
    });
    expect(JSON.stringify(res.body)).not.toContain(key);
    expectError(await api("GET", "/v1.0/me?accesskey=vb_not-a-key"), 401, "UNAUTHENTICATED");
  });

  it("answers the super admin (who lives in configuration) and the super admin's keys, with permission 1", async () => {
    const admin = await adminLogin();
    const me = await api("GET", "/v1.0/me", { token: admin });
    expect(me.status, JSON.stringify(me.body)).toBe(200);
    expect(me.body).toMatchObject({
      customer_id: ZERO_UUID,
      username: env.ADMIN_USERNAME.toLowerCase(),
      permission: 1,
    });
    const key = await createAccesskey(admin, { name: "operator key" });
    const viaKey = await api("GET", `/v1.0/me?accesskey=${key}`);
    expect(viaKey.status, JSON.stringify(viaKey.body)).toBe(200);
    expect(viaKey.body).toMatchObject({ customer_id: ZERO_UUID, name: "operator key", username: "", permission: 1 });
  });
});

describe("the contract's names: /v1.0/transcribes and /v1.0/storage_files", () => {
  it("transcribes is transcriptions under another name, every method", async () => {
    const created = await post("transcribes", {
      reference_type: "call",
      reference_id: crypto.randomUUID(),
      language: "en-US",
      direction: "in",
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect((await api("GET", `/v1.0/transcriptions/${created.body.id}`, { token: a.token })).body.direction).toBe("in");
    expect(
      (await api("PUT", `/v1.0/transcribes/${created.body.id}`, { token: a.token, body: { name: "renamed" } })).body
        .name,
    ).toBe("renamed");
    expect(
      (await api("GET", "/v1.0/transcribes?page_size=100", { token: a.token })).body.result.map((r: any) => r.id),
    ).toContain(created.body.id);
    expectError(await api("GET", `/v1.0/transcribes/${created.body.id}`, { token: b.token }), 404, "NOT_FOUND");
    expect((await api("DELETE", `/v1.0/transcribes/${created.body.id}`, { token: a.token })).status).toBe(200);
  });

  it("storage_files reads, changes and deletes files", async () => {
    const file = await createResource(a.token, "files");
    expect((await api("GET", `/v1.0/storage_files/${file.id}`, { token: a.token })).body.id).toBe(file.id);
    expect(
      (await api("PUT", `/v1.0/storage_files/${file.id}`, { token: a.token, body: { name: "renamed" } })).body.name,
    ).toBe("renamed");
    expectError(await api("GET", `/v1.0/storage_files/${file.id}`, { token: b.token }), 404, "NOT_FOUND");
    expect((await api("DELETE", `/v1.0/storage_files/${file.id}`, { token: a.token })).status).toBe(200);
  });
});

describe("sub-resource setters", () => {
  it("agents: addresses, tag_ids, status and permission; permission is bounded to its bits", async () => {
    const agent = await createResource(a.token, "agents");
    const tag = await createResource(a.token, "tags");
    const put = (setter: string, body: unknown, token = a.token) =>
      api("PUT", `/v1.0/agents/${agent.id}/${setter}`, { token, body });
    expect(
      (await put("addresses", { addresses: [{ type: "sip", target: "sip:a@example.com" }] })).body.addresses,
    ).toEqual([{ type: "sip", target: "sip:a@example.com" }]);
    expect((await put("tag_ids", { tag_ids: [tag.id] })).body.tag_ids).toEqual([tag.id]);
    expect((await put("tag_ids", { tag_ids: null })).body.tag_ids).toEqual([]);
    expect((await put("status", { status: "available" })).body.status).toBe("available");
    expect((await put("permission", { permission: 48 })).body.permission).toBe(48);
    expect((await put("permission", { permission: 0 })).body.permission).toBe(16);
    for (const permission of [4294967328, 2 ** 32 + 16, 128, 1, 17]) {
      expectError(await put("permission", { permission }), 400, "INVALID_ARGUMENT");
    }
    expectError(
      await api("POST", "/v1.0/agents", { token: a.token, body: { ...validBody("agents"), permission: 4294967328 } }),
      400,
      "INVALID_ARGUMENT",
    );
    expectError(await put("status", { status: "sleeping" }), 400, "INVALID_ARGUMENT");
    // Nothing is required in these setters' contract bodies (the Go SDK omits a nil field): {} changes nothing.
    expect((await put("status", {})).body.status).toBe("available");
    expectError(await put("status", { status: "busy" }, b.token), 404, "NOT_FOUND");
    // A stale ETag is refused here as on PUT /agents/{id}.
    expectError(
      await api("PUT", `/v1.0/agents/${agent.id}/status`, {
        token: a.token,
        body: { status: "away" },
        headers: { "If-Match": '"1"' },
      }),
      412,
      "FAILED_PRECONDITION",
    );
  });

  it("the guest agent's permission and the last admin stay protected through the setter", async () => {
    const agents = (await api("GET", "/v1.0/agents?page_size=100", { token: a.token })).body.result as any[];
    const guest = agents.find((x) => x.is_guest);
    expectError(
      await api("PUT", `/v1.0/agents/${guest.id}/permission`, { token: a.token, body: { permission: 32 } }),
      403,
      "PERMISSION_DENIED",
      "GUEST_AGENT_IMMUTABLE",
    );
    const c = await createCustomer();
    const admin = ((await api("GET", "/v1.0/agents?page_size=100", { token: c.token })).body.result as any[]).find(
      (x) => !x.is_guest && x.permission & 32,
    );
    expectError(
      await api("PUT", `/v1.0/agents/${admin.id}/permission`, { token: c.token, body: { permission: 16 } }),
      403,
      "PERMISSION_DENIED",
      "LAST_CUSTOMER_ADMIN",
    );
  });

  it('queues: routing_method ("" is random) and tag_ids; numbers: flow_ids; billing: payment_info', async () => {
    const queue = await createResource(a.token, "queues");
    expect(
      (await api("PUT", `/v1.0/queues/${queue.id}/routing_method`, { token: a.token, body: { routing_method: "" } }))
        .body.routing_method,
    ).toBe("random");
    expect(
      (await api("PUT", `/v1.0/queues/${queue.id}/tag_ids`, { token: a.token, body: { tag_ids: null } })).body.tag_ids,
    ).toEqual([]);
    const number = await createResource(a.token, "numbers");
    const flow = await createResource(a.token, "flows");
    const flows = await api("PUT", `/v1.0/numbers/${number.id}/flow_ids`, {
      token: a.token,
      body: { call_flow_id: flow.id, message_flow_id: "" },
    });
    expect(flows.body).toMatchObject({ call_flow_id: flow.id, message_flow_id: ZERO_UUID });
    // `vn numbers update-flow-ids` sends only the flow it was given: the other keeps its value.
    const other = await createResource(a.token, "flows");
    const onlyMessage = await api("PUT", `/v1.0/numbers/${number.id}/flow_ids`, {
      token: a.token,
      body: { message_flow_id: other.id },
    });
    expect(onlyMessage.status, JSON.stringify(onlyMessage.body)).toBe(200);
    expect(onlyMessage.body).toMatchObject({ call_flow_id: flow.id, message_flow_id: other.id });
    expectError(
      await api("PUT", `/v1.0/numbers/${number.id}/flow_ids`, { token: a.token, body: { call_flow_id: "not-a-uuid" } }),
      400,
      "INVALID_ARGUMENT",
    );
    const account = await createResource(a.token, "billing_accounts");
    const info = await api("PUT", `/v1.0/billing_accounts/${account.id}/payment_info`, {
      token: a.token,
      body: { payment_type: "prepaid", payment_method: "credit card" },
    });
    expect(info.body).toMatchObject({ payment_type: "prepaid", payment_method: "credit card" });
    expectError(
      await api("PUT", `/v1.0/billing_accounts/${account.id}/payment_info`, {
        token: b.token,
        body: { payment_type: "prepaid", payment_method: "" },
      }),
      404,
      "NOT_FOUND",
    );
  });
});

describe("contacts: addresses and tags one at a time, and lookup", () => {
  it("adds, changes and removes addresses; one primary at a time", async () => {
    const contact = await createResource(a.token, "contacts");
    const add = (body: unknown) => api("POST", `/v1.0/contacts/${contact.id}/addresses`, { token: a.token, body });
    const first = await add({ type: "tel", target: "+15551110000", is_primary: true });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const second = await add({ type: "email", target: "c@example.com", is_primary: true });
    const [x, y] = second.body.addresses;
    expect([x.is_primary, y.is_primary]).toEqual([false, true]);
    const changed = await api("PUT", `/v1.0/contacts/${contact.id}/addresses/${x.id}`, {
      token: a.token,
      body: { name: "mobile", is_primary: true },
    });
    expect(changed.body.addresses.map((v: any) => [v.name, v.is_primary])).toEqual([
      ["mobile", true],
      ["", false],
    ]);
    expectError(await add({ type: "fax", target: "1" }), 400, "INVALID_ARGUMENT");
    expectError(
      await api("PUT", `/v1.0/contacts/${contact.id}/addresses/${crypto.randomUUID()}`, {
        token: a.token,
        body: { name: "n" },
      }),
      404,
      "NOT_FOUND",
    );
    expectError(
      await api("POST", `/v1.0/contacts/${contact.id}/addresses`, {
        token: b.token,
        body: { type: "tel", target: "+15551110001" },
      }),
      404,
      "NOT_FOUND",
    );
    const removed = await api("DELETE", `/v1.0/contacts/${contact.id}/addresses/${x.id}`, { token: a.token });
    expect(removed.body.addresses.map((v: any) => v.id)).toEqual([y.id]);
  });

  it("tags and untags", async () => {
    const contact = await createResource(a.token, "contacts");
    const tag = await createResource(a.token, "tags");
    expect(
      (await api("POST", `/v1.0/contacts/${contact.id}/tags`, { token: a.token, body: { tag_id: tag.id } })).body
        .tag_ids,
    ).toEqual([tag.id]);
    expect(
      (await api("POST", `/v1.0/contacts/${contact.id}/tags`, { token: a.token, body: { tag_id: tag.id } })).body
        .tag_ids,
    ).toEqual([tag.id]);
    expect(
      (await api("DELETE", `/v1.0/contacts/${contact.id}/tags/${tag.id}`, { token: a.token })).body.tag_ids,
    ).toEqual([]);
  });

  it("looks a contact up by phone or email, its own fields or an address; never another tenant's", async () => {
    const c = await createCustomer();
    const phone = `+1555${String(Date.now() % 1e7).padStart(7, "0")}`;
    const byField = await createResource(c.token, "contacts", {
      ...validBody("contacts"),
      phone_number: phone,
      email: "",
    });
    const byAddress = await createResource(c.token, "contacts", {
      name: "addr",
      addresses: [{ type: "email", target: "lookup@example.com" }],
    });
    expect(
      (await api("GET", `/v1.0/contacts/lookup?phone=${encodeURIComponent(phone)}`, { token: c.token })).body.id,
    ).toBe(byField.id);
    expect((await api("GET", "/v1.0/contacts/lookup?email=LOOKUP@example.com", { token: c.token })).body.id).toBe(
      byAddress.id,
    );
    expectError(
      await api("GET", `/v1.0/contacts/lookup?phone=${encodeURIComponent(phone)}`, { token: b.token }),
      404,
      "NOT_FOUND",
    );
    expectError(await api("GET", "/v1.0/contacts/lookup", { token: c.token }), 400, "INVALID_ARGUMENT");
  });
});

describe("operator balance changes", () => {
  it("the super admin adds and subtracts; a customer cannot", async () => {
    const account = await createResource(a.token, "billing_accounts", { name: "acct" });
    expect(account.balance).toBe(0);
    const admin = await adminLogin();
    const added = await api("POST", `/v1.0/billing_accounts/${account.id}/balance_add_force`, {
      token: admin,
      body: { balance: 15.5 },
    });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body.balance).toBe(15.5);
    const subtracted = await api("POST", `/v1.0/billing_accounts/${account.id}/balance_subtract_force`, {
      token: admin,
      body: { balance: 20 },
    });
    expect(subtracted.body.balance).toBe(-4.5);
    expectError(
      await api("POST", `/v1.0/billing_accounts/${account.id}/balance_add_force`, {
        token: a.token,
        body: { balance: 1 },
      }),
      403,
      "PERMISSION_DENIED",
    );
    expectError(
      await api("POST", `/v1.0/billing_accounts/${crypto.randomUUID()}/balance_add_force`, {
        token: admin,
        body: { balance: 1 },
      }),
      404,
      "NOT_FOUND",
    );
  });
});
