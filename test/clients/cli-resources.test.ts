import { beforeAll, describe, expect, it } from "vitest";
import { login, unique } from "../helpers";
import { customerWithKey, expectVnItem, expectVnList, vn } from "./replay";

/**
 * voipbin/cli (`vn`, Go): agents, numbers, flows, queues, trunks and extensions, replayed from
 * internal/commands/*.go. Bodies are Go maps (keys sorted on the wire) with the flags' defaults;
 * each response must carry the columns `vn` prints for it (its `…ListColumns` / `…DetailColumns`).
 */

const AGENT_LIST = ["id", "name", "username", "status", "permission", "tm_create"];
const AGENT_DETAIL = [
  "id",
  "customer_id",
  "name",
  "username",
  "detail",
  "status",
  "permission",
  "ring_method",
  "tm_create",
];
const NUMBER_LIST = ["id", "number", "name", "status", "call_flow_id", "tm_create"];
const NUMBER_DETAIL = [
  "id",
  "customer_id",
  "number",
  "name",
  "detail",
  "status",
  "call_flow_id",
  "message_flow_id",
  "t38_enabled",
  "emergency_enabled",
  "tm_create",
];
const FLOW_LIST = ["id", "name", "type", "detail", "tm_create"];
const FLOW_DETAIL = ["id", "customer_id", "name", "type", "detail", "on_complete_flow_id", "tm_create", "tm_update"];
const QUEUE_LIST = ["id", "name", "routing_method", "service_timeout", "tm_create"];
const QUEUE_DETAIL = [
  "id",
  "customer_id",
  "name",
  "detail",
  "routing_method",
  "service_timeout",
  "wait_timeout",
  "wait_flow_id",
  "tm_create",
  "tm_update",
];
const TRUNK_LIST = ["id", "name", "domain_name", "username", "tm_create"];
const TRUNK_DETAIL = ["id", "customer_id", "name", "detail", "domain_name", "username", "tm_create", "tm_update"];
const EXTENSION_LIST = ["id", "name", "extension", "username", "tm_create"];
const EXTENSION_DETAIL = [
  "id",
  "customer_id",
  "name",
  "detail",
  "extension",
  "username",
  "domain_name",
  "tm_create",
  "tm_update",
];

let cli: ReturnType<typeof vn>;
let customerId: string;

beforeAll(async () => {
  // These replays create 2 agents (4 with the admin and the guest), 2 queues, 1 trunk, 1 extension,
  // 2 virtual numbers and 5 flows: within the free plan, the platform's default for new customers.
  const c = await customerWithKey("free");
  cli = vn(c.key);
  customerId = c.id;
});

const virtualNumber = () => `+899${String(Date.now()).slice(-7)}${Math.floor(Math.random() * 90 + 10)}`;

describe("vn agents", () => {
  it("create with the flag defaults (permission 0, ring_method ringall, empty addresses and tag_ids), get, list, update, delete", async () => {
    const username = `${unique("vn")}@example.com`;
    // vn agents create --name Alice --username … --password …
    const res = await cli.post("/agents", {
      addresses: [],
      detail: "",
      name: "Alice",
      password: "alice-password-1",
      permission: 0,
      ring_method: "ringall",
      tag_ids: [],
      username,
    });
    const agent = expectVnItem(res, AGENT_DETAIL);
    expect(agent).toMatchObject({ name: "Alice", username, customer_id: customerId, ring_method: "ringall" });
    // permission 0 is "unset" on the platform: the agent gets the default (CustomerAgent), and can sign in.
    expect(agent.permission).toBe(16);
    expect(await login(username, "alice-password-1")).toBeTypeOf("string");

    expect(expectVnItem(await cli.get(`/agents/${agent.id}`), AGENT_DETAIL).id).toBe(agent.id);
    expect(expectVnList(await cli.get("/agents"), AGENT_LIST).map((a) => a.id)).toContain(agent.id);
    expectVnList(await cli.get("/agents", { page_size: "1" }), AGENT_LIST);

    // vn agents update <id> --name Alicia --ring-method linear
    const updated = expectVnItem(
      await cli.put(`/agents/${agent.id}`, { name: "Alicia", ring_method: "linear" }),
      AGENT_DETAIL,
    );
    expect(updated).toMatchObject({ name: "Alicia", ring_method: "linear" });

    expectVnItem(await cli.delete(`/agents/${agent.id}`), []);
    expect((await cli.get(`/agents/${agent.id}`)).status).toBe(404);
  });

  it("the setters: update-addresses, update-password, update-permission, update-status, update-tag-ids", async () => {
    const username = `${unique("vn")}@example.com`;
    const agent = expectVnItem(
      await cli.post("/agents", {
        addresses: [],
        detail: "",
        name: "Bob",
        password: "bob-password-12",
        permission: 0,
        ring_method: "ringall",
        tag_ids: [],
        username,
      }),
      AGENT_DETAIL,
    );

    // The example of the --addresses flag's help.
    const addresses = [{ type: "sip", target: "user@host" }];
    const withAddresses = expectVnItem(await cli.put(`/agents/${agent.id}/addresses`, { addresses }), AGENT_DETAIL);
    expect(withAddresses.addresses).toEqual([expect.objectContaining(addresses[0])]);

    expectVnItem(await cli.put(`/agents/${agent.id}/password`, { password: "bob-new-password" }), AGENT_DETAIL);
    expect(await login(username, "bob-new-password")).toBeTypeOf("string");

    expect(
      expectVnItem(await cli.put(`/agents/${agent.id}/permission`, { permission: 64 }), AGENT_DETAIL).permission,
    ).toBe(64);
    expect(
      expectVnItem(await cli.put(`/agents/${agent.id}/status`, { status: "available" }), AGENT_DETAIL).status,
    ).toBe("available");

    const tag = expectVnItem(await cli.post("/tags", { detail: "", name: "vip" }), ["id"]);
    // --tag-id is a repeatable string array.
    const tagged = expectVnItem(await cli.put(`/agents/${agent.id}/tag_ids`, { tag_ids: [tag.id] }), AGENT_DETAIL);
    expect(tagged.tag_ids).toEqual([tag.id]);
  });
});

