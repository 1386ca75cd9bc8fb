import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { ResourceKind } from "../../src/db/owned";
import {
  adminLogin,
  api,
  createAccesskey,
  createCustomer,
  expectError,
  login,
  unique,
  type TestCustomer,
} from "../helpers";
import { signup } from "../helpers/lifecycle";
import { createResource, kinds, secretFields, validBody, verifyIdentity } from "../helpers/resources";

// Invalid values per kind: [field, value]. Each must be refused with a 400 naming the field.
const invalid: Record<ResourceKind, [string, unknown][]> = {
  agents: [
    ["username", "not-an-email"],
    ["password", "short"],
    ["permission", 1],
    ["permission", 128],
    ["permission", "16"],
    ["permission", 4294967328],
    ["permission", 2 ** 32 + 16],
  ],
  numbers: [
    ["number", "5551234567"],
    ["number", "+0123"],
    ["call_flow_id", "nope"],
  ],
  flows: [
    ["on_complete_flow_id", "nope"],
    ["actions", "answer"],
    ["actions", [1, 2]],
  ],
  queues: [
    ["routing_method", "fifo"],
    ["tag_ids", ["x"]],
    ["wait_timeout", -1],
  ],
  trunks: [
    ["domain_name", "Has Spaces"],
    ["allowed_ips", ["not-an-ip"]],
  ],
  extensions: [
    ["extension", "has space"],
    ["password", "short"],
  ],
  files: [
    ["content_type", "nonsense"],
    ["type", "video"],
  ],
  billing_accounts: [
    ["currency", "usd"],
    ["payment_type", "barter"],
  ],
  tags: [["name", "x".repeat(256)]],
  transcriptions: [
    ["reference_type", "fax"],
    ["reference_id", "123"],
    ["language", "english!"],
  ],
  contacts: [
    ["email", "nope"],
    ["phone_number", "12345"],
  ],
};

const required: Partial<Record<ResourceKind, string[]>> = {
  agents: ["username", "password"],
  numbers: ["number"],
  extensions: ["extension", "password"],
};

let a: TestCustomer;
let b: TestCustomer;
beforeAll(async () => {
  [a, b] = await Promise.all([createCustomer(), createCustomer()]);
});

