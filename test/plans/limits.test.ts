import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import readme from "../../README.md?raw";
import { PLAN_LIMITS, PLAN_TYPES, type LimitedResource } from "../../src/plans/table";
import { fetchWithDb, seamD1, writesTo } from "../helpers/d1-seam";
import { adminLogin, api, createCustomer, expectError, type ApiResponse, type TestCustomer } from "../helpers";
import { countRows } from "../helpers/lifecycle";
import { changePlan, seedKind, setPlan, type Plan } from "../helpers/plans";
import { createResource, validBody, verifyIdentity } from "../helpers/resources";

// Issue 17: plans limit what a customer may create; the limit holds under concurrency, a
// downgrade keeps what exists, an upgrade allows more again.

const KIND_OF: Record<LimitedResource, "agents" | "extensions" | "queues" | "trunks" | "numbers" | "flows"> = {
  agents: "agents",
  extensions: "extensions",
  queues: "queues",
  trunks: "trunks",
  virtual_numbers: "numbers",
  flows: "flows",
};
const resources = Object.keys(KIND_OF) as LimitedResource[];

/** Rows of a limited resource the customer has (virtual numbers: the +899 ones). */
async function counted(customerId: string, resource: LimitedResource): Promise<number> {
  if (resource !== "virtual_numbers") return countRows(KIND_OF[resource], customerId);
  const row = await env.DB.prepare("SELECT count(*) AS n FROM numbers WHERE customer_id = ? AND number LIKE '+899%'")
    .bind(customerId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** Brings the customer to `target` rows of `resource` (the admin and guest agents are there already). */
async function seedTo(c: TestCustomer, resource: LimitedResource, target: number) {
  await seedKind(c.id, resource, target - (await counted(c.id, resource)));
  expect(await counted(c.id, resource)).toBe(target);
}

const create = (c: TestCustomer, resource: LimitedResource) =>
  api("POST", `/v1.0/${KIND_OF[resource]}`, { token: c.token, body: validBody(KIND_OF[resource]) });

function expectLimit(res: ApiResponse, resource: LimitedResource, plan: Plan, limit: number) {
  expectError(res, 429, "RESOURCE_EXHAUSTED", "RESOURCE_LIMIT_EXCEEDED");
  // Waiting does not help: no Retry-After, unlike the rate limits.
  expect(res.headers.get("Retry-After")).toBeNull();
  expect(res.body.error.details).toEqual([{ resource, plan_type: plan, limit }]);
}

describe("each limited kind is refused at its plan's limit (429 RESOURCE_LIMIT_EXCEEDED)", () => {
  for (const plan of PLAN_TYPES) {
    it(`${plan}: one below the limit creates, at the limit refuses, and nothing is written`, async () => {
      const c = await createCustomer();
      if (plan !== "free") await setPlan(c, plan); // free is what a customer without a billing account has
      for (const resource of resources) {
        const limit = PLAN_LIMITS[plan][resource];
        if (limit === 0) {
          // Unlimited: well past the largest plan's limit, creating still works.
          await seedTo(c, resource, 600);
          expect((await create(c, resource)).status, resource).toBe(200);
          expect(await counted(c.id, resource)).toBe(601);
          continue;
        }
        await seedTo(c, resource, limit - 1);
        const last = await create(c, resource);
        expect(last.status, `${plan} ${resource}: ${JSON.stringify(last.body)}`).toBe(200);
        expectLimit(await create(c, resource), resource, plan, limit);
        expect(await counted(c.id, resource), `${plan} ${resource}`).toBe(limit);
      }
    });
  }

  it("the guest agent counts, as on the platform: a free customer creates 3 agents beside its admin and guest", async () => {
    const c = await createCustomer();
    const listed = await api("GET", "/v1.0/agents", { token: c.token });
    expect(listed.body.result).toHaveLength(2);
    for (let i = 0; i < 3; i++) expect((await create(c, "agents")).status).toBe(200);
    expectLimit(await create(c, "agents"), "agents", "free", 5);
  });

  it("numbers outside +899 are not limited; virtual ones are, and PSTN ones do not use up their allowance", async () => {
    const c = await createCustomer();
    await verifyIdentity(c.id);
    await seedKind(c.id, "pstn_numbers", 20);
    await seedTo(c, "virtual_numbers", 4);
    expect((await create(c, "virtual_numbers")).status).toBe(200);
    expectLimit(await create(c, "virtual_numbers"), "virtual_numbers", "free", 5);
    const pstn = await api("POST", "/v1.0/numbers", { token: c.token, body: { number: "+15550001234" } });
    expect(pstn.status, JSON.stringify(pstn.body)).toBe(200);
    expect(pstn.body.type).toBe("normal");
  });

  it("other customers' rows never count", async () => {
    const [a, b] = await Promise.all([createCustomer(), createCustomer()]);
    await seedKind(a.id, "trunks", 50);
    expect((await create(b, "trunks")).status).toBe(200);
    expectLimit(await create(b, "trunks"), "trunks", "free", 1);
  });

  it("the README's table says what src/plans/table.ts says", () => {
    const section = readme.slice(readme.indexOf("## Plans and limits"));
    const header = section.split("\n").find((l) => l.startsWith("| plan "));
    expect(header?.split("|").map((c) => c.trim())).toEqual([
      "",
      "plan",
      "agents",
      "extensions",
      "queues",
      "trunks",
      "virtual numbers",
      "flows",
      "",
    ]);
    for (const plan of PLAN_TYPES) {
      const row = section.split("\n").find((l) => l.startsWith(`| ${plan} `));
      const cells = row
        ?.split("|")
        .slice(2, -1)
        .map((c) => Number(c.trim().replaceAll(",", "")));
      expect(cells, plan).toEqual(resources.map((r) => PLAN_LIMITS[plan][r]));
    }
  });

  it("the OpenAPI document gives each limited create its 429, and the upload its quota 429", async () => {
    const doc = (await api("GET", "/openapi.json")).body;
    for (const kind of ["agents", "extensions", "queues", "trunks", "numbers", "flows"])
      expect(doc.paths[`/v1.0/${kind}`].post.responses["429"].description, kind).toMatch(/RESOURCE_LIMIT_EXCEEDED/);
    for (const kind of ["tags", "files", "contacts"])
      expect(doc.paths[`/v1.0/${kind}`].post.responses["429"], kind).toBeUndefined();
    expect(doc.paths["/v1.0/storage_files"].post.responses["429"].description).toMatch(/STORAGE_QUOTA_EXCEEDED/);
    expect(doc.paths["/v1.0/billing_accounts/{id}/plan_type"].put).toBeDefined();
  });
});

describe("the plan: the default billing account's plan_type, else DEFAULT_PLAN_TYPE", () => {
  it("without a default billing account the customer has DEFAULT_PLAN_TYPE", async () => {
    const c = await createCustomer();
    const basic = { DEFAULT_PLAN_TYPE: "basic" };
    const post = () =>
      fetchWithDb(env.DB, "POST", "/v1.0/trunks", { token: c.token, body: validBody("trunks"), vars: basic });
    expect((await create(c, "trunks")).status).toBe(200);
    expectLimit(await create(c, "trunks"), "trunks", "free", 1);
    // The same customer under another configuration: basic allows 5.
    for (let i = 0; i < 4; i++) expect((await post()).status).toBe(200);
    const refused = await post();
    expect(refused.status).toBe(429);
    expect(refused.body.error.details).toEqual([{ resource: "trunks", plan_type: "basic", limit: 5 }]);
  });

  it("settings that name no plan or no size stop the service (src/config.ts), never mean unlimited", async () => {
    const c = await createCustomer();
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      for (const vars of [{ DEFAULT_PLAN_TYPE: "enterprise" }, { STORAGE_QUOTA_BYTES: "10GB" }]) {
        const res = await fetchWithDb(env.DB, "POST", "/v1.0/trunks", {
          token: c.token,
          body: validBody("trunks"),
          vars,
        });
        expect(res.status).toBe(500);
        expect(res.body.error.reason).toBe("MISCONFIGURED");
        expect(logged.mock.calls.flat().join("\n")).toContain(Object.keys(vars)[0]);
      }
    } finally {
      logged.mockRestore();
    }
    expect(await countRows("trunks", c.id)).toBe(0);
  });

  it("only the default billing account's plan counts; deleting it falls back to the default plan", async () => {
    const c = await createCustomer();
    const pro = await setPlan(c, "professional");
    await seedTo(c, "queues", 5);
    expect((await create(c, "queues")).status).toBe(200);
    // Another account of its own, still free, made the default: the free limit applies.
    const other = await createResource(c.token, "billing_accounts");
    const moved = await api("PUT", "/v1.0/customer/billing_account_id", {
      token: c.token,
      body: { billing_account_id: other.id },
    });
    expect(moved.status).toBe(200);
    expectLimit(await create(c, "queues"), "queues", "free", 2);
    await api("PUT", "/v1.0/customer/billing_account_id", { token: c.token, body: { billing_account_id: pro } });
    expect((await create(c, "queues")).status).toBe(200);
    expect((await api("DELETE", `/v1.0/billing_accounts/${pro}`, { token: c.token })).status).toBe(200);
    expectLimit(await create(c, "queues"), "queues", "free", 2);
  });

  it("plan_type is read-only to customers; the operator sets it (ProjectSuperAdmin only)", async () => {
    const c = await createCustomer();
    const made = await api("POST", "/v1.0/billing_accounts", {
      token: c.token,
      body: { name: "mine", plan_type: "unlimited" },
    });
    expect(made.status).toBe(200);
    expect(made.body.plan_type).toBe("free");
    expect(made.headers.get("X-Ignored-Fields")).toContain("plan_type");
    const put = await api("PUT", `/v1.0/billing_accounts/${made.body.id}`, {
      token: c.token,
      body: { plan_type: "unlimited" },
    });
    expect(put.body.plan_type).toBe("free");
    expect(put.headers.get("X-Ignored-Fields")).toContain("plan_type");
    const path = `/v1.0/billing_accounts/${made.body.id}/plan_type`;
    expectError(await api("PUT", path, { token: c.token, body: { plan_type: "unlimited" } }), 403, "PERMISSION_DENIED");

    const admin = await adminLogin();
    const set = await api("PUT", path, { token: admin, body: { plan_type: "basic" } });
    expect(set.status).toBe(200);
    expect(set.body.plan_type).toBe("basic");
    expect(set.headers.get("ETag")).toBeTruthy();
    expect((await api("GET", `/v1.0/billing_accounts/${made.body.id}`, { token: c.token })).body.plan_type).toBe(
      "basic",
    );
    expectError(await api("PUT", path, { token: admin, body: { plan_type: "gold" } }), 400, "INVALID_ARGUMENT");
    expectError(
      await api("PUT", path, { token: admin, body: { plan_type: "basic", balance: 5 } }),
      400,
      "INVALID_ARGUMENT",
    );
    for (const id of [crypto.randomUUID(), "not-a-uuid"])
      expectError(
        await api("PUT", `/v1.0/billing_accounts/${id}/plan_type`, { token: admin, body: { plan_type: "basic" } }),
        404,
        "NOT_FOUND",
      );
  });
});

describe("downgrade and upgrade", () => {
  it("a downgrade keeps every row and refuses creates until under the limit; an upgrade allows them again", async () => {
    const c = await createCustomer();
    const account = await setPlan(c, "unlimited");
    const made = [];
    for (let i = 0; i < 4; i++) made.push(await createResource(c.token, "queues"));

    await changePlan(account, "free");
    const listed = await api("GET", "/v1.0/queues", { token: c.token });
    expect(listed.body.result.map((q: { id: string }) => q.id).sort()).toEqual(made.map((q) => q.id).sort());
    // Reads and updates of what exists go on.
    const renamed = await api("PUT", `/v1.0/queues/${made[0].id}`, { token: c.token, body: { name: "kept" } });
    expect(renamed.status).toBe(200);
    expectLimit(await create(c, "queues"), "queues", "free", 2);

    // Down to the limit is not under it; one below is.
    for (const q of made.slice(0, 2))
      expect((await api("DELETE", `/v1.0/queues/${q.id}`, { token: c.token })).status).toBe(200);
    expectLimit(await create(c, "queues"), "queues", "free", 2);
    expect((await api("DELETE", `/v1.0/queues/${made[2].id}`, { token: c.token })).status).toBe(200);
    expect((await create(c, "queues")).status).toBe(200);
    expectLimit(await create(c, "queues"), "queues", "free", 2);

    await changePlan(account, "basic");
    expect((await create(c, "queues")).status).toBe(200);
    expect(await countRows("queues", c.id)).toBe(3);
  });
});

describe("the limit holds under concurrency (forced interleaving)", () => {
  /**
   * Holds every INSERT into `table` until `n` of them are waiting, then lets them all go: each
   * request has passed every check before any of them writes.
   */
  function barrierBeforeInsert(table: string, n: number) {
    let waiting = 0;
    let release!: () => void;
    const open = new Promise<void>((resolve) => {
      release = resolve;
    });
    const db = seamD1(async (sqls) => {
      if (!writesTo(table)(sqls) || !sqls.some((s) => /^\s*insert/i.test(s))) return;
      waiting++;
      if (waiting === n) release();
      await open;
    });
    return { db, reached: () => waiting };
  }

  for (const [resource, plan, n] of [
    ["queues", "free", 8],
    ["agents", "basic", 6],
    ["virtual_numbers", "professional", 6],
  ] as const) {
    it(`${n} parallel ${resource} creates at ${plan}'s limit − 1: exactly one succeeds`, async () => {
      const c = await createCustomer();
      if (plan !== "free") await setPlan(c, plan);
      const limit = PLAN_LIMITS[plan][resource];
      await seedTo(c, resource, limit - 1);
      const { db, reached } = barrierBeforeInsert(KIND_OF[resource], n);
      const results = await Promise.all(
        Array.from({ length: n }, () =>
          fetchWithDb(db, "POST", `/v1.0/${KIND_OF[resource]}`, { token: c.token, body: validBody(KIND_OF[resource]) }),
        ),
      );
      expect(reached()).toBe(n);
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, ...Array(n - 1).fill(429)]);
      for (const r of results.filter((x) => x.status === 429)) {
        expect(r.body.error.reason).toBe("RESOURCE_LIMIT_EXCEEDED");
        expect(r.headers.get("Retry-After")).toBeNull();
      }
      expect(await counted(c.id, resource)).toBe(limit);
    });
  }
});

describe("the check costs no round trip", () => {
  /** D1 calls (statements run alone, and batches) one request makes. */
  async function d1Calls(token: string, kind: string) {
    let calls = 0;
    const db = seamD1(() => {
      calls++;
    });
    const res = await fetchWithDb(db, "POST", `/v1.0/${kind}`, { token, body: validBody(kind as "queues") });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return calls;
  }

  it("a create on a limited plan makes as many D1 calls as on the unlimited plan, and as a kind no plan limits", async () => {
    const [limited, unlimited] = await Promise.all([createCustomer(), createCustomer()]);
    await setPlan(limited, "basic");
    await setPlan(unlimited, "unlimited");
    const onLimited = await d1Calls(limited.token, "queues");
    expect(onLimited).toBe(await d1Calls(unlimited.token, "queues"));
    expect(onLimited).toBe(await d1Calls(limited.token, "tags"));
  });
});
