import { beforeAll, describe, expect, it } from "vitest";
import { login, unique } from "../helpers";
import { createResource, validBody } from "../resource-helpers";
import { AgentModel, CustomerModel, ExtensionModel, FileModel } from "./go-sdk-models";
import { customerWithKey, expectGo, expectGoList, goMultipartFile, sdk } from "./replay";

/**
 * voipbin/voipbin-go's /service_agents/* calls this service serves (gens/voipbin_client/gen.go):
 * GetServiceAgentsMe, PutServiceAgentsMe{,Addresses,Status,Password}, GetServiceAgentsCustomer,
 * GetServiceAgentsAgents{,Id}, GetServiceAgentsExtensions{,Id}, GetServiceAgentsFiles{,Id}.
 * The SDK's only transport puts its credential in `?accesskey=`: an agent console hands it the
 * agent's JWT from PostAuthLogin (an access key is not an agent, so `me` writes need the JWT).
 */

let owner: Awaited<ReturnType<typeof customerWithKey>>;
let agent: { username: string; password: string; jwt: string };

beforeAll(async () => {
  owner = await customerWithKey();
  const body: Record<string, unknown> = {
    ...validBody("agents"),
    username: `${unique("sa")}@example.com`,
    permission: 16,
  };
  await createResource(owner.token, "agents", body);
  agent = {
    username: body.username as string,
    password: body.password as string,
    jwt: await login(body.username as string, body.password as string),
  };
});

describe("go sdk service_agents: the logged-in agent", () => {
  it("GetServiceAgentsMe, PutServiceAgentsMe (struct order detail, name, ring_method), PutServiceAgentsMeAddresses, PutServiceAgentsMeStatus", async () => {
    const client = sdk(agent.jwt);
    const me = expectGo(await client.get("/service_agents/me"), AgentModel);
    expect(me).toMatchObject({ username: agent.username, customer_id: owner.id, permission: 16 });

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
    const body: Record<string, unknown> = {
      ...validBody("agents"),
      username: `${unique("sa")}@example.com`,
      permission: 16,
    };
    await createResource(owner.token, "agents", body);
    const jwt = await login(body.username as string, body.password as string);
    expectGo(await sdk(jwt).put("/service_agents/me/password", { password: "console-password-2" }), AgentModel);
    expect((await sdk(jwt).get("/service_agents/me")).status).toBe(401);
    expectGo(
      await sdk(await login(body.username as string, "console-password-2")).get("/service_agents/me"),
      AgentModel,
    );
  });

  it("GetServiceAgentsMe with an access key answers the key in the agent shape", async () => {
    const me = expectGo(await sdk(owner.key).get("/service_agents/me"), AgentModel);
    expect(me.customer_id).toBe(owner.id);
  });
});

describe("go sdk service_agents: the customer's data, read-only", () => {
  it("GetServiceAgentsCustomer decodes into CustomerManagerCustomer, with no webhook_secret", async () => {
    const customer = expectGo(await sdk(agent.jwt).get("/service_agents/customer"), CustomerModel);
    expect(customer.id).toBe(owner.id);
    expect(customer).not.toHaveProperty("webhook_secret");
  });

  it("GetServiceAgentsAgents/AgentsId, GetServiceAgentsExtensions/ExtensionsId, GetServiceAgentsFiles/FilesId (page_size as the SDK sends it)", async () => {
    const client = sdk(agent.jwt);
    const extension = await createResource(owner.token, "extensions");
    const { contentType, body } = goMultipartFile("greeting.wav", new TextEncoder().encode("RIFF"));
    const upload = await sdk(owner.key).raw("POST", "/storage_files", contentType, body);
    expect(upload.status, upload.text).toBe(200);

    const agents = expectGoList(await client.get("/service_agents/agents", { page_size: "10" }), AgentModel);
    expect(agents.every((a) => a.customer_id === owner.id)).toBe(true);
    expect(expectGo(await client.get(`/service_agents/agents/${agents[0].id}`), AgentModel).id).toBe(agents[0].id);

    const extensions = expectGoList(
      await client.get("/service_agents/extensions", { page_size: "10" }),
      ExtensionModel,
    );
    expect(extensions.map((e) => e.id)).toContain(extension.id);
    const one = expectGo(await client.get(`/service_agents/extensions/${extension.id}`), ExtensionModel);
    expect(one).not.toHaveProperty("password");

    expect(
      expectGoList(await client.get("/service_agents/files", { page_size: "10" }), FileModel).map((f) => f.id),
    ).toContain(upload.json.id);
    expect(expectGo(await client.get(`/service_agents/files/${upload.json.id}`), FileModel).filename).toBe(
      "greeting.wav",
    );
  });
});
