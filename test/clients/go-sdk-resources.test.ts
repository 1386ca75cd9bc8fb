import { beforeAll, describe, expect, it } from "vitest";
import { login, unique } from "../helpers";
import {
  AgentModel,
  ExtensionModel,
  FlowModel,
  NumberModel,
  QueueModel,
  TagModel,
  TranscribeModel,
  TrunkModel,
} from "./go-sdk-models";
import { customerWithKey, expectGo, expectGoList, sdk } from "./replay";

/**
 * voipbin/voipbin-go: agents, numbers, flows, queues, trunks, extensions, tags and transcribes,
 * replayed from gens/voipbin_client/gen.go. The request structs have no omitempty on most
 * fields, so a caller who sets only what matters sends the rest as zero values: `permission: 0`,
 * `ring_method: ""`, `tag_ids: null`, `addresses: null`, `actions: null`, `call_flow_id: ""`…
 * Each must get the platform's default. Every response must be 200 JSON decoding into the model.
 */

let client: ReturnType<typeof sdk>;
let customerId: string;

beforeAll(async () => {
  const c = await customerWithKey();
  client = sdk(c.key);
  customerId = c.id;
});

const virtualNumber = () => `+899${String(Date.now()).slice(-7)}${Math.floor(Math.random() * 90 + 10)}`;

describe("go sdk agents", () => {
  it("PostAgents with only name/username/password set (zero values elsewhere), GetAgents, GetAgentsId, PutAgentsId, DeleteAgentsId", async () => {
    const username = `${unique("sdk")}@example.com`;
    const body = {
      addresses: null,
      detail: "",
      name: "Go Agent",
      password: "go-agent-password",
      permission: 0,
      ring_method: "",
      tag_ids: null,
      username,
    };
    const agent = expectGo(await client.post("/agents", body), AgentModel);
    expect(agent).toMatchObject({ username, name: "Go Agent", customer_id: customerId, tag_ids: [], addresses: [] });
    expect(agent.permission).toBe(16);
    expect(agent.ring_method).not.toBe("");
    expect(await login(username, "go-agent-password")).toBeTypeOf("string");

    // GetAgentsParams: page_size, page_token, tag_ids, status (all omitempty).
    expect(expectGoList(await client.get("/agents", { page_size: "10" }), AgentModel).map((a) => a.id)).toContain(
      agent.id,
    );
    expectGoList(await client.get("/agents", { page_size: "10", status: "offline" }), AgentModel);
    expect(expectGo(await client.get(`/agents/${agent.id}`), AgentModel).id).toBe(agent.id);

    // PutAgentsIdJSONBody: all omitempty pointers.
    const updated = expectGo(
      await client.put(`/agents/${agent.id}`, { detail: "on call", name: "Go Agent 2", ring_method: "linear" }),
      AgentModel,
    );
    expect(updated).toMatchObject({ detail: "on call", name: "Go Agent 2", ring_method: "linear" });

    expect(expectGo(await client.delete(`/agents/${agent.id}`), AgentModel).id).toBe(agent.id);
  });

  it("PutAgentsIdAddresses, PutAgentsIdPassword, PutAgentsIdPermission, PutAgentsIdStatus, PutAgentsIdTagIds", async () => {
    const username = `${unique("sdk")}@example.com`;
    const agent = expectGo(
      await client.post("/agents", {
        addresses: [],
        detail: "",
        name: "Setter",
        password: "setter-password-1",
        permission: 16,
        ring_method: "ringall",
        tag_ids: [],
        username,
      }),
      AgentModel,
    );
    // CommonAddress: detail, name, target, target_name, type (all omitempty).
    const addresses = [
      { target: "+15551112222", type: "tel" },
      { name: "desk", target: "1001", type: "extension" },
    ];
    const a = expectGo(await client.put(`/agents/${agent.id}/addresses`, { addresses }), AgentModel);
    expect(a.addresses).toEqual([expect.objectContaining(addresses[0]), expect.objectContaining(addresses[1])]);

    expectGo(await client.put(`/agents/${agent.id}/password`, { password: "setter-password-2" }), AgentModel);
    expect(await login(username, "setter-password-2")).toBeTypeOf("string");

    expect(
      expectGo(await client.put(`/agents/${agent.id}/permission`, { permission: 32 }), AgentModel).permission,
    ).toBe(32);
    expect(expectGo(await client.put(`/agents/${agent.id}/status`, { status: "away" }), AgentModel).status).toBe(
      "away",
    );

    const tag = expectGo(await client.post("/tags", { detail: "", name: "agents-tag" }), TagModel);
    expect(
      expectGo(await client.put(`/agents/${agent.id}/tag_ids`, { tag_ids: [tag.id] }), AgentModel).tag_ids,
    ).toEqual([tag.id]);
  });
});

