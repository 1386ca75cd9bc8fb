import { beforeAll, describe, expect, it } from "vitest";
import { api, createCustomer, expectError, type TestCustomer } from "../helpers";
import { createResource } from "../helpers/resources";
import { agentOf, ids, S, type TestAgent } from "../helpers/service-agents";

// The agent's read-only views: its colleagues, its customer's tags and transcriptions, and its
// own extensions (those its `extension` addresses name), never another customer's data.

interface Tenant {
  owner: TestCustomer;
  agent: TestAgent;
  /** An extension the agent's addresses name, and one of the same customer they do not. */
  ownExtension: string;
  otherExtension: string;
  tag: string;
  transcription: string;
}

async function tenant(): Promise<Tenant> {
  const owner = await createCustomer();
  const agent = await agentOf(owner, 16);
  const ownExtension = (await createResource(owner.token, "extensions")).id;
  const otherExtension = (await createResource(owner.token, "extensions")).id;
  const put = await api("PUT", `${S}/me/addresses`, {
    token: agent.token,
    body: {
      addresses: [
        // The platform's extension address: its target is the extension's id (any case).
        { type: "extension", target: ownExtension.toUpperCase() },
        // A tel address with an extension's id as its target names no extension.
        { type: "tel", target: otherExtension },
      ],
    },
  });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  return {
    owner,
    agent,
    ownExtension,
    otherExtension,
    tag: (await createResource(owner.token, "tags")).id,
    transcription: (await createResource(owner.token, "transcriptions")).id,
  };
}

let a: Tenant;
let b: Tenant;
beforeAll(async () => {
  a = await tenant();
  b = await tenant();
}, 60_000);

describe("service_agents extensions: only the agent's own", () => {
  it("lists and gets only the extensions its extension addresses name", async () => {
    const list = await api("GET", `${S}/extensions`, { token: a.agent.token });
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(ids(list)).toEqual([a.ownExtension]);
    expect((await api("GET", `${S}/extensions/${a.ownExtension}`, { token: a.agent.token })).body.id).toBe(
      a.ownExtension,
    );
    // Its own customer's other extension, and another customer's, are not there for it.
    for (const id of [a.otherExtension, b.ownExtension]) {
      expectError(await api("GET", `${S}/extensions/${id}`, { token: a.agent.token }), 404, "NOT_FOUND");
    }
  });

  it("follows the agent's addresses: a colleague sees its own, an agent without any sees none", async () => {
    const colleague = await agentOf(a.owner, 16);
    expect(ids(await api("GET", `${S}/extensions`, { token: colleague.token }))).toEqual([]);
    await api("PUT", `${S}/me/addresses`, {
      token: colleague.token,
      body: {
        addresses: [
          { type: "extension", target: a.otherExtension },
          { type: "extension", target: "1001" },
        ],
      },
    });
    expect(ids(await api("GET", `${S}/extensions`, { token: colleague.token }))).toEqual([a.otherExtension]);
    // And another customer's extension named in an address stays out of reach.
    await api("PUT", `${S}/me/addresses`, {
      token: colleague.token,
      body: { addresses: [{ type: "extension", target: b.ownExtension }] },
    });
    expect(ids(await api("GET", `${S}/extensions`, { token: colleague.token }))).toEqual([]);
    expectError(await api("GET", `${S}/extensions/${b.ownExtension}`, { token: colleague.token }), 404, "NOT_FOUND");
  });

  it("the SIP password is the customer's admins' to read: an agent's view leaves it out, an admin agent's has it", async () => {
    const list = await api("GET", `${S}/extensions`, { token: a.agent.token });
    expect(list.body.result[0]).not.toHaveProperty("password");
    const one = await api("GET", `${S}/extensions/${a.ownExtension}`, { token: a.agent.token });
    expect(one.body).not.toHaveProperty("password");

    // The customer's admin agent, with an extension address of its own.
    const ext = await createResource(a.owner.token, "extensions", {
      extension: "7001",
      password: "admin-sip-secret",
      name: "admin desk",
      detail: "",
    });
    await api("PUT", `${S}/me/addresses`, {
      token: a.owner.token,
      body: { addresses: [{ type: "extension", target: ext.id }] },
    });
    const admins = await api("GET", `${S}/extensions/${ext.id}`, { token: a.owner.token });
    expect(admins.body.password).toBe("admin-sip-secret");
  });
});

describe("service_agents views of the customer's data", () => {
  for (const [view, own] of [
    ["agents", (t: Tenant) => t.agent.id],
    ["tags", (t: Tenant) => t.tag],
  ] as const) {
    it(`${view}: lists and gets its customer's, 404 for another customer's`, async () => {
      const list = await api("GET", `${S}/${view}?page_size=100`, { token: a.agent.token });
      expect(list.status).toBe(200);
      expect(Object.keys(list.body).sort()).toEqual(["next_page_token", "result"]);
      expect(ids(list)).toContain(own(a));
      expect(ids(list)).not.toContain(own(b));
      for (const item of list.body.result) expect(item.customer_id).toBe(a.owner.id);
      expect((await api("GET", `${S}/${view}/${own(a)}`, { token: a.agent.token })).body.id).toBe(own(a));
      expectError(await api("GET", `${S}/${view}/${own(b)}`, { token: a.agent.token }), 404, "NOT_FOUND");
    });
  }

  it("agents carry no password", async () => {
    for (const item of (await api("GET", `${S}/agents`, { token: a.agent.token })).body.result) {
      expect(item).not.toHaveProperty("password");
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
      {
        token: a.agent.token,
      },
    );
    expect(second.status).toBe(200);
    expect(second.body.result[0].id).not.toBe(first.body.result[0].id);
  });

  it("transcribes: the customer's list, narrowed by reference only with both parts", async () => {
    const list = await api("GET", `${S}/transcribes`, { token: a.agent.token });
    expect(ids(list)).toEqual([a.transcription]);
    const t = list.body.result[0];
    const hit = await api("GET", `${S}/transcribes?reference_type=${t.reference_type}&reference_id=${t.reference_id}`, {
      token: a.agent.token,
    });
    expect(ids(hit)).toEqual([a.transcription]);
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
});
