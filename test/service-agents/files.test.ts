import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { api, BASE, createCustomer, expectError, type TestCustomer } from "../helpers";
import { agentOf, ids, multipart, S, uploadAsAgent, type TestAgent } from "../helpers/service-agents";

// The agent's own files (owner_id = the agent): upload, list, get, download and delete. Another
// agent's file, even of the same customer, is not there for it.

let owner: TestCustomer;
let agent: TestAgent;
let colleague: TestAgent;
let own: { id: string; uri_download: string };
let colleagues: string;
let admins: string;

const download = (id: string, token: string) =>
  SELF.fetch(`${BASE}${S}/files/${id}/file`, { headers: { Authorization: `Bearer ${token}` } });

beforeAll(async () => {
  owner = await createCustomer();
  agent = await agentOf(owner, 16);
  colleague = await agentOf(owner, 16);
  own = (await uploadAsAgent(agent.token, "note.txt", "hello, agent")).body;
  colleagues = (await uploadAsAgent(colleague.token, "theirs.txt", "not yours")).body.id;
  // A file the admin uploaded at the customer level.
  const res = await api("POST", "/v1.0/storage_files", {
    token: owner.token,
    ...multipart("admin.txt", "admin's", {}),
  });
  expect(res.status).toBe(200);
  admins = res.body.id;
});

describe("service_agents files", () => {
  it("upload: the agent owns the file, named after the part, typed talk, downloadable at the agent's path", async () => {
    const res = await uploadAsAgent(agent.token, "greeting.txt", "hi");
    expect(res.body).toMatchObject({
      customer_id: owner.id,
      owner_type: "agent",
      owner_id: agent.id,
      type: "talk",
      name: "greeting.txt",
      detail: "Uploaded by agent",
      filename: "greeting.txt",
      filesize: 2,
      uri_download: `http://api.test${S}/files/${res.body.id}/file`,
    });
    // The customer's admins see it at the customer level too.
    expect((await api("GET", `/v1.0/files/${res.body.id}`, { token: owner.token })).body.owner_id).toBe(agent.id);
  });

  it("upload takes the contract's form (file, type talk) and the Go SDK's (file only); other types are 400, JSON 415", async () => {
    const sdkForm = await api("POST", `${S}/files`, { token: agent.token, ...multipart("sdk.txt", "sdk", {}) });
    expect(sdkForm.status, JSON.stringify(sdkForm.body)).toBe(200);
    expect(sdkForm.body).toMatchObject({ type: "talk", owner_id: agent.id });
    for (const fields of [{ type: "rag" }, { type: "" }, { type: "TALK" }] as Record<string, string>[]) {
      expectError(
        await api("POST", `${S}/files`, { token: agent.token, ...multipart("x.txt", "x", fields) }),
        400,
        "INVALID_ARGUMENT",
      );
    }
    expectError(
      await api("POST", `${S}/files`, { token: agent.token, body: { type: "talk" } }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
  });

  it("lists only the agent's own files", async () => {
    const list = await api("GET", `${S}/files?page_size=100`, { token: agent.token });
    expect(list.status).toBe(200);
    expect(ids(list)).toContain(own.id);
    expect(ids(list)).not.toContain(colleagues);
    expect(ids(list)).not.toContain(admins);
    for (const f of list.body.result) expect(f.owner_id).toBe(agent.id);
    // The admin agent's own view holds the file it uploaded.
    expect(ids(await api("GET", `${S}/files`, { token: owner.token }))).toEqual([admins]);
  });

  it("gets and downloads its own file; a colleague's or the admin's is 404", async () => {
    expect((await api("GET", `${S}/files/${own.id}`, { token: agent.token })).body.id).toBe(own.id);
    const res = await download(own.id, agent.token);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/plain");
    expect(await res.text()).toBe("hello, agent");
    for (const id of [colleagues, admins]) {
      expectError(await api("GET", `${S}/files/${id}`, { token: agent.token }), 404, "NOT_FOUND");
      expectError(await api("GET", `${S}/files/${id}/file`, { token: agent.token }), 404, "NOT_FOUND");
    }
  });

  it("deletes its own file (row and bytes); a colleague's stays", async () => {
    expectError(await api("DELETE", `${S}/files/${colleagues}`, { token: agent.token }), 404, "NOT_FOUND");
    expect((await api("GET", `${S}/files/${colleagues}`, { token: colleague.token })).status).toBe(200);

    const doomed = (await uploadAsAgent(agent.token, "bye.txt", "bye")).body.id;
    expect(await env.FILES_BUCKET.head(`${owner.id}/${doomed}`)).not.toBeNull();
    const res = await api("DELETE", `${S}/files/${doomed}`, { token: agent.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: doomed, owner_id: agent.id });
    expect(res.body.tm_delete).not.toBeNull();
    expectError(await api("GET", `${S}/files/${doomed}`, { token: agent.token }), 404, "NOT_FOUND");
    expectError(await api("GET", `/v1.0/files/${doomed}`, { token: owner.token }), 404, "NOT_FOUND");
    expectError(await api("GET", `${S}/files/${doomed}/file`, { token: agent.token }), 404, "NOT_FOUND");
    expect(await env.FILES_BUCKET.head(`${owner.id}/${doomed}`)).toBeNull();
  });

  it("another customer's agent finds none of them", async () => {
    const other = await agentOf(await createCustomer(), 16);
    expect(ids(await api("GET", `${S}/files`, { token: other.token }))).toEqual([]);
    expectError(await api("GET", `${S}/files/${own.id}`, { token: other.token }), 404, "NOT_FOUND");
    expectError(await api("DELETE", `${S}/files/${own.id}`, { token: other.token }), 404, "NOT_FOUND");
  });
});