describe("go sdk numbers", () => {
  it("PostNumbers with empty flow ids, GetNumbers, GetNumbersId, PutNumbersId, PutNumbersIdFlowIds, DeleteNumbersId", async () => {
    const number = virtualNumber();
    const created = expectGo(
      await client.post("/numbers", { call_flow_id: "", detail: "", message_flow_id: "", name: "Go line", number }),
      NumberModel,
    );
    expect(created).toMatchObject({ number, name: "Go line", customer_id: customerId });

    expect(expectGoList(await client.get("/numbers", { page_size: "10" }), NumberModel).map((n) => n.id)).toContain(
      created.id,
    );
    expect(expectGo(await client.get(`/numbers/${created.id}`), NumberModel).number).toBe(number);

    const flow = expectGo(await client.post("/flows", { actions: null, detail: "", name: "inbound" }), FlowModel);
    // PutNumbersIdJSONBody is a full body: every field goes out.
    const updated = expectGo(
      await client.put(`/numbers/${created.id}`, {
        call_flow_id: flow.id,
        detail: "main",
        message_flow_id: "",
        name: "Go line 2",
      }),
      NumberModel,
    );
    expect(updated).toMatchObject({ call_flow_id: flow.id, detail: "main", name: "Go line 2" });

    const routed = expectGo(
      await client.put(`/numbers/${created.id}/flow_ids`, { call_flow_id: flow.id, message_flow_id: flow.id }),
      NumberModel,
    );
    expect(routed).toMatchObject({ call_flow_id: flow.id, message_flow_id: flow.id });

    expectGo(await client.delete(`/numbers/${created.id}`), NumberModel);
  });
});

describe("go sdk flows", () => {
  it("PostFlows with actions null, GetFlows, GetFlowsId, PutFlowsId, DeleteFlowsId", async () => {
    const created = expectGo(await client.post("/flows", { actions: null, detail: "", name: "Empty" }), FlowModel);
    expect(created.actions).toEqual([]);

    // FlowManagerAction: id, next_id, type, option…
    const actions = [{ id: crypto.randomUUID(), next_id: "", option: { text: "hello" }, type: "talk" }];
    const withActions = expectGo(
      await client.post("/flows", { actions, detail: "d", name: "Talk", on_complete_flow_id: created.id }),
      FlowModel,
    );
    expect(withActions).toMatchObject({ on_complete_flow_id: created.id, name: "Talk" });
    expect(withActions.actions[0]).toMatchObject({ type: "talk", option: { text: "hello" } });

    expect(expectGoList(await client.get("/flows", { page_size: "10" }), FlowModel).map((f) => f.id)).toContain(
      created.id,
    );
    expect(expectGo(await client.get(`/flows/${withActions.id}`), FlowModel).actions).toHaveLength(1);

    const replaced = expectGo(
      await client.put(`/flows/${created.id}`, { actions: [{ type: "answer" }], detail: "x", name: "Answer" }),
      FlowModel,
    );
    expect(replaced).toMatchObject({ name: "Answer", detail: "x" });

    expectGo(await client.delete(`/flows/${withActions.id}`), FlowModel);
  });
});

describe("go sdk queues", () => {
  it("PostQueues with zero values (routing_method '', timeouts 0, tag_ids null, wait_flow_id ''), GetQueues, GetQueuesId, PutQueuesId, DeleteQueuesId", async () => {
    const created = expectGo(
      await client.post("/queues", {
        detail: "",
        name: "Go queue",
        routing_method: "",
        service_timeout: 0,
        tag_ids: null,
        wait_flow_id: "",
        wait_timeout: 0,
      }),
      QueueModel,
    );
    expect(created).toMatchObject({ name: "Go queue", customer_id: customerId, tag_ids: [] });

    expect(expectGoList(await client.get("/queues", { page_size: "10" }), QueueModel).map((q) => q.id)).toContain(
      created.id,
    );
    expect(expectGo(await client.get(`/queues/${created.id}`), QueueModel).id).toBe(created.id);

    const flow = expectGo(await client.post("/flows", { actions: null, detail: "", name: "wait" }), FlowModel);
    const tag = expectGo(await client.post("/tags", { detail: "", name: "queue" }), TagModel);
    const replaced = expectGo(
      await client.put(`/queues/${created.id}`, {
        detail: "support",
        name: "Go queue 2",
        routing_method: "random",
        service_timeout: 60000,
        tag_ids: [tag.id],
        wait_flow_id: flow.id,
        wait_timeout: 120000,
      }),
      QueueModel,
    );
    expect(replaced).toMatchObject({
      routing_method: "random",
      service_timeout: 60000,
      wait_timeout: 120000,
      wait_flow_id: flow.id,
      tag_ids: [tag.id],
    });

    expectGo(await client.delete(`/queues/${created.id}`), QueueModel);
  });

  it("PutQueuesIdRoutingMethod and PutQueuesIdTagIds", async () => {
    const q = expectGo(
      await client.post("/queues", {
        detail: "",
        name: "Q",
        routing_method: "random",
        service_timeout: 0,
        tag_ids: [],
        wait_flow_id: "",
        wait_timeout: 0,
      }),
      QueueModel,
    );
    expect(
      expectGo(await client.put(`/queues/${q.id}/routing_method`, { routing_method: "random" }), QueueModel)
        .routing_method,
    ).toBe("random");
    const tag = expectGo(await client.post("/tags", { detail: "", name: "q2" }), TagModel);
    expect(expectGo(await client.put(`/queues/${q.id}/tag_ids`, { tag_ids: [tag.id] }), QueueModel).tag_ids).toEqual([
      tag.id,
    ]);
  });
});

