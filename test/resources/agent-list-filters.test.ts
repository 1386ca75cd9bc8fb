import { beforeAll, describe, expect, it } from "vitest";
import { parseTagIds } from "../../src/routes/resources/list-filters";
import { api, createCustomer, expectError, type TestCustomer } from "../helpers";
import { createResource, validBody } from "../helpers/resources";

// GET /v1.0/agents?status=&tag_ids= (the Go SDK's GetAgentsParams), as the platform applies
// them: status equal, tag_ids any of the comma-separated ids, both together.

let c: TestCustomer;
let other: TestCustomer;
const tag = { a: crypto.randomUUID(), b: crypto.randomUUID(), c: crypto.randomUUID() };
const agent: Record<string, string> = {};

async function agentWith(name: string, tagIds: string[], status?: string) {
  const created = await createResource(c.token, "agents", { ...validBody("agents"), name, tag_ids: tagIds });
  if (status) {
    const res = await api("PUT", `/v1.0/agents/${created.id}/status`, { token: c.token, body: { status } });
    expect(res.status).toBe(200);
  }
  agent[name] = created.id;
}

const listed = async (query: string, token = c.token) => {
  const res = await api("GET", `/v1.0/agents?page_size=100&${query}`, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.result as { id: string }[]).map((r) => r.id).sort();
};
const idsOf = (...names: string[]) => names.map((n) => agent[n]!).sort();

beforeAll(async () => {
  c = await createCustomer();
  other = await createCustomer();
  await agentWith("onlyA", [tag.a], "available");
  await agentWith("aAndB", [tag.a, tag.b], "busy");
  await agentWith("onlyB", [tag.b.toUpperCase()], "available");
  await agentWith("none", []);
  // Another customer's agent with the same tag and status is never listed.
  await createResource(other.token, "agents", { ...validBody("agents"), tag_ids: [tag.a] });
});

describe("GET /v1.0/agents filters", () => {
  it("tag_ids: agents holding at least one of the tags, any case, blanks skipped", async () => {
    expect(await listed(`tag_ids=${tag.a}`)).toEqual(idsOf("onlyA", "aAndB"));
    expect(await listed(`tag_ids=${tag.b}`)).toEqual(idsOf("aAndB", "onlyB"));
    expect(await listed(`tag_ids=${encodeURIComponent(` ${tag.a.toUpperCase()}, ,${tag.b} `)}`)).toEqual(
      idsOf("onlyA", "aAndB", "onlyB"),
    );
    expect(await listed(`tag_ids=${tag.c}`)).toEqual([]);
  });

  it("status: agents with that status; empty means any", async () => {
    expect(await listed("status=available")).toEqual(idsOf("onlyA", "onlyB"));
    expect(await listed("status=busy")).toEqual(idsOf("aAndB"));
    const all = await listed("");
    expect(await listed("status=")).toEqual(all);
    expect(all).toEqual(expect.arrayContaining(idsOf("onlyA", "aAndB", "onlyB", "none")));
  });

  it("both together must both hold, and pages keep the filter", async () => {
    expect(await listed(`status=available&tag_ids=${tag.a}`)).toEqual(idsOf("onlyA"));
    const first = await api("GET", `/v1.0/agents?page_size=1&tag_ids=${tag.a},${tag.b}`, { token: c.token });
    const seen = [first.body.result[0].id];
    let token = first.body.next_page_token;
    while (token) {
      const page = await api(
        "GET",
        `/v1.0/agents?page_size=1&tag_ids=${tag.a},${tag.b}&page_token=${encodeURIComponent(token)}`,
        { token: c.token },
      );
      seen.push(...page.body.result.map((r: { id: string }) => r.id));
      token = page.body.next_page_token;
    }
    expect(seen.sort()).toEqual(idsOf("onlyA", "aAndB", "onlyB"));
  });

  it("bad filters are a 400 in the envelope, never ignored", async () => {
    for (const query of [
      "tag_ids=",
      "tag_ids=,",
      "tag_ids=not-a-uuid",
      "tag_ids=00000000-0000-0000-0000-000000000000",
      `tag_ids=${Array.from({ length: 101 }, () => tag.a).join(",")}`,
    ]) {
      expectError(
        await api("GET", `/v1.0/agents?${query}`, { token: c.token }),
        400,
        "INVALID_ARGUMENT",
        "INVALID_TAG_IDS",
      );
    }
    expectError(await api("GET", "/v1.0/agents?status=asleep", { token: c.token }), 400, "INVALID_ARGUMENT");
  });

  it("are documented in the OpenAPI document", async () => {
    const doc = (await api("GET", "/openapi.json")).body;
    const params = doc.paths["/v1.0/agents"].get.parameters.map((p: { name: string; in: string }) => p.name);
    expect(params).toEqual(expect.arrayContaining(["page_size", "page_token", "status", "tag_ids"]));
  });
});

describe("parseTagIds", () => {
  it("accepts up to 100 ids, lower-cased, and refuses the rest", () => {
    const id = crypto.randomUUID();
    expect(parseTagIds(` ${id.toUpperCase()} ,,${id}`)).toEqual([id, id]);
    expect(parseTagIds(Array.from({ length: 100 }, () => id).join(","))).toHaveLength(100);
    for (const bad of ["", " ", ",", "x", `${id},x`, Array.from({ length: 101 }, () => id).join(",")]) {
      expect(() => parseTagIds(bad), bad.slice(0, 20)).toThrow();
    }
  });
});
