import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { adminLogin, api, createCustomer, expectError, ZERO_UUID, type TestCustomer } from "../helpers";
import { fetchWithDb, seamD1, writesTo } from "../helpers/d1-seam";
import { createResource } from "../helpers/resources";

// Issue 12 #7 and #8: races on owned resources, each forced by a seam that runs the concurrent
// write exactly between the route's read and its own write.

let a: TestCustomer;
beforeAll(async () => {
  a = await createCustomer();
});

const bumpVersion = (table: string, id: string) =>
  env.DB.prepare(`UPDATE ${table} SET version = version + 1 WHERE id = ?`).bind(id).run();
const versionOf = async (table: string, id: string) =>
  (await env.DB.prepare(`SELECT version FROM ${table} WHERE id = ?`).bind(id).first<{ version: number }>())!.version;

describe("concurrent updates of one resource never answer 5xx (#7)", () => {
  it("a tag updated while another writer changes it before every write: the update applies (200), nothing lost", async () => {
    const tag = await createResource(a.token, "tags");
    let injected = 0;
    // Before each UPDATE of the tag, someone else writes it first.
    const db = seamD1(async (sqls) => {
      if (writesTo("tags")(sqls)) {
        injected++;
        await bumpVersion("tags", tag.id);
      }
    });
    const res = await fetchWithDb(db, "PUT", `/v1.0/tags/${tag.id}`, { token: a.token, body: { name: "mine" } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.name).toBe("mine");
    expect(injected).toBe(1);
    // Both writes counted: the other writer's and this one.
    expect(await versionOf("tags", tag.id)).toBe(3);
  });

  it("eight parallel PUTs of one tag all succeed, and each is one version", async () => {
    const tag = await createResource(a.token, "tags");
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        api("PUT", `/v1.0/tags/${tag.id}`, { token: a.token, body: { detail: `writer ${i}` } }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(await versionOf("tags", tag.id)).toBe(9);
  });

  it("If-Match still refuses a stale write in the single statement (412)", async () => {
    const tag = await createResource(a.token, "tags");
    await bumpVersion("tags", tag.id);
    const res = await api("PUT", `/v1.0/tags/${tag.id}`, {
      token: a.token,
      body: { name: "late" },
      headers: { "If-Match": '"1"' },
    });
    expectError(res, 412, "FAILED_PRECONDITION", "ETAG_MISMATCH");
  });

  it("If-Match per RFC 9110 inside the single statement: a list matches any member, weak and unissued tags never", async () => {
    const tag = await createResource(a.token, "tags");
    const put = (ifMatch: string) =>
      api("PUT", `/v1.0/tags/${tag.id}`, {
        token: a.token,
        body: { detail: ifMatch },
        headers: { "If-Match": ifMatch },
      });
    expectError(await put('W/"1"'), 412, "FAILED_PRECONDITION", "ETAG_MISMATCH");
    expectError(await put('"stale-etag"'), 412, "FAILED_PRECONDITION", "ETAG_MISMATCH");
    expect((await put('"7", "1"')).status).toBe(200);
    expect((await put("*")).status).toBe(200);
    expectError(
      await api("PUT", `/v1.0/tags/${crypto.randomUUID()}`, {
        token: a.token,
        body: { name: "x" },
        headers: { "If-Match": '"1"' },
      }),
      404,
      "NOT_FOUND",
    );
  });

  it("a rule-guarded update (agent permission) that keeps losing the race answers 409 ABORTED, not 500", async () => {
    const agent = await createResource(a.token, "agents");
    const db = seamD1(async (sqls) => {
      if (writesTo("agents")(sqls)) await bumpVersion("agents", agent.id);
    });
    const res = await fetchWithDb(db, "PUT", `/v1.0/agents/${agent.id}`, { token: a.token, body: { permission: 64 } });
    expectError(res, 409, "ABORTED", "CONCURRENT_UPDATE");
    expect((await api("GET", `/v1.0/agents/${agent.id}`, { token: a.token })).body.permission).toBe(16);
  });
});

describe("the default billing account never dangles (#8)", () => {
  const defaultOf = async (token: string) => (await api("GET", "/v1.0/customer", { token })).body.billing_account_id;

  it("set by the customer while the account is deleted between check and write: 404, default unchanged", async () => {
    const c = await createCustomer();
    const account = await createResource(c.token, "billing_accounts");
    let deleted = false;
    // Just before the customer row is written, the account is deleted (through the API).
    const db = seamD1(async (sqls) => {
      if (!deleted && writesTo("customers")(sqls)) {
        deleted = true;
        expect((await api("DELETE", `/v1.0/billing_accounts/${account.id}`, { token: c.token })).status).toBe(200);
      }
    });
    const res = await fetchWithDb(db, "PUT", "/v1.0/customer/billing_account_id", {
      token: c.token,
      body: { billing_account_id: account.id },
    });
    expect(deleted).toBe(true);
    expectError(res, 404, "NOT_FOUND");
    expect(await defaultOf(c.token)).toBe(ZERO_UUID);
  });

  it("set by the operator while the account is deleted between check and write: 404, default unchanged", async () => {
    const c = await createCustomer();
    const account = await createResource(c.token, "billing_accounts");
    const admin = await adminLogin();
    let deleted = false;
    const db = seamD1(async (sqls) => {
      if (!deleted && writesTo("customers")(sqls)) {
        deleted = true;
        expect((await api("DELETE", `/v1.0/billing_accounts/${account.id}`, { token: c.token })).status).toBe(200);
      }
    });
    const res = await fetchWithDb(db, "PUT", `/v1.0/customers/${c.id}/billing_account_id`, {
      token: admin,
      body: { billing_account_id: account.id },
    });
    expect(deleted).toBe(true);
    expectError(res, 404, "NOT_FOUND");
    expect(await defaultOf(c.token)).toBe(ZERO_UUID);
  });

  it("the other order: set between the deletion's read and its batch, the deletion still resets the default", async () => {
    const c = await createCustomer();
    const account = await createResource(c.token, "billing_accounts");
    let set = false;
    const db = seamD1(async (sqls) => {
      if (!set && writesTo("billing_accounts")(sqls)) {
        set = true;
        expect(
          (
            await api("PUT", "/v1.0/customer/billing_account_id", {
              token: c.token,
              body: { billing_account_id: account.id },
            })
          ).status,
        ).toBe(200);
      }
    });
    const res = await fetchWithDb(db, "DELETE", `/v1.0/billing_accounts/${account.id}`, { token: c.token });
    expect(set).toBe(true);
    expect(res.status).toBe(200);
    expect(await defaultOf(c.token)).toBe(ZERO_UUID);
  });
});

describe("concurrent updates of one customer never answer 5xx", () => {
  it("a customer update that keeps losing the compare-and-set answers 409 ABORTED, and nothing is written", async () => {
    const c = await createCustomer();
    const before = await versionOf("customers", c.id);
    let injected = 0;
    // Another writer changes the row just before every write of this request.
    const db = seamD1(async (sqls) => {
      if (writesTo("customers")(sqls)) {
        injected++;
        await bumpVersion("customers", c.id);
      }
    });
    const res = await fetchWithDb(db, "PUT", "/v1.0/customer", { token: c.token, body: { detail: "lost every race" } });
    expectError(res, 409, "ABORTED", "CONCURRENT_UPDATE");
    expect(injected).toBeGreaterThan(1);
    expect(await versionOf("customers", c.id)).toBe(before + injected);
    expect((await api("GET", "/v1.0/customer", { token: c.token })).body.detail).not.toBe("lost every race");
  });
});