describe("go sdk trunks", () => {
  it("PostTrunks with allowed_ips/auth_types null, GetTrunks, GetTrunksId, PutTrunksId, DeleteTrunksId", async () => {
    const domain = `sdk-${Date.now().toString(36)}`;
    const created = expectGo(
      await client.post("/trunks", {
        allowed_ips: null,
        auth_types: null,
        detail: "",
        domain_name: domain,
        name: "Go trunk",
        password: "trunk-pass-1",
        username: "gouser",
      }),
      TrunkModel,
    );
    // The SDK reads password back: the SIP credential the trunk's PBX registers with.
    expect(created).toMatchObject({
      domain_name: domain,
      username: "gouser",
      password: "trunk-pass-1",
      allowed_ips: [],
      auth_types: [],
    });

    expect(expectGoList(await client.get("/trunks", { page_size: "10" }), TrunkModel).map((t) => t.id)).toContain(
      created.id,
    );
    expect(expectGo(await client.get(`/trunks/${created.id}`), TrunkModel).id).toBe(created.id);

    const replaced = expectGo(
      await client.put(`/trunks/${created.id}`, {
        allowed_ips: ["198.51.100.1"],
        auth_types: ["basic", "ip"],
        detail: "",
        name: "Go trunk 2",
        password: "",
        username: "gouser",
      }),
      TrunkModel,
    );
    expect(replaced).toMatchObject({
      allowed_ips: ["198.51.100.1"],
      auth_types: ["basic", "ip"],
      name: "Go trunk 2",
      password: "trunk-pass-1",
    });

    expectGo(await client.delete(`/trunks/${created.id}`), TrunkModel);
  });
});

describe("go sdk extensions", () => {
  it("PostExtensions, GetExtensions, GetExtensionsId, PutExtensionsId (password '' when unchanged), DeleteExtensionsId", async () => {
    const ext = `${Math.floor(Math.random() * 9000 + 1000)}`;
    const created = expectGo(
      await client.post("/extensions", { detail: "", extension: ext, name: "Go desk", password: "sip-pass-123" }),
      ExtensionModel,
    );
    expect(created).toMatchObject({ extension: ext, customer_id: customerId, password: "sip-pass-123" });

    expect(
      expectGoList(await client.get("/extensions", { page_size: "10" }), ExtensionModel).map((e) => e.id),
    ).toContain(created.id);
    expect(expectGo(await client.get(`/extensions/${created.id}`), ExtensionModel)).toMatchObject({
      extension: ext,
      password: "sip-pass-123",
    });
    expect(
      expectGo(
        await client.put(`/extensions/${created.id}`, { detail: "", name: "Go desk 2", password: "" }),
        ExtensionModel,
      ),
    ).toMatchObject({ name: "Go desk 2", password: "sip-pass-123" });

    expectGo(await client.delete(`/extensions/${created.id}`), ExtensionModel);
  });
});

describe("go sdk tags and transcribes", () => {
  it("PostTags, GetTags, GetTagsId, PutTagsId (full body), DeleteTagsId", async () => {
    const tag = expectGo(await client.post("/tags", { detail: "d", name: "go-tag" }), TagModel);
    expect(expectGoList(await client.get("/tags", { page_size: "10" }), TagModel).map((t) => t.id)).toContain(tag.id);
    expect(expectGo(await client.get(`/tags/${tag.id}`), TagModel).name).toBe("go-tag");
    expect(expectGo(await client.put(`/tags/${tag.id}`, { detail: "", name: "go-tag-2" }), TagModel).name).toBe(
      "go-tag-2",
    );
    expectGo(await client.delete(`/tags/${tag.id}`), TagModel);
  });

  it("PostTranscribes (on_end_flow_id ''), GetTranscribes, GetTranscribesId, DeleteTranscribesId", async () => {
    const referenceId = crypto.randomUUID();
    const created = expectGo(
      await client.post("/transcribes", {
        direction: "in",
        language: "ko-KR",
        on_end_flow_id: "",
        reference_id: referenceId,
        reference_type: "recording",
      }),
      TranscribeModel,
    );
    expect(created).toMatchObject({
      direction: "in",
      language: "ko-KR",
      reference_id: referenceId,
      reference_type: "recording",
    });
    expect(
      expectGoList(await client.get("/transcribes", { page_size: "10" }), TranscribeModel).map((t) => t.id),
    ).toContain(created.id);
    expect(expectGo(await client.get(`/transcribes/${created.id}`), TranscribeModel).id).toBe(created.id);
    expectGo(await client.delete(`/transcribes/${created.id}`), TranscribeModel);
  });
});