describe.each(kinds)("%s", (kind) => {
  it("create, read, list, update and delete", async () => {
    const body = validBody(kind);
    const created = await createResource(a.token, kind, body);
    expect(created).toMatchObject({ customer_id: a.id, name: body.name, detail: body.detail });
    for (const [k, v] of Object.entries(body)) if (!secretFields[kind]?.includes(k)) expect(created[k]).toEqual(v);
    for (const secret of secretFields[kind] ?? []) expect(created).not.toHaveProperty(secret);
    expect(JSON.stringify(created)).not.toContain("pbkdf2");

    const got = await api("GET", `/v1.0/${kind}/${created.id}`, { token: a.token });
    expect(got.body).toEqual(created);

    const listed = await api("GET", `/v1.0/${kind}?page_size=100`, { token: a.token });
    expect(listed.body.result.map((r: any) => r.id)).toContain(created.id);

    const updated = await api("PUT", `/v1.0/${kind}/${created.id}`, { token: a.token, body: { name: "renamed" } });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body).toMatchObject({ ...created, name: "renamed", tm_update: updated.body.tm_update });

    const stale = await api("PUT", `/v1.0/${kind}/${created.id}`, {
      token: a.token,
      body: { name: "stale" },
      headers: { "If-Match": got.headers.get("ETag")! },
    });
    expectError(stale, 412, "FAILED_PRECONDITION", "ETAG_MISMATCH");

    const deleted = await api("DELETE", `/v1.0/${kind}/${created.id}`, { token: a.token });
    expect(deleted.status).toBe(200);
    expect(deleted.body.id).toBe(created.id);
    expectError(await api("GET", `/v1.0/${kind}/${created.id}`, { token: a.token }), 404, "NOT_FOUND");
  });

  it("validates every field; ignores unknown and read-only ones and names them in X-Ignored-Fields", async () => {
    for (const [field, value] of invalid[kind]) {
      const res = await api("POST", `/v1.0/${kind}`, { token: a.token, body: { ...validBody(kind), [field]: value } });
      expectError(res, 400, "INVALID_ARGUMENT", "VALIDATION_FAILED");
      const fields: string[] = res.body.error.details.map((d: any) => d.field);
      expect(
        fields.some((f) => f === field || f.startsWith(`${field}.`)),
        `${field}=${JSON.stringify(value)}: ${fields}`,
      ).toBe(true);
    }
    for (const field of required[kind] ?? []) {
      const body = validBody(kind);
      delete body[field];
      const res = await api("POST", `/v1.0/${kind}`, { token: a.token, body });
      expect(res.body.error.details.map((d: any) => d.field)).toContain(field);
    }
    // As the platform does: never applied, but named so a typo stays visible.
    const smuggled = await api("POST", `/v1.0/${kind}`, {
      token: a.token,
      body: { ...validBody(kind), customer_id: b.id, id: b.id, zz_typo: 1 },
    });
    expect(smuggled.status, JSON.stringify(smuggled.body)).toBe(200);
    expect(smuggled.body.customer_id).toBe(a.id);
    expect(smuggled.body.id).not.toBe(b.id);
    expect(smuggled.headers.get("X-Ignored-Fields")).toBe("customer_id,id,zz_typo");
    const created = await createResource(a.token, kind);
    const put = await api("PUT", `/v1.0/${kind}/${created.id}`, {
      token: a.token,
      body: { bogus: 1, tm_create: "2000-01-01T00:00:00Z" },
    });
    expect(put.status).toBe(200);
    expect(put.headers.get("X-Ignored-Fields")).toBe("bogus,tm_create");
    expect(put.body.tm_create).toBe(created.tm_create);
    const clean = await api("PUT", `/v1.0/${kind}/${created.id}`, { token: a.token, body: { name: "clean" } });
    expect(clean.headers.get("X-Ignored-Fields")).toBeNull();
  });

  it("is invisible to another tenant: 404 for every method, never its data", async () => {
    const mine = await createResource(a.token, kind);
    for (const [method, body] of [
      ["GET", undefined],
      ["PUT", { name: "hijack" }],
      ["DELETE", undefined],
    ] as const) {
      const res = await api(method, `/v1.0/${kind}/${mine.id}`, { token: b.token, body });
      expectError(res, 404, "NOT_FOUND");
      expect(JSON.stringify(res.body)).not.toContain(mine.name);
    }
    const theirList = await api("GET", `/v1.0/${kind}`, { token: b.token });
    expect(theirList.body.result.map((r: any) => r.id)).not.toContain(mine.id);
    // The same through an access key (its customer is found by a subquery in the read's batch).
    const theirKey = await createAccesskey(b.token);
    expectError(await api("GET", `/v1.0/${kind}/${mine.id}`, { token: theirKey }), 404, "NOT_FOUND");
    const viaKey = await api("GET", `/v1.0/${kind}?page_size=100`, { token: theirKey });
    expect(viaKey.body.result.map((r: any) => r.id)).not.toContain(mine.id);
    const ownKey = await createAccesskey(a.token);
    expect(
      (await api("GET", `/v1.0/${kind}?page_size=100`, { token: ownKey })).body.result.map((r: any) => r.id),
    ).toContain(mine.id);
    expect((await api("GET", `/v1.0/${kind}/${mine.id}`, { token: ownKey })).body.id).toBe(mine.id);
    const still = await api("GET", `/v1.0/${kind}/${mine.id}`, { token: a.token });
    expect(still.body.name).toBe(mine.name);
    expectError(await api("GET", `/v1.0/${kind}/not-a-uuid`, { token: a.token }), 404, "NOT_FOUND");
  });
});

