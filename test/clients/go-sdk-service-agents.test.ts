import { beforeAll, describe, expect, it } from "vitest";
import { login, unique } from "../helpers";
import { createResource, validBody } from "../helpers/resources";
import { AgentModel, ExtensionWithoutPassword, FileModel } from "./go-sdk-models";
import { customerWithKey, expectGo, expectGoList, type GoModel, goMultipartFile, sdk } from "./replay";

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
  owner = await customerWithKey();
  agent = await newAgent();
});

/** CustomerManagerCustomer as the agent's view fills it: the platform answers only these. */
const ServiceAgentCustomerModel: GoModel = { id: "string", name: "string", detail: "string", tm_create: "string" };

describe("go sdk service_agents: the logged-in agent", () => {
  it("GetServiceAgentsMe, PutServiceAgentsMe (struct order detail, name, ring_method), PutServiceAgentsMeAddresses, PutServiceAgentsMeStatus", async () => {
    const client = sdk(agent.jwt);
    const me = expectGo(await client.get("/service_agents/me"), AgentModel);
    expect(me).toMatchObject({ id: agent.id, username: agent.username, customer_id: owner.id, permission: 16 });

    // PutServiceAgentsMeJSONBody: plain strings, no omitempty: all three go out.
    const put = expectGo(
      await client.put("/service_agents/me", { detail: "console", name: "Console Agent", ring_method: "linear" }),
      AgentModel,
    );
    expect(put).toMatchObject({ id: me.id, detail: "console", name: "Console Agent", ring_method: "linear" });

    // CommonAddress: every field omitempty.
    const addresses = [{ target: "+15551112222", type: "tel" }];
    const withAddresses = expectGo(await client.put("/service_agents/me/addresses", { addresses }), AgentModel);
    expect(withAddresses.addresses).toEqual([expect.objectContaining(addresses[0])]);

    expect(expectGo(await client.put("/service_agents/me/status", { status: "available" }), AgentModel).status).toBe(
      "available",
    );
    expect(expectGo(await client.get("/service_agents/me"), AgentModel)).toMatchObject({
      name: "Console Agent",
      status: "available",
    });
  });

  it("PutServiceAgentsMePassword: the new password signs in; the old JWT no longer does", async () => {
    const self = await newAgent();
    expectGo(await sdk(self.jwt).put("/service_agents/me/password", { password: "console-password-2" }), AgentModel);
    expect((await sdk(self.jwt).get("/service_agents/me")).status).toBe(401);
    expectGo(await sdk(await login(self.username, "console-password-2")).get("/service_agents/me"), AgentModel);
  });

  it("with an access key, every call answers 401: a key is not an agent", async () => {
    const key = sdk(owner.key);
    for (const res of [
      await key.get("/service_agents/me"),
      await key.get("/service_agents/customer"),
      await key.get("/service_agents/extensions", { page_size: "10" }),
      await key.put("/service_agents/me/status", { status: "available" }),
    ]) {
      expect(res.status, res.text).toBe(401);
      expect(res.json.error.reason).toBe("AGENT_TOKEN_REQUIRED");
    }
  });
});

describe("go sdk service_agents: the agent's view of its customer", () => {
  it("GetServiceAgentsCustomer decodes into CustomerManagerCustomer: the limited view, no secrets", async () => {
    const customer = expectGo(await sdk(agent.jwt).get("/service_agents/customer"), ServiceAgentCustomerModel);
    expect(customer.id).toBe(owner.id);
    for (const field of ["webhook_secret", "email", "phone_number", "address", "webhook_uri"]) {
      expect(customer).not.toHaveProperty(field);
    }
  });

  it("GetServiceAgentsAgents, GetServiceAgentsAgentsId (page_size as the SDK sends it)", async () => {
    const client = sdk(agent.jwt);
    const agents = expectGoList(await client.get("/service_agents/agents", { page_size: "10" }), AgentModel);
    expect(agents.every((a) => a.customer_id === owner.id)).toBe(true);
    expect(expectGo(await client.get(`/service_agents/agents/${agent.id}`), AgentModel).id).toBe(agent.id);
  });

  it("GetServiceAgentsExtensions, GetServiceAgentsExtensionsId: the agent's own, without the SIP password", async () => {
    const client = sdk(agent.jwt);
    const mine = await createResource(owner.token, "extensions");
    const notMine = await createResource(owner.token, "extensions");
    expectGo(
      await client.put("/service_agents/me/addresses", { addresses: [{ target: mine.id, type: "extension" }] }),
      AgentModel,
    );
    const list = expectGoList(
      await client.get("/service_agents/extensions", { page_size: "10" }),
      ExtensionWithoutPassword,
    );
    expect(list.map((e) => e.id)).toEqual([mine.id]);
    const one = expectGo(await client.get(`/service_agents/extensions/${mine.id}`), ExtensionWithoutPassword);
    expect(one).toMatchObject({ id: mine.id, extension: mine.extension, domain_name: owner.id });
    expect(one).not.toHaveProperty("password");
    expect((await client.get(`/service_agents/extensions/${notMine.id}`)).status).toBe(404);
  });

  it("PostServiceAgentsFilesWithBody (the SDK's form: the file part only), GetServiceAgentsFiles, GetServiceAgentsFilesId, DeleteServiceAgentsFilesId", async () => {
    const client = sdk(agent.jwt);
    // writer.CreateFormFile("file", name); PostServiceAgentsFilesWithBody(ctx, writer.FormDataContentType(), body)
    const { contentType, body } = goMultipartFile("greeting.wav", new TextEncoder().encode("RIFF"));
    const uploaded = expectGo(await client.raw("POST", "/service_agents/files", contentType, body), FileModel);
    expect(uploaded).toMatchObject({ owner_id: agent.id, filename: "greeting.wav", filesize: 4, type: "talk" });

    // A file of the customer's admin is not the agent's.
    const form = goMultipartFile("admin.wav", new TextEncoder().encode("RIFF"));
    const admins = await sdk(owner.key).raw("POST", "/storage_files", form.contentType, form.body);
    expect(admins.status, admins.text).toBe(200);

    const files = expectGoList(await client.get("/service_agents/files", { page_size: "10" }), FileModel);
    expect(files.map((f) => f.id)).toEqual([uploaded.id]);
    expect(expectGo(await client.get(`/service_agents/files/${uploaded.id}`), FileModel).filename).toBe("greeting.wav");
    expect((await client.get(`/service_agents/files/${admins.json.id}`)).status).toBe(404);
    expect((await client.delete(`/service_agents/files/${admins.json.id}`)).status).toBe(404);

    expect(expectGo(await client.delete(`/service_agents/files/${uploaded.id}`), FileModel).id).toBe(uploaded.id);
    expect((await client.get(`/service_agents/files/${uploaded.id}`)).status).toBe(404);
  });
});
