import { beforeAll, describe, expect, it } from "vitest";
import { login, unique } from "../helpers";
import { createResource, validBody } from "../helpers/resources";
import { AgentModel, ExtensionWithoutPassword, FileModel } from "./go-sdk-models";
import { customerWithKey, expectGo, expectGoList, type GoModel, goUpload, sdk, wire } from "./replay";

/**
 * Every /service_agents/* call of voipbin/voipbin-go (gens/voipbin_client/gen.go) in this
 * service's scope, as the SDK sends it, reading what its models read:
 * GetServiceAgentsMe, PutServiceAgentsMe{,Addresses,Status,Password}, GetServiceAgentsCustomer,
 * GetServiceAgentsAgents{,Id}, GetServiceAgentsExtensions{,Id}, GetServiceAgentsFiles{,Id},
 * PostServiceAgentsFilesWithBody, DeleteServiceAgentsFilesId.
 * The SDK's only transport puts its credential in `?accesskey=`: an agent console hands it the
 * agent's JWT from PostAuthLogin. An access key is not an agent (401 here, as on the platform).
 */

let owner: Awaited<ReturnType<typeof customerWithKey>>;
let agent: { id: string; username: string; password: string; jwt: string };

async function newAgent() {
  const body: Record<string, unknown> = {
    ...validBody("agents"),
    username: `${unique("sa")}@example.com`,
    permission: 16,
  };
  const created = await createResource(owner.token, "agents", body);
  const password = body.password as string;
  return {
    id: created.id as string,
    username: body.username as string,
    password,
    jwt: await login(created.username, password),
  };
}

beforeAll(async () => {
  // Two agents (four with the admin and the guest) and two extensions: within the free plan.
  owner = await customerWithKey("free");
  agent = await newAgent();
});

/** CustomerManagerCustomer as the agent's view fills it: the platform answers only these. */
const ServiceAgentCustomerModel: GoModel = { id: "string", name: "string", detail: "string", tm_create: "string" };

describe("go sdk service_agents: the logged-in agent", () => {
  it("GetServiceAgentsMe, PutServiceAgentsMe (struct order detail, name, ring_method), PutServiceAgentsMeAddresses, PutServiceAgentsMeStatus", async () => {
    const client = sdk(agent.jwt);
    const me = expectGo(await client.GET("/v1.0/service_agents/me"), AgentModel);
    expect(me).toMatchObject({ id: agent.id, username: agent.username, customer_id: owner.id, permission: 16 });

    // PutServiceAgentsMeJSONBody: plain strings, no omitempty: all three go out.
    const put = expectGo(
      await client.PUT("/v1.0/service_agents/me", {
        body: { detail: "console", name: "Console Agent", ring_method: "linear" },
      }),
      AgentModel,
    );
    expect(put).toMatchObject({ id: me.id, detail: "console", name: "Console Agent", ring_method: "linear" });

    // CommonAddress: every field omitempty.
    const addresses = [{ target: "+15551112222", type: "tel" as const }];
    const withAddresses = expectGo(
      await client.PUT("/v1.0/service_agents/me/addresses", { body: { addresses } }),
      AgentModel,
    );
    expect(withAddresses.addresses).toEqual([expect.objectContaining(addresses[0])]);

    expect(
      expectGo(await client.PUT("/v1.0/service_agents/me/status", { body: { status: "available" } }), AgentModel)
        .status,
    ).toBe("available");
    expect(expectGo(await client.GET("/v1.0/service_agents/me"), AgentModel)).toMatchObject({
      name: "Console Agent",
      status: "available",
    });
  });

  it("PutServiceAgentsMePassword: the new password signs in; the old JWT no longer does", async () => {
    const self = await newAgent();
    expectGo(
      await sdk(self.jwt).PUT("/v1.0/service_agents/me/password", { body: { password: "console-password-2" } }),
      AgentModel,
    );
    expect(wire(await sdk(self.jwt).GET("/v1.0/service_agents/me")).status).toBe(401);
    expectGo(await sdk(await login(self.username, "console-password-2")).GET("/v1.0/service_agents/me"), AgentModel);
  });

  it("with an access key, every call answers 401: a key is not an agent", async () => {
    const key = sdk(owner.key);
    for (const res of [
      await key.GET("/v1.0/service_agents/me"),
      await key.GET("/v1.0/service_agents/customer"),
      await key.GET("/v1.0/service_agents/extensions", { params: { query: { page_size: 10 } } }),
      await key.PUT("/v1.0/service_agents/me/status", { body: { status: "available" } }),
    ]) {
      expect(wire(res).status, wire(res).text).toBe(401);
      expect(res.error?.error.reason).toBe("AGENT_TOKEN_REQUIRED");
    }
  });
});

