import { beforeAll, describe, expect, it } from "vitest";
import type { ResourceKind } from "../../src/db/owned";
import { adminLogin, api, createAgent, createCustomer, type ApiResponse, ZERO_UUID } from "../helpers";
import { setPlan } from "../helpers/plans";
import { createResource, kinds, validBody } from "../helpers/resources";

// Issue 21 #1: who may write which field of each kind. Everything the platform computes or the
// operator sets is read-only to customers: on create and update it is ignored (never applied) and
// named in X-Ignored-Fields. The table below is the list, kind by kind; a field the document
// shows that the table does not classify fails the last test.

const ROLES = ["admin", "manager", "agent", "operator"] as const;
type Role = (typeof ROLES)[number];

interface Refs {
  tag: string;
  tag2: string;
  flow: string;
  flow2: string;
  other: string;
}

interface Access {
  /** Required fields of a create, fresh for each call (unique usernames, numbers, extensions). */
  base(): Record<string, unknown>;
  /** Written on create and on update: [the create's value, the update's value]. */
  writable: Record<string, [unknown, unknown]>;
  /** Written on create; on update ignored: [the create's value, the value an update tries]. */
  createOnly?: Record<string, [unknown, unknown]>;
  /** Never written by a customer: the value a create and an update try. */
  readOnly: Record<string, unknown>;
  /** Accepted, never shown. */
  secret?: string[];
  /** Fields answered to admins and the operator only (SIP passwords). */
  adminsOnly?: string[];
  /** Who may write the kind at all (the others get 403). */
  writers: Role[];
}

const ADMINS: Role[] = ["admin", "manager"];
const SOMETIME = "2001-02-03T04:05:06.000Z";
const attempt = () => crypto.randomUUID();

/** On every kind: the identity, the owner and the times are the service's. */
const common = (r: Refs) => ({
  id: attempt(),
  customer_id: r.other,
  tm_create: SOMETIME,
  tm_update: SOMETIME,
  tm_delete: SOMETIME,
});
const texts = { name: ["first name", "second name"], detail: ["first detail", "second detail"] } as Record<
  string,
  [unknown, unknown]
>;

const table = (r: Refs): Record<ResourceKind, Access> => ({
  agents: {
    base: () => ({ username: validBody("agents").username }),
    writable: {
      ...texts,
      permission: [64, 16],
      ring_method: ["linear", "ringall"],
      tag_ids: [[r.tag], [r.tag2]],
      addresses: [[{ type: "tel", target: "+15550001111" }], []],
    },
    createOnly: { password: ["agent-password-1", "another-password-2"] },
    readOnly: { ...common(r), status: "busy", is_guest: true, direct_hash: "direct.forged" },
    secret: ["password"],
    writers: ["admin"],
  },
  numbers: {
    base: () => ({ number: validBody("numbers").number }),
    writable: { ...texts, call_flow_id: [r.flow, r.flow2], message_flow_id: [r.flow2, ZERO_UUID] },
    // Taken on create as vn sends it, and checked against the (virtual) number; never changed after.
    createOnly: { type: ["virtual", "normal"] },
    readOnly: {
      ...common(r),
      status: "deleted",
      t38_enabled: true,
      emergency_enabled: true,
      tm_purchase: SOMETIME,
      tm_renew: SOMETIME,
    },
    writers: ADMINS,
  },
  flows: {
    base: () => ({}),
    writable: {
      ...texts,
      actions: [[{ type: "answer" }], [{ type: "hangup" }]],
      on_complete_flow_id: [r.flow, ZERO_UUID],
    },
    readOnly: { ...common(r), type: "queue", direct_hash: "direct.forged" },
    writers: ADMINS,
  },
  queues: {
    base: () => ({}),
    writable: {
      ...texts,
      routing_method: ["round_robin", "random"],
      tag_ids: [[r.tag], []],
      wait_flow_id: [r.flow, r.flow2],
      wait_timeout: [1000, 2000],
      service_timeout: [3000, 4000],
    },
    readOnly: {
      ...common(r),
      direct_hash: "direct.forged",
      wait_queuecall_ids: [attempt()],
      service_queuecall_ids: [attempt()],
      total_incoming_count: 5,
      total_serviced_count: 6,
      total_abandoned_count: 7,
    },
    writers: ADMINS,
  },
  trunks: {
    base: () => ({}),
    writable: {
      ...texts,
      domain_name: ["trunk-one", "trunk-two"],
      auth_types: [["basic"], ["ip"]],
      username: ["pbx1", "pbx2"],
      password: ["sip-secret-1", "sip-secret-2"],
      allowed_ips: [["203.0.113.1"], ["203.0.113.2"]],
    },
    readOnly: common(r),
    adminsOnly: ["password"],
    writers: ADMINS,
  },
  extensions: {
    base: () => ({ extension: validBody("extensions").extension }),
    writable: { ...texts, password: ["sip-password-1", "sip-password-2"] },
    createOnly: {},
    readOnly: { ...common(r), username: "forged", domain_name: "forged.example", direct_hash: "direct.forged" },
    adminsOnly: ["password"],
    writers: ADMINS,
  },
  files: {
    base: () => ({}),
    writable: { ...texts, type: ["rag", "talk"], filename: ["a.wav", "b.wav"] },
    createOnly: { content_type: ["audio/wav", "text/plain"] },
    readOnly: {
      ...common(r),
      owner_type: "agent",
      owner_id: attempt(),
      reference_type: "recording",
      reference_id: attempt(),
      filesize: 999_999,
      uri_download: "https://attacker.example/file",
      tm_download_expire: SOMETIME,
    },
    writers: ADMINS,
  },
  billing_accounts: {
    base: () => ({}),
    writable: { ...texts, payment_type: ["postpaid", "prepaid"], payment_method: ["credit card", ""] },
    createOnly: { currency: ["EUR", "JPY"] },
    readOnly: {
      ...common(r),
      balance: 1_000_000,
      plan_type: "unlimited",
      plan_status: "canceling",
      status: "frozen",
      paddle_subscription_id: "sub_forged",
      paddle_customer_id: "ctm_forged",
      tm_last_topup: SOMETIME,
      tm_next_topup: SOMETIME,
    },
    writers: ADMINS,
  },
  tags: { base: () => ({}), writable: texts, readOnly: common(r), writers: ADMINS },
  transcriptions: {
    base: () => ({}),
    writable: {
      ...texts,
      reference_type: ["call", "recording"],
      reference_id: [attempt(), attempt()],
      language: ["en-US", "ko-KR"],
      direction: ["in", "out"],
      provider: ["gcp", "aws"],
      on_end_flow_id: [r.flow, ZERO_UUID],
    },
    readOnly: { ...common(r), status: "progressing", activeflow_id: attempt() },
    writers: ADMINS,
  },
  contacts: {
    base: () => ({}),
    writable: {
      ...texts,
      first_name: ["Jane", "Janet"],
      last_name: ["Doe", "Roe"],
      display_name: ["JD", "JR"],
      email: ["jane@example.com", "janet@example.com"],
      phone_number: ["+15559876543", "+15559876544"],
      company: ["X", "Y"],
      job_title: ["CTO", "CEO"],
      source: ["import", "api"],
      external_id: ["e1", "e2"],
      notes: ["n1", "n2"],
      addresses: [[{ type: "email", target: "jane@example.com" }], []],
      tag_ids: [[r.tag], [r.tag, r.tag2]],
    },
    readOnly: common(r),
    writers: ADMINS,
  },
});