describe("vn numbers", () => {
  it("create with empty flow ids, get, list, update, update-flow-ids, delete", async () => {
    const number = virtualNumber();
    // vn numbers create --number … --name Main --detail d --call-flow-id "" --message-flow-id ""
    const res = await cli.post("/numbers", {
      call_flow_id: "",
      detail: "d",
      message_flow_id: "",
      name: "Main",
      number,
    });
    const created = expectVnItem(res, NUMBER_DETAIL);
    expect(created).toMatchObject({ number, name: "Main", detail: "d", customer_id: customerId });

    expect(expectVnItem(await cli.get(`/numbers/${created.id}`), NUMBER_DETAIL).number).toBe(number);
    expect(expectVnList(await cli.get("/numbers"), NUMBER_LIST).map((n) => n.id)).toContain(created.id);

    expect(expectVnItem(await cli.put(`/numbers/${created.id}`, { name: "Renamed" }), NUMBER_DETAIL).name).toBe(
      "Renamed",
    );

    const flow = expectVnItem(await cli.post("/flows", { actions: [], detail: "", name: "inbound" }), ["id"]);
    // vn numbers update-flow-ids <id> --call-flow-id … (the empty message flow id is left out)
    const routed = expectVnItem(
      await cli.put(`/numbers/${created.id}/flow_ids`, { call_flow_id: flow.id }),
      NUMBER_DETAIL,
    );
    expect(routed.call_flow_id).toBe(flow.id);

    expectVnItem(await cli.delete(`/numbers/${created.id}`), []);
    expect((await cli.get(`/numbers/${created.id}`)).status).toBe(404);
  });

  it("create with a call flow id and the optional type", async () => {
    const flow = expectVnItem(await cli.post("/flows", { actions: [], detail: "", name: "f" }), ["id"]);
    const number = virtualNumber();
    const created = expectVnItem(
      await cli.post("/numbers", {
        call_flow_id: flow.id,
        detail: "",
        message_flow_id: "",
        name: "Virtual",
        number,
        type: "virtual",
      }),
      NUMBER_DETAIL,
    );
    expect(created.call_flow_id).toBe(flow.id);
  });
});

describe("vn flows", () => {
  it("create (empty actions), with on_complete_flow_id, get, list, update with actions, delete", async () => {
    const first = expectVnItem(await cli.post("/flows", { actions: [], detail: "d", name: "Main" }), FLOW_DETAIL);
    expect(first).toMatchObject({ name: "Main", detail: "d", customer_id: customerId });

    const chained = expectVnItem(
      await cli.post("/flows", { actions: [], detail: "", name: "Chained", on_complete_flow_id: first.id }),
      FLOW_DETAIL,
    );
    expect(chained.on_complete_flow_id).toBe(first.id);

    expect(expectVnItem(await cli.get(`/flows/${first.id}`), FLOW_DETAIL).id).toBe(first.id);
    expect(expectVnList(await cli.get("/flows"), FLOW_LIST).map((f) => f.id)).toContain(first.id);

    // vn flows update <id> --name … --actions '[{"type":"answer"},{"type":"hangup"}]'
    const updated = expectVnItem(
      await cli.put(`/flows/${first.id}`, { actions: [{ type: "answer" }, { type: "hangup" }], name: "Main v2" }),
      FLOW_DETAIL,
    );
    expect(updated.name).toBe("Main v2");

    expectVnItem(await cli.delete(`/flows/${chained.id}`), []);
  });
});