describe("account state", () => {
  it("a not-yet-active (signup) customer reads but cannot create resources", async () => {
    const s = await signup();
    const token = await login(s.email, s.password);
    expect((await api("GET", "/v1.0/tags", { token })).status).toBe(200);
    expectError(
      await api("POST", "/v1.0/tags", { token, body: { name: "t" } }),
      403,
      "PERMISSION_DENIED",
      "ACCOUNT_NOT_ACTIVE",
    );
  });

  it("a frozen customer reads but cannot create or change resources", async () => {
    const c = await createCustomer();
    const tag = await createResource(c.token, "tags");
    await api("POST", "/auth/unregister", { token: c.token, body: { password: c.password } });
    expect((await api("GET", `/v1.0/tags/${tag.id}`, { token: c.token })).status).toBe(200);
    expectError(
      await api("POST", "/v1.0/tags", { token: c.token, body: { name: "t" } }),
      403,
      "PERMISSION_DENIED",
      "ACCOUNT_FROZEN",
    );
    expectError(
      await api("PUT", `/v1.0/tags/${tag.id}`, { token: c.token, body: { name: "t" } }),
      403,
      "PERMISSION_DENIED",
      "ACCOUNT_FROZEN",
    );
    expectError(
      await api("DELETE", `/v1.0/tags/${tag.id}`, { token: c.token }),
      403,
      "PERMISSION_DENIED",
      "ACCOUNT_FROZEN",
    );
  });

  it("the super admin has no resources of its own", async () => {
    expectError(await api("GET", "/v1.0/tags", { token: await adminLogin() }), 403, "PERMISSION_DENIED");
  });
});