const callers = {} as Record<Role, string>;
let customerId: string;
let access: Record<ResourceKind, Access>;

beforeAll(async () => {
  const [a, other] = await Promise.all([createCustomer(), createCustomer()]);
  // Every kind is created by every role here: more than the free plan allows (test/plans/limits.test.ts).
  await setPlan(a, "unlimited");
  customerId = a.id;
  callers.admin = a.token;
  callers.manager = (await createAgent(a.id, 64)).token;
  callers.agent = (await createAgent(a.id, 16)).token;
  callers.operator = await adminLogin();
  const [tag, tag2, flow, flow2] = await Promise.all([
    createResource(a.token, "tags"),
    createResource(a.token, "tags"),
    createResource(a.token, "flows"),
    createResource(a.token, "flows"),
  ]);
  access = table({ tag: tag.id, tag2: tag2.id, flow: flow.id, flow2: flow2.id, other: other.id });
});

const ignoredOf = (res: ApiResponse) =>
  (res.headers.get("X-Ignored-Fields") ?? "")
    .split(",")
    .filter(Boolean)
    .map((n) => decodeURIComponent(n))
    .sort();
const pick = (fields: Record<string, [unknown, unknown]> | undefined, i: 0 | 1) =>
  Object.fromEntries(Object.entries(fields ?? {}).map(([k, v]) => [k, v[i]]));

/** A stored value as sent: items the service completes (a contact's address ids) compared by what was sent. */
function expectShown(shown: unknown, sent: unknown, what: string) {
  if (Array.isArray(sent) && sent.some((v) => typeof v === "object")) expect(shown, what).toMatchObject(sent);
  else expect(shown, what).toEqual(sent);
}