describe("vn queues", () => {
  it("create with the flag defaults (routing_method ringall, timeouts, empty wait_flow_id), get, list, update, delete", async () => {
    const res = await cli.post("/queues", {
      detail: "",
      name: "Support",
      routing_method: "ringall",
      service_timeout: 60000,
      tag_ids: [],
      wait_flow_id: "",
      wait_timeout: 300000,
    });
    const queue = expectVnItem(res, QUEUE_DETAIL);
    expect(queue).toMatchObject({
      name: "Support",
      service_timeout: 60000,
      wait_timeout: 300000,
      customer_id: customerId,
    });

    expect(expectVnItem(await cli.get(`/queues/${queue.id}`), QUEUE_DETAIL).id).toBe(queue.id);
    expect(expectVnList(await cli.get("/queues"), QUEUE_LIST).map((q) => q.id)).toContain(queue.id);

    const flow = expectVnItem(await cli.post("/flows", { actions: [], detail: "", name: "hold music" }), ["id"]);
    // vn queues update <id> --service-timeout 30000 --wait-flow-id …
    const updated = expectVnItem(
      await cli.put(`/queues/${queue.id}`, { service_timeout: 30000, wait_flow_id: flow.id }),
      QUEUE_DETAIL,
    );
    expect(updated).toMatchObject({ service_timeout: 30000, wait_flow_id: flow.id });

    expectVnItem(await cli.delete(`/queues/${queue.id}`), []);
  });

  it("set-routing-method and set-tag-ids (vn only needs a 2xx)", async () => {
    // vn queues create --name Q --routing-method random (the contract's value, not vn's default)
    const queue = expectVnItem(
      await cli.post("/queues", {
        detail: "",
        name: "Q",
        routing_method: "random",
        service_timeout: 60000,
        tag_ids: [],
        wait_flow_id: "",
        wait_timeout: 300000,
      }),
      ["id"],
    );
    expectVnItem(await cli.put(`/queues/${queue.id}/routing_method`, { routing_method: "random" }), []);
    const tag = expectVnItem(await cli.post("/tags", { detail: "", name: "queue-tag" }), ["id"]);
    expectVnItem(await cli.put(`/queues/${queue.id}/tag_ids`, { tag_ids: [tag.id] }), []);
    expect(expectVnItem(await cli.get(`/queues/${queue.id}`), QUEUE_DETAIL)).toMatchObject({
      routing_method: "random",
      tag_ids: [tag.id],
    });
  });
});

describe("vn trunks", () => {
  it("create (empty allowed_ips and auth_types, username/password), get, list, update, delete", async () => {
    const domain = `vn-${Date.now().toString(36)}`;
    const res = await cli.post("/trunks", {
      allowed_ips: [],
      auth_types: [],
      detail: "",
      domain_name: domain,
      name: "Office",
      password: "trunk-password-1",
      username: "office",
    });
    const trunk = expectVnItem(res, TRUNK_DETAIL);
    expect(trunk).toMatchObject({ name: "Office", domain_name: domain, username: "office", customer_id: customerId });

    expect(expectVnItem(await cli.get(`/trunks/${trunk.id}`), TRUNK_DETAIL).id).toBe(trunk.id);
    expect(expectVnList(await cli.get("/trunks"), TRUNK_LIST).map((t) => t.id)).toContain(trunk.id);

    // vn trunks update <id> --allowed-ips '["203.0.113.7"]' --auth-types '["basic","ip"]' --username office2
    const updated = expectVnItem(
      await cli.put(`/trunks/${trunk.id}`, {
        allowed_ips: ["203.0.113.7"],
        auth_types: ["basic", "ip"],
        username: "office2",
      }),
      TRUNK_DETAIL,
    );
    expect(updated).toMatchObject({ username: "office2", allowed_ips: ["203.0.113.7"], auth_types: ["basic", "ip"] });

    expectVnItem(await cli.delete(`/trunks/${trunk.id}`), []);
  });
});

describe("vn extensions", () => {
  it("create, get, list, update (name and password), delete", async () => {
    const ext = `${Math.floor(Math.random() * 9000 + 1000)}`;
    const created = expectVnItem(
      await cli.post("/extensions", { detail: "", extension: ext, name: "Desk", password: "sip-password-1" }),
      EXTENSION_DETAIL,
    );
    expect(created).toMatchObject({ extension: ext, name: "Desk", customer_id: customerId });

    expect(expectVnItem(await cli.get(`/extensions/${created.id}`), EXTENSION_DETAIL).extension).toBe(ext);
    expect(expectVnList(await cli.get("/extensions"), EXTENSION_LIST).map((e) => e.id)).toContain(created.id);

    const updated = expectVnItem(
      await cli.put(`/extensions/${created.id}`, { name: "Front desk", password: "sip-password-2" }),
      EXTENSION_DETAIL,
    );
    expect(updated.name).toBe("Front desk");

    expectVnItem(await cli.delete(`/extensions/${created.id}`), []);
    expect((await cli.get(`/extensions/${created.id}`)).status).toBe(404);
  });
});
