import { beforeAll, describe, expect, it } from "vitest";
import {
  adminLogin,
  api,
  createAccesskey,
  createAgent,
  createCustomer,
  expectError,
  login,
  type TestCustomer,
} from "../helpers";
import { agentOf, multipart, S, type TestAgent } from "../helpers/service-agents";

// The caller of /v1.0/service_agents/*: an agent, by its login token. Its own record (me), and
// the limited view of its customer.

let owner: TestCustomer;
let agent: TestAgent;
beforeAll(async () => {
  owner = await createCustomer();
  agent = await agentOf(owner, 16);
});

describe("service_agents caller", () => {
  it("an access key is not an agent: 401 on every service_agents route, in any place the key is sent", async () => {
    const key = await createAccesskey(owner.token);
    const doc = (await api("GET", "/openapi.json")).body as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith(S))
      .flatMap(([path, item]) => Object.keys(item).map((method) => [method.toUpperCase(), path] as const));
    expect(routes.length).toBeGreaterThanOrEqual(29);
    for (const [method, template] of routes) {
      const path = template.replace(/\{[a-z_]+\}/g, crypto.randomUUID());
      const body = method === "GET" || method === "DELETE" ? undefined : {};
      for (const res of [
        await api(method, path, { token: key, body }),
        await api(method, `${path}?accesskey=${key}`, { body }),
      ]) {
        expectError(res, 401, "UNAUTHENTICATED", "AGENT_TOKEN_REQUIRED");
      }
    }
  });

  it("the agent's token works as Bearer, ?token= and ?accesskey= (where the Go SDK puts it)", async () => {
    for (const res of [
      await api("GET", `${S}/me`, { token: agent.token }),
      await api("GET", `${S}/me?token=${agent.token}`),
      await api("GET", `${S}/me?accesskey=${agent.token}`),
    ]) {
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(agent.id);
    }
    expectError(await api("GET", `${S}/me`), 401, "UNAUTHENTICATED");
  });

  it("the project super admin is no customer's agent: 403", async () => {
    expectError(await api("GET", `${S}/me`, { token: await adminLogin() }), 403, "PERMISSION_DENIED");
    expectError(await api("GET", `${S}/extensions`, { token: await adminLogin() }), 403, "PERMISSION_DENIED");
  });

  it("a frozen customer's agents read, but do not write", async () => {
    const frozen = await createCustomer();
    const frozenAgent = await agentOf(frozen, 16);
    const res = await api("POST", "/auth/unregister", { token: frozen.token, body: { password: frozen.password } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await api("GET", `${S}/me`, { token: frozenAgent.token })).status).toBe(200);
    expect((await api("GET", `${S}/contacts`, { token: frozenAgent.token })).status).toBe(200);
    for (const [method, path, body] of [
      ["PUT", `${S}/me/status`, { status: "available" }],
      ["PUT", `${S}/me`, { name: "x", detail: "", ring_method: "ringall" }],
      ["POST", `${S}/contacts`, { first_name: "Frozen" }],
    ] as const) {
      expectError(
        await api(method, path, { token: frozenAgent.token, body }),
        403,
        "PERMISSION_DENIED",
        "ACCOUNT_FROZEN",
      );
    }
    expectError(
      await api("POST", `${S}/files`, { token: frozenAgent.token, ...multipart("f.txt", "x") }),
      403,
      "PERMISSION_DENIED",
      "ACCOUNT_FROZEN",
    );
  });
});

describe("service_agents customer", () => {
  it("is the limited view of the caller's customer, for every agent: id, name, detail and times, no secrets", async () => {
    const manager = await agentOf(owner, 64);
    for (const token of [agent.token, manager.token, owner.token]) {
      const res = await api("GET", `${S}/customer`, { token });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(["detail", "id", "name", "tm_create", "tm_delete", "tm_update"]);
      expect(res.body).toMatchObject({ id: owner.id, name: owner.customer.name, tm_delete: null });
      expect(JSON.stringify(res.body)).not.toContain(owner.email);
    }
  });
});

describe("service_agents me", () => {
  it("GET answers the calling agent", async () => {
    const res = await api("GET", `${S}/me`, { token: agent.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: agent.id, username: agent.username, customer_id: owner.id, permission: 16 });
    expect(res.body).not.toHaveProperty("password");
    // Read in the same D1 batch as the credential check, with its version as the ETag.
    expect(res.headers.get("ETag")).toBe('"1"');
  });

  it("PUT changes the caller's own name, detail and ring method (the contract's body, all three required)", async () => {
    const self = await agentOf(owner, 16);
    const res = await api("PUT", `${S}/me`, {
      token: self.token,
      body: { name: "Renamed", detail: "by itself", ring_method: "linear" },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ id: self.id, name: "Renamed", detail: "by itself", ring_method: "linear" });
    expect((await api("GET", `${S}/me`, { token: self.token })).body).toMatchObject({ name: "Renamed" });
    expectError(
      await api("PUT", `${S}/me`, { token: self.token, body: { name: "only a name" } }),
      400,
      "INVALID_ARGUMENT",
    );
  });

  it("PUT addresses and status change only the caller", async () => {
    const self = await agentOf(owner, 16);
    const addresses = [{ type: "tel", target: "+15550009999", target_name: "", name: "desk", detail: "" }];
    const put = await api("PUT", `${S}/me/addresses`, { token: self.token, body: { addresses } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.addresses).toEqual(addresses);
    const status = await api("PUT", `${S}/me/status`, { token: self.token, body: { status: "available" } });
    expect(status.body.status).toBe("available");
    expectError(
      await api("PUT", `${S}/me/status`, { token: self.token, body: { status: "sleeping" } }),
      400,
      "INVALID_ARGUMENT",
    );
    // Another agent of the customer is untouched.
    const other = await api("GET", `${S}/me`, { token: agent.token });
    expect(other.body.status).not.toBe("available");
    expect(other.body.addresses).toEqual([]);
  });

  it("PUT password: the new password signs in, and every older token of the agent stops working", async () => {
    const self = await createAgent(owner.id, 16);
    const second = await login(self.username, self.password);
    const res = await api("PUT", `${S}/me/password`, { token: self.token, body: { password: "a-brand-new-password" } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).not.toHaveProperty("password");
    expectError(await api("GET", `${S}/me`, { token: self.token }), 401, "UNAUTHENTICATED");
    expectError(await api("GET", `${S}/me`, { token: second }), 401, "UNAUTHENTICATED");
    const fresh = await login(self.username, "a-brand-new-password");
    expect((await api("GET", `${S}/me`, { token: fresh })).status).toBe(200);
    expectError(
      await api("PUT", `${S}/me/password`, { token: fresh, body: { password: "short" } }),
      400,
      "INVALID_ARGUMENT",
    );
  });
});