describe.each(kinds)("%s: who writes which field", (kind) => {
  it.each(ROLES)("%s", async (role) => {
    const t = access[kind];
    const token = callers[role];
    const createBody = { ...t.base(), ...pick(t.writable, 0), ...pick(t.createOnly, 0), ...t.readOnly };
    const created = await api("POST", `/v1.0/${kind}`, { token, body: createBody });
    const target = t.writers.includes(role) ? created.body : await createResource(callers.admin, kind);
    const updateBody = { ...pick(t.writable, 1), ...pick(t.createOnly, 1), ...t.readOnly };
    const updated = await api("PUT", `/v1.0/${kind}/${target.id}`, { token, body: updateBody });
    if (!t.writers.includes(role)) {
      expect(created.status, `${role} creates ${kind}`).toBe(403);
      expect(updated.status, `${role} updates ${kind}`).toBe(403);
      expect((await api("GET", `/v1.0/${kind}/${target.id}`, { token: callers.admin })).body).toEqual(target);
      return;
    }

    expect(created.status, JSON.stringify(created.body)).toBe(200);
    // SIP passwords are answered to admins and the operator only (sealed, not hashed).
    const hidden = [...(t.secret ?? []), ...(role === "manager" || role === "agent" ? (t.adminsOnly ?? []) : [])];
    expect(ignoredOf(created), "X-Ignored-Fields of the create").toEqual(Object.keys(t.readOnly).sort());
    expect(created.body.customer_id).toBe(customerId);
    for (const [field, value] of Object.entries({ ...pick(t.writable, 0), ...pick(t.createOnly, 0) })) {
      if (hidden.includes(field)) expect(created.body).not.toHaveProperty(field);
      else expectShown(created.body[field], value, `${kind}.${field} on create`);
    }
    for (const [field, tried] of Object.entries(t.readOnly))
      expect(created.body[field], `${kind}.${field} is read-only`).not.toEqual(tried);

    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(ignoredOf(updated), "X-Ignored-Fields of the update").toEqual(
      [...Object.keys(t.createOnly ?? {}), ...Object.keys(t.readOnly)].sort(),
    );
    for (const [field, value] of Object.entries(pick(t.writable, 1))) {
      if (!hidden.includes(field)) expectShown(updated.body[field], value, `${kind}.${field} on update`);
    }
    for (const field of [...Object.keys(t.createOnly ?? {}), ...Object.keys(t.readOnly)]) {
      if (hidden.includes(field)) continue;
      if (field === "tm_update") expect(updated.body[field]).not.toEqual(SOMETIME);
      else expect(updated.body[field], `${kind}.${field} kept on update`).toEqual(created.body[field]);
    }
    // What was answered is what is stored (what the caller may not see aside).
    const stored = (await api("GET", `/v1.0/${kind}/${target.id}`, { token: callers.admin })).body;
    for (const field of hidden) delete stored[field];
    expect(stored).toEqual(updated.body);
  });

  it("the table classifies every field the document shows or accepts", async () => {
    const doc = (await api("GET", "/openapi.json")).body;
    const title = `/v1.0/${kind}`;
    const create = doc.paths[title].post.requestBody.content["application/json"].schema;
    const schemas = doc.components.schemas;
    const deref = (s: any) => (s.$ref ? schemas[s.$ref.split("/").pop()] : s);
    const resource = deref(doc.paths[`${title}/{id}`].get.responses["200"].content["application/json"].schema);
    const documented = new Set([
      ...Object.keys(resource.properties),
      ...Object.keys(deref(create).properties),
      ...Object.keys(deref(doc.paths[`${title}/{id}`].put.requestBody.content["application/json"].schema).properties),
    ]);
    const t = access[kind];
    const classified = new Set([
      ...Object.keys(t.base()),
      ...Object.keys(t.writable),
      ...Object.keys(t.createOnly ?? {}),
      ...Object.keys(t.readOnly),
    ]);
    expect([...classified].sort()).toEqual([...documented].sort());
  });
});

describe("a billing account's balance: the operator's alone", () => {
  it("customers' creates and updates never change it; only balance_add_force / balance_subtract_force do", async () => {
    const account = await api("POST", "/v1.0/billing_accounts", {
      token: callers.admin,
      body: { name: "wallet", balance: 1_000_000 },
    });
    expect(account.body.balance).toBe(0);
    for (const role of ["admin", "manager"] as const) {
      const res = await api("PUT", `/v1.0/billing_accounts/${account.body.id}`, {
        token: callers[role],
        body: { balance: 999_999_999_999 },
      });
      expect(res.status).toBe(200);
      expect(res.body.balance).toBe(0);
      expect(ignoredOf(res)).toEqual(["balance"]);
    }
    for (const role of ["admin", "manager", "agent"] as const) {
      const res = await api("POST", `/v1.0/billing_accounts/${account.body.id}/balance_add_force`, {
        token: callers[role],
        body: { balance: 10 },
      });
      expect(res.status, role).toBe(403);
    }
    const added = await api("POST", `/v1.0/billing_accounts/${account.body.id}/balance_add_force`, {
      token: callers.operator,
      body: { balance: 10 },
    });
    expect(added.body.balance).toBe(10);
    const subtracted = await api("POST", `/v1.0/billing_accounts/${account.body.id}/balance_subtract_force`, {
      token: callers.operator,
      body: { balance: 25 },
    });
    expect(subtracted.body.balance).toBe(-15);
  });
});
