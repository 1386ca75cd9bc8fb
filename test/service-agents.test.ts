import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import {
  api,
  BASE,
  createAccesskey,
  createAgent,
  createCustomer,
  CUSTOMER_KEYS,
  expectError,
  login,
  type TestCustomer,
} from "./helpers";
import { createResource, validBody } from "./resource-helpers";

// /v1.0/service_agents/*: the logged-in agent itself, and read-only views of its customer's data
// for every agent of the customer (a CustomerAgent here), never of another customer's.

const S = "/v1.0/service_agents";

interface Tenant {
  owner: TestCustomer;
  /** A plain CustomerAgent (16) of the customer. */
  agent: { username: string; password: string; token: string };
  ids: Record<"tags" | "agents" | "extensions" | "files" | "contacts" | "transcribes", string>;
}

async function tenant(): Promise<Tenant> {
  const owner = await createCustomer();
  const agent = await createAgent(owner.id, 16);
  const form = new FormData();
  form.append("file", new File(["hello, agent"], "hello.txt", { type: "text/plain" }));
  const upload = await SELF.fetch(`${BASE}/v1.0/storage_files`, {
    method: "POST",
    headers: { Authorization: `Bearer ${owner.token}` },
    body: form,
  });
  expect(upload.status).toBe(200);
  const contact = await createResource(owner.token, "contacts", {
    ...validBody("contacts"),
    phone_number: "+15551230001",
  });
  return {
    owner,
    agent,
    ids: {
      tags: (await createResource(owner.token, "tags")).id,
      agents: (await createResource(owner.token, "agents")).id,
      extensions: (await createResource(owner.token, "extensions")).id,
      files: ((await upload.json()) as { id: string }).id,
      contacts: contact.id,
      transcribes: (await createResource(owner.token, "transcriptions")).id,
    },
  };
}

let a: Tenant;
let b: Tenant;
beforeAll(async () => {
  a = await tenant();
  b = await tenant();
}, 60_000);

