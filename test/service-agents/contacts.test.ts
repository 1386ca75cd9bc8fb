import { beforeAll, describe, expect, it } from "vitest";
import { api, createCustomer, expectError, type TestCustomer } from "../helpers";
import { createResource } from "../helpers/resources";
import { agentOf, ids, S, type TestAgent } from "../helpers/service-agents";

// The customer's contacts, for every agent of it (a plain CustomerAgent here): list, get,
// create, change, delete, addresses and tags one at a time, and the lookup.

let owner: TestCustomer;
let agent: TestAgent;
let otherAgent: TestAgent;
let otherContact: string;

beforeAll(async () => {
  owner = await createCustomer();
  agent = await agentOf(owner, 16);
  const other = await createCustomer();
  otherAgent = await agentOf(other, 16);
  otherContact = (await createResource(other.token, "contacts", { first_name: "Theirs", phone_number: "+15557770002" }))
    .id;
});

describe("service_agents contacts", () => {
  it("an agent creates, reads, changes and deletes its customer's contacts", async () => {
    const created = await api("POST", `${S}/contacts`, {
      token: agent.token,
      body: {
        first_name: "Jane",
        last_name: "Doe",
        company: "Example Ltd",
        source: "manual",
        addresses: [{ type: "tel", target: "+15557770001", is_primary: true }],
        tag_ids: [],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({ customer_id: owner.id, first_name: "Jane", company: "Example Ltd" });
    const id = created.body.id;

    // The customer's admins see the same contact at the customer level.
    expect((await api("GET", `/v1.0/contacts/${id}`, { token: owner.token })).body.first_name).toBe("Jane");
    expect(ids(await api("GET", `${S}/contacts`, { token: agent.token }))).toContain(id);
    expect((await api("GET", `${S}/contacts/${id}`, { token: agent.token })).body.id).toBe(id);

    const updated = await api("PUT", `${S}/contacts/${id}`, { token: agent.token, body: { job_title: "CTO" } });
    expect(updated.body).toMatchObject({ first_name: "Jane", job_title: "CTO" });

    const deleted = await api("DELETE", `${S}/contacts/${id}`, { token: agent.token });
    expect(deleted.status).toBe(200);
    expectError(await api("GET", `${S}/contacts/${id}`, { token: agent.token }), 404, "NOT_FOUND");
  });

  it("addresses and tags one at a time, and the lookup by an address", async () => {
    const id = (await createResource(owner.token, "contacts", { first_name: "Lee" })).id;
    const tag = (await createResource(owner.token, "tags")).id;

    const added = await api("POST", `${S}/contacts/${id}/addresses`, {
      token: agent.token,
      body: { type: "email", target: "lee@example.com", is_primary: true },
    });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    const address = added.body.addresses.at(-1);
    expect(address).toMatchObject({ type: "email", target: "lee@example.com", is_primary: true });

    const changed = await api("PUT", `${S}/contacts/${id}/addresses/${address.id}`, {
      token: agent.token,
      body: { name: "work" },
    });
    expect(changed.body.addresses.at(-1)).toMatchObject({ id: address.id, name: "work" });

    const found = await api("GET", `${S}/contacts/lookup?email=lee@example.com`, { token: agent.token });
    expect(found.body.id).toBe(id);

    const removed = await api("DELETE", `${S}/contacts/${id}/addresses/${address.id}`, { token: agent.token });
    expect(removed.body.addresses).toEqual([]);
    expectError(
      await api("GET", `${S}/contacts/lookup?email=lee@example.com`, { token: agent.token }),
      404,
      "NOT_FOUND",
    );

    const tagged = await api("POST", `${S}/contacts/${id}/tags`, { token: agent.token, body: { tag_id: tag } });
    expect(tagged.body.tag_ids).toEqual([tag]);
    const untagged = await api("DELETE", `${S}/contacts/${id}/tags/${tag}`, { token: agent.token });
    expect(untagged.body.tag_ids).toEqual([]);
  });

  it("another customer's contact is not there: get, change, delete, items and lookup", async () => {
    const t = agent.token;
    expect(ids(await api("GET", `${S}/contacts`, { token: t }))).not.toContain(otherContact);
    for (const [method, path, body] of [
      ["GET", `${S}/contacts/${otherContact}`, undefined],
      ["PUT", `${S}/contacts/${otherContact}`, { first_name: "Mine now" }],
      ["DELETE", `${S}/contacts/${otherContact}`, undefined],
      ["POST", `${S}/contacts/${otherContact}/addresses`, { type: "tel", target: "+15550000000" }],
      ["POST", `${S}/contacts/${otherContact}/tags`, { tag_id: crypto.randomUUID() }],
      ["GET", `${S}/contacts/lookup?phone=%2B15557770002`, undefined],
    ] as const) {
      expectError(await api(method, path, { token: t, body }), 404, "NOT_FOUND");
    }
    // Still there, unchanged, for its own customer.
    const theirs = await api("GET", `${S}/contacts/${otherContact}`, { token: otherAgent.token });
    expect(theirs.body).toMatchObject({ first_name: "Theirs", addresses: [], tag_ids: [] });
  });

  it("bad bodies are a 400 in the envelope", async () => {
    expectError(
      await api("POST", `${S}/contacts`, { token: agent.token, body: { source: "carrier-pigeon" } }),
      400,
      "INVALID_ARGUMENT",
    );
    expectError(
      await api("GET", `${S}/contacts/lookup`, { token: agent.token }),
      400,
      "INVALID_ARGUMENT",
      "LOOKUP_KEY_REQUIRED",
    );
  });
});