describe("agents", () => {
  async function guestOf(c: TestCustomer) {
    const list = await api("GET", "/v1.0/agents", { token: c.token });
    return list.body.result.find((x: any) => x.is_guest);
  }

  it("every customer has a guest agent that cannot be deleted, demoted or re-passworded", async () => {
    const c = await createCustomer();
    const guest = await guestOf(c);
    expect(guest).toMatchObject({ is_guest: true, permission: 32 });
    expectError(
      await api("DELETE", `/v1.0/agents/${guest.id}`, { token: c.token }),
      403,
      "PERMISSION_DENIED",
      "GUEST_AGENT_IMMUTABLE",
    );
    expectError(
      await api("PUT", `/v1.0/agents/${guest.id}`, { token: c.token, body: { permission: 16 } }),
      403,
      "PERMISSION_DENIED",
      "GUEST_AGENT_IMMUTABLE",
    );
    expectError(
      await api("PUT", `/v1.0/agents/${guest.id}/password`, { token: c.token, body: { password: "new-password-1" } }),
      403,
      "PERMISSION_DENIED",
      "GUEST_AGENT_IMMUTABLE",
    );
    // Its name may change.
    expect((await api("PUT", `/v1.0/agents/${guest.id}`, { token: c.token, body: { name: "Recovery" } })).status).toBe(
      200,
    );
  });

  it("the last CustomerAdmin cannot be deleted or demoted; with a second admin it can", async () => {
    const c = await createCustomer();
    const agents = (await api("GET", "/v1.0/agents", { token: c.token })).body.result;
    const admin = agents.find((x: any) => !x.is_guest);
    expectError(
      await api("DELETE", `/v1.0/agents/${admin.id}`, { token: c.token }),
      403,
      "PERMISSION_DENIED",
      "LAST_CUSTOMER_ADMIN",
    );
    expectError(
      await api("PUT", `/v1.0/agents/${admin.id}`, { token: c.token, body: { permission: 16 } }),
      403,
      "PERMISSION_DENIED",
      "LAST_CUSTOMER_ADMIN",
    );
    const second = await createResource(c.token, "agents", { ...validBody("agents"), permission: 32 });
    const demoted = await api("PUT", `/v1.0/agents/${admin.id}`, { token: c.token, body: { permission: 64 } });
    expect(demoted.body.permission).toBe(64);
    // Now `second` is the last one.
    expectError(
      await api("DELETE", `/v1.0/agents/${second.id}`, { token: await login(second.username, "agent-password-1") }),
      403,
      "PERMISSION_DENIED",
      "LAST_CUSTOMER_ADMIN",
    );
  });

  it("two admins deleting each other at once leave one", async () => {
    const c = await createCustomer();
    const first = (await api("GET", "/v1.0/agents", { token: c.token })).body.result.find((x: any) => !x.is_guest);
    const second = await createResource(c.token, "agents", { ...validBody("agents"), permission: 32 });
    const key = await createAccesskey(c.token);
    const results = await Promise.all([
      api("DELETE", `/v1.0/agents/${first.id}`, { token: key }),
      api("DELETE", `/v1.0/agents/${second.id}`, { token: key }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 403]);
    const left = await env.DB.prepare("SELECT count(*) AS n FROM agents WHERE customer_id = ? AND is_guest = 0")
      .bind(c.id)
      .first<{ n: number }>();
    expect(left!.n).toBe(1);
  });

  it("usernames are unique across tenants and not another customer's email", async () => {
    const c = await createCustomer();
    const body = validBody("agents");
    await createResource(c.token, "agents", body);
    expectError(
      await api("POST", "/v1.0/agents", { token: b.token, body: { ...validBody("agents"), username: body.username } }),
      409,
      "ALREADY_EXISTS",
    );
    expectError(
      await api("POST", "/v1.0/agents", { token: b.token, body: { ...validBody("agents"), username: a.email } }),
      409,
      "ALREADY_EXISTS",
    );
    const results = await Promise.all(
      [c, b, a].map((x) =>
        api("POST", "/v1.0/agents", { token: x.token, body: { ...validBody("agents"), username: "race@example.com" } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
  });

  it("an agent logs in with its password, which the admin or the agent can change", async () => {
    const c = await createCustomer();
    const agent = await createResource(c.token, "agents");
    const agentToken = await login(agent.username, "agent-password-1");
    // A CustomerAgent reads but does not write.
    expect((await api("GET", "/v1.0/agents", { token: agentToken })).status).toBe(200);
    expectError(await api("POST", "/v1.0/tags", { token: agentToken, body: { name: "x" } }), 403, "PERMISSION_DENIED");
    expect(
      (
        await api("PUT", `/v1.0/agents/${agent.id}/password`, {
          token: agentToken,
          body: { password: "self-changed-1" },
        })
      ).status,
    ).toBe(200);
    await login(agent.username, "self-changed-1");
    expect(
      (await api("PUT", `/v1.0/agents/${agent.id}/password`, { token: c.token, body: { password: "admin-changed-1" } }))
        .status,
    ).toBe(200);
    await login(agent.username, "admin-changed-1");
    expectError(
      await api("PUT", `/v1.0/agents/${agent.id}/password`, { token: b.token, body: { password: "tenant-b-pw-1" } }),
      404,
      "NOT_FOUND",
    );
    const stored = await env.DB.prepare("SELECT password_hash FROM agents WHERE id = ?")
      .bind(agent.id)
      .first<{ password_hash: string }>();
    expect(stored!.password_hash).toMatch(/^pbkdf2-sha256\$100000\$/);
    // A deleted agent's token stops working at once.
    await api("DELETE", `/v1.0/agents/${agent.id}`, { token: c.token });
    expectError(await api("GET", "/v1.0/agents", { token: agentToken }), 401, "UNAUTHENTICATED");
  });

  it("extension passwords are stored sealed, never in plain text", async () => {
    const ext = await createResource(a.token, "extensions", { ...validBody("extensions"), password: "sip-plain-42" });
    const stored = await env.DB.prepare("SELECT password_sealed FROM extensions WHERE id = ?")
      .bind(ext.id)
      .first<{ password_sealed: string }>();
    expect(stored!.password_sealed).toMatch(/^v1\.[0-9a-f]{8}\./);
    expect(stored!.password_sealed).not.toContain("sip-plain-42");
    expect(ext.password).toBe("sip-plain-42");
    expectError(
      await api("POST", "/v1.0/extensions", {
        token: a.token,
        body: { ...validBody("extensions"), extension: ext.extension },
      }),
      409,
      "ALREADY_EXISTS",
    );
    // The same extension in another tenant is fine.
    expect(
      (
        await api("POST", "/v1.0/extensions", {
          token: b.token,
          body: { ...validBody("extensions"), extension: ext.extension },
        })
      ).status,
    ).toBe(200);
  });
});

describe("identity gating of numbers", () => {
  it("PSTN numbers need a verified identity; virtual +899 numbers do not", async () => {
    const c = await createCustomer();
    const pstn = `+1555${Math.floor(Math.random() * 1e7)
      .toString()
      .padStart(7, "0")}`;
    const refused = await api("POST", "/v1.0/numbers", { token: c.token, body: { number: pstn } });
    expectError(refused, 403, "PERMISSION_DENIED", "IDENTITY_VERIFICATION_REQUIRED");
    expect((await api("POST", "/v1.0/numbers", { token: c.token, body: validBody("numbers") })).status).toBe(200);

    expectError(
      await api("PUT", `/v1.0/customers/${c.id}/identity_verification_status`, {
        token: c.token,
        body: { identity_verification_status: "verified" },
      }),
      403,
      "PERMISSION_DENIED",
    );
    expectError(
      await api("PUT", `/v1.0/customers/${c.id}/identity_verification_status`, {
        token: await adminLogin(),
        body: { identity_verification_status: "maybe" },
      }),
      400,
      "INVALID_ARGUMENT",
    );
    for (const status of ["pending", "rejected"]) {
      await api("PUT", `/v1.0/customers/${c.id}/identity_verification_status`, {
        token: await adminLogin(),
        body: { identity_verification_status: status },
      });
      expectError(
        await api("POST", "/v1.0/numbers", { token: c.token, body: { number: pstn } }),
        403,
        "PERMISSION_DENIED",
        "IDENTITY_VERIFICATION_REQUIRED",
      );
    }
    await verifyIdentity(c.id);
    expect((await api("GET", "/v1.0/customer", { token: c.token })).body.identity_verification_status).toBe("verified");
    const bought = await api("POST", "/v1.0/numbers", { token: c.token, body: { number: pstn } });
    expect(bought.status).toBe(200);
    // A number is unique among live numbers, across tenants.
    await verifyIdentity(b.id);
    expectError(await api("POST", "/v1.0/numbers", { token: b.token, body: { number: pstn } }), 409, "ALREADY_EXISTS");
    await api("DELETE", `/v1.0/numbers/${bought.body.id}`, { token: c.token });
    expect((await api("POST", "/v1.0/numbers", { token: b.token, body: { number: pstn } })).status).toBe(200);
  });
});

describe("default billing account", () => {
  it("must be one of the customer's own billing accounts", async () => {
    const mine = await createResource(a.token, "billing_accounts");
    const theirs = await createResource(b.token, "billing_accounts");
    expectError(
      await api("PUT", "/v1.0/customer/billing_account_id", {
        token: a.token,
        body: { billing_account_id: theirs.id },
      }),
      404,
      "NOT_FOUND",
    );
    expectError(
      await api("PUT", "/v1.0/customer/billing_account_id", { token: a.token, body: { billing_account_id: "nope" } }),
      404,
      "NOT_FOUND",
    );
    const set = await api("PUT", "/v1.0/customer/billing_account_id", {
      token: a.token,
      body: { billing_account_id: mine.id },
    });
    expect(set.body.billing_account_id).toBe(mine.id);

    const admin = await adminLogin();
    expectError(
      await api("PUT", `/v1.0/customers/${a.id}/billing_account_id`, {
        token: admin,
        body: { billing_account_id: theirs.id },
      }),
      404,
      "NOT_FOUND",
    );
    const second = await createResource(a.token, "billing_accounts");
    const byAdmin = await api("PUT", `/v1.0/customers/${a.id}/billing_account_id`, {
      token: admin,
      body: { billing_account_id: second.id },
    });
    expect(byAdmin.body.billing_account_id).toBe(second.id);
    // Deleting the default resets it to the zero UUID.
    await api("DELETE", `/v1.0/billing_accounts/${second.id}`, { token: a.token });
    expect((await api("GET", "/v1.0/customer", { token: a.token })).body.billing_account_id).toBe(
      "00000000-0000-0000-0000-000000000000",
    );
  });
});

describe("resource pagination", () => {
  it("pages a tenant's resources newest first without skips or repeats", async () => {
    const c = await createCustomer();
    const ids = new Set<string>();
    for (let i = 0; i < 7; i++) ids.add((await createResource(c.token, "tags", { name: unique("t") })).id);
    const seen: string[] = [];
    let token = "";
    do {
      const page = await api("GET", `/v1.0/tags?page_size=3${token ? `&page_token=${token}` : ""}`, { token: c.token });
      seen.push(...page.body.result.map((r: any) => r.id));
      token = page.body.next_page_token;
    } while (token);
    expect(seen.length).toBe(7);
    expect(new Set(seen)).toEqual(ids);
  });
});