describe("service_agents views: a CustomerAgent reads its own customer's data", () => {
  for (const kind of ["tags", "agents", "extensions", "files", "contacts"] as const) {
    it(`${kind}: lists and gets its customer's, 404 for another customer's`, async () => {
      const list = await api("GET", `${S}/${kind}?page_size=100`, { token: a.agent.token });
      expect(list.status, JSON.stringify(list.body)).toBe(200);
      expect(Object.keys(list.body).sort()).toEqual(["next_page_token", "result"]);
      const ids = list.body.result.map((r: { id: string }) => r.id);
      expect(ids).toContain(a.ids[kind]);
      expect(ids).not.toContain(b.ids[kind]);
      for (const item of list.body.result) expect(item.customer_id).toBe(a.owner.id);

      const own = await api("GET", `${S}/${kind}/${a.ids[kind]}`, { token: a.agent.token });
      expect(own.status).toBe(200);
      expect(own.body.id).toBe(a.ids[kind]);
      expectError(await api("GET", `${S}/${kind}/${b.ids[kind]}`, { token: a.agent.token }), 404, "NOT_FOUND");
    });
  }

  it("secrets stay hidden: no password on agents or extensions", async () => {
    for (const kind of ["agents", "extensions"]) {
      const list = await api("GET", `${S}/${kind}`, { token: a.agent.token });
      for (const item of list.body.result) {
        expect(item).not.toHaveProperty("password");
        expect(item).not.toHaveProperty("password_hash");
      }
    }
  });

  it("pages with next_page_token", async () => {
    await createResource(a.owner.token, "tags");
    const first = await api("GET", `${S}/tags?page_size=1`, { token: a.agent.token });
    expect(first.body.result).toHaveLength(1);
    expect(first.body.next_page_token).toBeTruthy();
    const second = await api(
      "GET",
      `${S}/tags?page_size=1&page_token=${encodeURIComponent(first.body.next_page_token)}`,
      { token: a.agent.token },
    );
    expect(second.status).toBe(200);
    expect(second.body.result[0].id).not.toBe(first.body.result[0].id);
  });

  it("transcribes: the list, filtered by reference only with both parts", async () => {
    const list = await api("GET", `${S}/transcribes`, { token: a.agent.token });
    expect(list.status).toBe(200);
    expect(list.body.result.map((r: { id: string }) => r.id)).toEqual([a.ids.transcribes]);
    const t = list.body.result[0];
    const hit = await api("GET", `${S}/transcribes?reference_type=${t.reference_type}&reference_id=${t.reference_id}`, {
      token: a.agent.token,
    });
    expect(hit.body.result.map((r: { id: string }) => r.id)).toEqual([a.ids.transcribes]);
    const miss = await api(
      "GET",
      `${S}/transcribes?reference_type=${t.reference_type}&reference_id=${crypto.randomUUID()}`,
      { token: a.agent.token },
    );
    expect(miss.body.result).toEqual([]);
    expectError(
      await api("GET", `${S}/transcribes?reference_type=call`, { token: a.agent.token }),
      400,
      "INVALID_ARGUMENT",
      "REFERENCE_FILTER_INCOMPLETE",
    );
  });

  it("contacts lookup finds its customer's contact, not another customer's", async () => {
    const hit = await api("GET", `${S}/contacts/lookup?phone=${encodeURIComponent("+15551230001")}`, {
      token: a.agent.token,
    });
    expect(hit.status).toBe(200);
    expect(hit.body.id).toBe(a.ids.contacts);
    // Both tenants hold a contact with this number: each caller finds only its own.
    const other = await api("GET", `${S}/contacts/lookup?phone=${encodeURIComponent("+15551230001")}`, {
      token: b.agent.token,
    });
    expect(other.body.id).toBe(b.ids.contacts);
  });

  it("file download answers the uploaded bytes; another customer's file is 404", async () => {
    const res = await SELF.fetch(`${BASE}${S}/files/${a.ids.files}/file`, {
      headers: { Authorization: `Bearer ${a.agent.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/plain");
    expect(await res.text()).toBe("hello, agent");
    expectError(await api("GET", `${S}/files/${b.ids.files}/file`, { token: a.agent.token }), 404, "NOT_FOUND");
  });

  it("an access key of the customer reads the views too", async () => {
    const key = await createAccesskey(a.owner.token);
    const res = await api("GET", `${S}/tags/${a.ids.tags}`, { token: key });
    expect(res.status).toBe(200);
  });
});

describe("service_agents customer", () => {
  it("is the caller's customer in the customer shape, without webhook_secret, even for its admin", async () => {
    for (const token of [a.agent.token, a.owner.token, await createAccesskey(a.owner.token)]) {
      const res = await api("GET", `${S}/customer`, { token });
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(a.owner.id);
      expect(Object.keys(res.body).sort()).toEqual(CUSTOMER_KEYS);
      expect(res.body).not.toHaveProperty("webhook_secret");
    }
  });
});

describe("service_agents me", () => {
  it("GET answers the calling agent", async () => {
    const res = await api("GET", `${S}/me`, { token: a.agent.token });
    expect(res.status).toBe(200);
    expect(res.body.username).toBe(a.agent.username);
    expect(res.body.customer_id).toBe(a.owner.id);
    expect(res.body.permission).toBe(16);
    expect(res.body).not.toHaveProperty("password");
  });

  it("PUT changes the caller's own name, detail and ring method (the contract's body)", async () => {
    const agent = await createAgent(a.owner.id, 16);
    const res = await api("PUT", `${S}/me`, {
      token: agent.token,
      body: { name: "Renamed", detail: "by itself", ring_method: "linear" },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      username: agent.username,
      name: "Renamed",
      detail: "by itself",
      ring_method: "linear",
    });
    const read = await api("GET", `${S}/me`, { token: agent.token });
    expect(read.body).toMatchObject({ name: "Renamed", ring_method: "linear" });
    // The contract requires all three fields.
    expectError(
      await api("PUT", `${S}/me`, { token: agent.token, body: { name: "only a name" } }),
      400,
      "INVALID_ARGUMENT",
    );
  });

  it("PUT addresses and status change only the caller", async () => {
    const agent = await createAgent(a.owner.id, 16);
    const addresses = [{ type: "tel", target: "+15550009999", target_name: "", name: "desk", detail: "" }];
    const put = await api("PUT", `${S}/me/addresses`, { token: agent.token, body: { addresses } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.addresses[0].target).toBe("+15550009999");
    const status = await api("PUT", `${S}/me/status`, { token: agent.token, body: { status: "available" } });
    expect(status.status).toBe(200);
    expect(status.body.status).toBe("available");
    expectError(
      await api("PUT", `${S}/me/status`, { token: agent.token, body: { status: "sleeping" } }),
      400,
      "INVALID_ARGUMENT",
    );
    // The other agent of the customer is untouched.
    const other = await api("GET", `${S}/me`, { token: a.agent.token });
    expect(other.body.status).not.toBe("available");
  });

  it("PUT password: the new password signs in, and the old JWT stops working", async () => {
    const agent = await createAgent(a.owner.id, 16);
    const res = await api("PUT", `${S}/me/password`, {
      token: agent.token,
      body: { password: "a-brand-new-password" },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).not.toHaveProperty("password");
    expectError(await api("GET", `${S}/me`, { token: agent.token }), 401, "UNAUTHENTICATED");
    const fresh = await login(agent.username, "a-brand-new-password");
    expect((await api("GET", `${S}/me`, { token: fresh })).status).toBe(200);
    expectError(
      await api("PUT", `${S}/me/password`, { token: fresh, body: { password: "short" } }),
      400,
      "INVALID_ARGUMENT",
    );
  });

  it("an access key reads me as itself, but has no agent record to change", async () => {
    const key = await createAccesskey(a.owner.token, { name: "robot" });
    const me = await api("GET", `${S}/me`, { token: key });
    expect(me.status).toBe(200);
    expect(me.body.name).toBe("robot");
    expectError(
      await api("PUT", `${S}/me`, { token: key, body: { name: "x", detail: "", ring_method: "ringall" } }),
      403,
      "PERMISSION_DENIED",
    );
    expectError(
      await api("PUT", `${S}/me/password`, { token: key, body: { password: "a-brand-new-password" } }),
      403,
      "PERMISSION_DENIED",
    );
  });
});
