import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { resourceKinds } from "../../src/db/owned";
import { PLAN_LIMITS } from "../../src/plans/table";
import { fetchWithDb, seamD1 } from "../helpers/d1-seam";
import { adminLogin, api, createAccesskey, createCustomer, expectError, login, unique } from "../helpers";
import { changePlan, seedKind, setPlan } from "../helpers/plans";
import { createResource, validBody } from "../helpers/resources";

// Issue 17 #4: what a customer uses against what its plan allows, exact, in one D1 round trip.

const USAGE_KEYS = [...resourceKinds, "virtual_numbers"].sort();

const ownUsage = async (token: string) => {
  const res = await api("GET", "/v1.0/customer/usage", { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const operatorUsage = async (id: string) => {
  const res = await api("GET", `/v1.0/customers/${id}/usage`, { token: await adminLogin() });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const counts = (usage: any) =>
  Object.fromEntries(Object.entries(usage.resources).map(([k, v]) => [k, (v as { count: number }).count]));

async function actualCounts(customerId: string) {
  const out: Record<string, number> = {};
  for (const kind of resourceKinds)
    out[kind] = (await env.DB.prepare(`SELECT count(*) AS n FROM ${kind} WHERE customer_id = ?`)
      .bind(customerId)
      .first<{ n: number }>())!.n;
  out.virtual_numbers = (await env.DB.prepare(
    "SELECT count(*) AS n FROM numbers WHERE customer_id = ? AND number LIKE '+899%'",
  )
    .bind(customerId)
    .first<{ n: number }>())!.n;
  return out;
}

describe("GET /v1.0/customer/usage and GET /v1.0/customers/{id}/usage", () => {
  it("answers the plan, each kind's count and limit, and the storage totals", async () => {
    const c = await createCustomer();
    const usage = await ownUsage(c.token);
    expect(usage.customer_id).toBe(c.id);
    expect(usage.plan_type).toBe("free");
    expect(Object.keys(usage.resources).sort()).toEqual(USAGE_KEYS);
    expect(usage.resources.agents).toEqual({ count: 2, limit: 5 }); // the admin and the guest
    expect(usage.resources.virtual_numbers).toEqual({ count: 0, limit: 5 });
    expect(usage.resources.numbers).toEqual({ count: 0, limit: 0 });
    expect(usage.resources.flows).toEqual({ count: 0, limit: 10_000 });
    expect(usage.resources.tags).toEqual({ count: 0, limit: 0 });
    expect(usage.storage).toEqual({ total_file_count: 0, total_file_size: 0, quota_bytes: 10 * 1024 ** 3 });
    expect(await operatorUsage(c.id)).toEqual(usage);

    // The limits follow the plan.
    const account = await setPlan(c, "professional");
    const pro = await ownUsage(c.token);
    expect(pro.plan_type).toBe("professional");
    for (const [resource, limit] of Object.entries(PLAN_LIMITS.professional))
      expect(pro.resources[resource].limit, resource).toBe(limit);
    await changePlan(account, "unlimited");
    expect((await ownUsage(c.token)).resources.agents).toEqual({ count: 2, limit: 0 });
  });

  it("counts are exact after creates, deletes and a cascade", async () => {
    const c = await createCustomer();
    await setPlan(c, "unlimited"); // one billing account
    const made: Record<string, { id: string }[]> = {};
    for (const kind of resourceKinds) {
      made[kind] = [];
      for (let i = 0; i < 3; i++) made[kind].push(await createResource(c.token, kind, validBody(kind)));
    }
    await seedKind(c.id, "flows", 1200);
    await seedKind(c.id, "pstn_numbers", 7);
    const upload = new FormData();
    upload.append("file", new File(["0123456789"], "ten.txt", { type: "text/plain" }));
    const up = await fetchWithDb(env.DB, "POST", "/v1.0/storage_files", { token: c.token, form: upload });
    expect(up.status).toBe(200);

    let usage = await ownUsage(c.token);
    expect(counts(usage)).toEqual(await actualCounts(c.id));
    expect(usage.resources.agents.count).toBe(5);
    expect(usage.resources.flows.count).toBe(1203);
    expect(usage.resources.numbers.count).toBe(10);
    expect(usage.resources.virtual_numbers.count).toBe(3);
    expect(usage.resources.files.count).toBe(4);
    expect(usage.resources.billing_accounts.count).toBe(4);
    // Three JSON-recorded files (metadata: no bytes) and the 10-byte upload.
    expect(usage.storage).toMatchObject({ total_file_count: 4, total_file_size: 10 });

    for (const kind of resourceKinds) {
      if (kind === "billing_accounts") continue; // the default one carries the plan
      await api("DELETE", `/v1.0/${kind}/${made[kind]?.[0]?.id}`, { token: c.token });
    }
    usage = await ownUsage(c.token);
    expect(counts(usage)).toEqual(await actualCounts(c.id));
    expect(usage.resources.agents.count).toBe(4);
    expect(usage.resources.virtual_numbers.count).toBe(2);
    expect(usage.storage).toMatchObject({ total_file_count: 3, total_file_size: 10 });
    expect(await operatorUsage(c.id)).toEqual(usage);

    expect((await api("DELETE", `/v1.0/customers/${c.id}`, { token: await adminLogin() })).status).toBe(200);
    await vi.waitFor(
      async () => {
        const receipt = await api("GET", `/v1.0/customers/${c.id}/deletion`, { token: await adminLogin() });
        expect(receipt.body.status).toBe("finished");
      },
      { timeout: 20_000, interval: 100 },
    );
    const after = await operatorUsage(c.id);
    expect(counts(after)).toEqual(Object.fromEntries(USAGE_KEYS.map((k) => [k, 0])));
    expect(after.storage).toMatchObject({ total_file_count: 0, total_file_size: 0 });
  });

  it("one D1 round trip, with a token or an access key; none more for the operator", async () => {
    const c = await createCustomer();
    const key = await createAccesskey(c.token);
    const admin = await adminLogin();
    for (const [path, token] of [
      ["/v1.0/customer/usage", c.token],
      ["/v1.0/customer/usage", key],
      [`/v1.0/customers/${c.id}/usage`, admin],
    ] as const) {
      let calls = 0;
      const db = seamD1(() => {
        calls++;
      });
      const res = await fetchWithDb(db, "GET", path, { token });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.customer_id).toBe(c.id);
      expect(calls, path).toBe(1);
    }
  });

  it("CustomerAdmin and CustomerManager read their own; a CustomerAgent and other callers cannot", async () => {
    const c = await createCustomer();
    const agent = async (permission: number) => {
      const username = `${unique("u")}@example.com`;
      await createResource(c.token, "agents", { username, password: "agent-password-1", permission });
      return login(username, "agent-password-1");
    };
    expect((await api("GET", "/v1.0/customer/usage", { token: await agent(64) })).body.customer_id).toBe(c.id);
    expectError(await api("GET", "/v1.0/customer/usage", { token: await agent(16) }), 403, "PERMISSION_DENIED");
    expectError(await api("GET", "/v1.0/customer/usage"), 401, "UNAUTHENTICATED");
    // The operator has no customer of its own; customers cannot read the operator's view.
    expectError(await api("GET", "/v1.0/customer/usage", { token: await adminLogin() }), 403, "PERMISSION_DENIED");
    expectError(await api("GET", `/v1.0/customers/${c.id}/usage`, { token: c.token }), 403, "PERMISSION_DENIED");
    for (const id of [crypto.randomUUID(), "nope"])
      expectError(await api("GET", `/v1.0/customers/${id}/usage`, { token: await adminLogin() }), 404, "NOT_FOUND");
  });

  it("the OpenAPI document describes both reads", async () => {
    const doc = (await api("GET", "/openapi.json")).body;
    for (const path of ["/v1.0/customer/usage", "/v1.0/customers/{id}/usage"]) {
      const schema = doc.paths[path].get.responses["200"].content["application/json"].schema;
      expect(schema.$ref).toBe("#/components/schemas/CustomerUsage");
    }
    const usage = doc.components.schemas.CustomerUsage;
    expect(Object.keys(usage.properties.resources.properties).sort()).toEqual(USAGE_KEYS);
    expect(usage.properties.plan_type.enum).toEqual(["free", "basic", "professional", "unlimited"]);
  });
});