describe("go sdk service_agents: the agent's view of its customer", () => {
  it("GetServiceAgentsCustomer decodes into CustomerManagerCustomer: the limited view, no secrets", async () => {
    const customer = expectGo(await sdk(agent.jwt).GET("/v1.0/service_agents/customer"), ServiceAgentCustomerModel);
    expect(customer.id).toBe(owner.id);
    for (const field of ["webhook_secret", "email", "phone_number", "address", "webhook_uri"]) {
      expect(customer).not.toHaveProperty(field);
    }
  });

  it("GetServiceAgentsAgents, GetServiceAgentsAgentsId (page_size as the SDK sends it)", async () => {
    const client = sdk(agent.jwt);
    const agents = expectGoList(
      await client.GET("/v1.0/service_agents/agents", { params: { query: { page_size: 10 } } }),
      AgentModel,
    );
    expect(agents.every((a) => a.customer_id === owner.id)).toBe(true);
    expect(
      expectGo(await client.GET("/v1.0/service_agents/agents/{id}", { params: { path: { id: agent.id } } }), AgentModel)
        .id,
    ).toBe(agent.id);
  });

  it("GetServiceAgentsExtensions, GetServiceAgentsExtensionsId: the agent's own, without the SIP password", async () => {
    const client = sdk(agent.jwt);
    const mine = await createResource(owner.token, "extensions");
    const notMine = await createResource(owner.token, "extensions");
    expectGo(
      await client.PUT("/v1.0/service_agents/me/addresses", {
        body: { addresses: [{ target: mine.id, type: "extension" }] },
      }),
      AgentModel,
    );
    const list = expectGoList(
      await client.GET("/v1.0/service_agents/extensions", { params: { query: { page_size: 10 } } }),
      ExtensionWithoutPassword,
    );
    expect(list.map((e) => e.id)).toEqual([mine.id]);
    const one = expectGo(
      await client.GET("/v1.0/service_agents/extensions/{id}", { params: { path: { id: mine.id } } }),
      ExtensionWithoutPassword,
    );
    expect(one).toMatchObject({ id: mine.id, extension: mine.extension, domain_name: owner.id });
    expect(one).not.toHaveProperty("password");
    expect(
      wire(await client.GET("/v1.0/service_agents/extensions/{id}", { params: { path: { id: notMine.id } } })).status,
    ).toBe(404);
  });

  it("PostServiceAgentsFilesWithBody (the SDK's form: the file part only), GetServiceAgentsFiles, GetServiceAgentsFilesId, DeleteServiceAgentsFilesId", async () => {
    const client = sdk(agent.jwt);
    // writer.CreateFormFile("file", name); PostServiceAgentsFilesWithBody(ctx, writer.FormDataContentType(), body)
    const uploaded = expectGo(
      await client.POST("/v1.0/service_agents/files", goUpload("greeting.wav", new TextEncoder().encode("RIFF"))),
      FileModel,
    );
    expect(uploaded).toMatchObject({ owner_id: agent.id, filename: "greeting.wav", filesize: 4, type: "talk" });

    // A file of the customer's admin is not the agent's.
    const admins = expectGo(
      await sdk(owner.key).POST("/v1.0/storage_files", goUpload("admin.wav", new TextEncoder().encode("RIFF"))),
      FileModel,
    );

    const files = expectGoList(
      await client.GET("/v1.0/service_agents/files", { params: { query: { page_size: 10 } } }),
      FileModel,
    );
    expect(files.map((f) => f.id)).toEqual([uploaded.id]);
    expect(
      expectGo(
        await client.GET("/v1.0/service_agents/files/{id}", { params: { path: { id: uploaded.id } } }),
        FileModel,
      ).filename,
    ).toBe("greeting.wav");
    expect(
      wire(await client.GET("/v1.0/service_agents/files/{id}", { params: { path: { id: admins.id } } })).status,
    ).toBe(404);
    expect(
      wire(await client.DELETE("/v1.0/service_agents/files/{id}", { params: { path: { id: admins.id } } })).status,
    ).toBe(404);

    expect(
      expectGo(
        await client.DELETE("/v1.0/service_agents/files/{id}", { params: { path: { id: uploaded.id } } }),
        FileModel,
      ).id,
    ).toBe(uploaded.id);
    expect(
      wire(await client.GET("/v1.0/service_agents/files/{id}", { params: { path: { id: uploaded.id } } })).status,
    ).toBe(404);
  });
});
