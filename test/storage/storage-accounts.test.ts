import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { Permission } from "../../src/db/schema";
import { fetchWithDb, seamD1, writesTo } from "../helpers/d1-seam";
import { adminLogin, api, createAgent, createCustomer, expectError, ISO_UTC, type TestCustomer } from "../helpers";
import { backdate, countRows, runCron, signup } from "../helpers/lifecycle";

// Issue 17 #3: one storage account per customer, totals moved with the file rows, the quota
// checked inside the upload's INSERT.

/** A small quota for the quota's tests (STORAGE_QUOTA_BYTES, per request): a few bytes fill it. */
const QUOTA = 100;
const smallQuota = { STORAGE_QUOTA_BYTES: String(QUOTA) };

function form(bytes: number, name = "f.bin") {
  const f = new FormData();
  f.append("file", new File([new Uint8Array(bytes)], name, { type: "application/octet-stream" }));
  return f;
}
const upload = (c: TestCustomer, bytes: number, db: D1Database = env.DB) =>
  fetchWithDb(db, "POST", "/v1.0/storage_files", { token: c.token, form: form(bytes), vars: smallQuota });

async function objectKeys(customerId: string) {
  return (await env.FILES_BUCKET.list({ prefix: `${customerId}/` })).objects.map((o) => o.key).sort();
}
const own = async (c: TestCustomer) => {
  const res = await api("GET", "/v1.0/storage_account", { token: c.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
async function rowTotals(customerId: string) {
  return env.DB.prepare(
    "SELECT count(*) AS total_file_count, coalesce(sum(size_bytes), 0) AS total_file_size FROM files WHERE customer_id = ?",
  )
    .bind(customerId)
    .first<{ total_file_count: number; total_file_size: number }>();
}
/** A metadata-only file record (JSON create): a file of the customer's with no bytes (filesize is read-only, 0). */
const recordFile = (c: TestCustomer) =>
  fetchWithDb(env.DB, "POST", "/v1.0/files", { token: c.token, body: { filename: "note.txt" }, vars: smallQuota });

describe("every customer has exactly one storage account", () => {
  it("made with the customer (operator-created and signup), read with GET /v1.0/storage_account", async () => {
    const c = await createCustomer();
    const account = await own(c);
    expect(account).toMatchObject({ customer_id: c.id, total_file_count: 0, total_file_size: 0, tm_delete: null });
    expect(account.tm_create).toMatch(ISO_UTC);
    expect(Object.keys(account).sort()).toEqual(
      ["customer_id", "id", "tm_create", "tm_delete", "tm_update", "total_file_count", "total_file_size"].sort(),
    );
    const s = await signup();
    expect(await countRows("storage_accounts", s.body.customer.id)).toBe(1);
  });

  it("CustomerAdmin and CustomerManager read it; a CustomerAgent cannot", async () => {
    const c = await createCustomer();
    const manager = await createAgent(c.id, Permission.CustomerManager);
    expect((await api("GET", "/v1.0/storage_account", { token: manager.token })).body.customer_id).toBe(c.id);
    const agent = await createAgent(c.id, Permission.CustomerAgent);
    expectError(await api("GET", "/v1.0/storage_account", { token: agent.token }), 403, "PERMISSION_DENIED");
  });

  it("its totals follow uploads, JSON records and deletes, in the same batch as the rows", async () => {
    const c = await createCustomer();
    const a = await upload(c, 50);
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect((await upload(c, 20)).status).toBe(200);
    expect((await recordFile(c)).status).toBe(200);
    expect(await own(c)).toMatchObject({ total_file_count: 3, total_file_size: 70 });
    expect((await api("DELETE", `/v1.0/files/${a.body.id}`, { token: c.token })).status).toBe(200);
    const after = await own(c);
    expect(after).toMatchObject({ total_file_count: 2, total_file_size: 20 });
    expect(after).toMatchObject((await rowTotals(c.id))!);
    // A failed delete (another's file) moves nothing.
    const other = await createCustomer();
    const theirs = await upload(other, 7);
    expect((await api("DELETE", `/v1.0/files/${theirs.body.id}`, { token: c.token })).status).toBe(404);
    expect(await own(c)).toMatchObject({ total_file_count: 2, total_file_size: 20 });
  });
});

describe("the storage quota (STORAGE_QUOTA_BYTES)", () => {
  it("an upload past the quota is 429 STORAGE_QUOTA_EXCEEDED and leaves no object and no row", async () => {
    const c = await createCustomer();
    expect((await upload(c, 40)).status).toBe(200);
    const fits = await upload(c, 40);
    expect(fits.status, JSON.stringify(fits.body)).toBe(200);
    const keys = await objectKeys(c.id);
    const refused = await upload(c, 40);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ status: "RESOURCE_EXHAUSTED", reason: "STORAGE_QUOTA_EXCEEDED" });
    expect(refused.body.error.details).toEqual([{ total_file_size: 80, filesize: 40, quota_bytes: QUOTA }]);
    expect(refused.headers.get("Retry-After")).toBeNull();
    expect(await objectKeys(c.id)).toEqual(keys);
    expect(await countRows("files", c.id)).toBe(2);
    expect(await own(c)).toMatchObject({ total_file_count: 2, total_file_size: 80 });
    // What still fits goes in, to the byte; a metadata record (no bytes) still does at the quota.
    expect((await upload(c, 20)).status).toBe(200);
    expect((await upload(c, 1)).status).toBe(429);
    expect((await recordFile(c)).status).toBe(200);
    expect(await own(c)).toMatchObject({ total_file_count: 4, total_file_size: QUOTA });
    // Over a quota lowered since: no more bytes, but a record with none still goes in.
    const lower = { STORAGE_QUOTA_BYTES: "50" };
    const post = (body: unknown) => fetchWithDb(env.DB, "POST", "/v1.0/files", { token: c.token, body, vars: lower });
    expect((await post({ filename: "still.txt" })).status).toBe(200);
    const bytes = await fetchWithDb(env.DB, "POST", "/v1.0/storage_files", {
      token: c.token,
      form: form(1),
      vars: lower,
    });
    expectError(bytes, 429, "RESOURCE_EXHAUSTED", "STORAGE_QUOTA_EXCEEDED");
  });

  it("the INSERT itself refuses: a file that passed the early check and was stored leaves nothing behind", async () => {
    const c = await createCustomer();
    // Someone else takes the room between this upload's early check and its row.
    const db = seamD1(async (sqls) => {
      if (writesTo("files")(sqls) && sqls.some((s) => /^insert/i.test(s)))
        await env.DB.prepare("UPDATE storage_accounts SET total_file_size = total_file_size + 50 WHERE customer_id = ?")
          .bind(c.id)
          .run();
    });
    const res = await upload(c, 60, db);
    expect(res.status, JSON.stringify(res.body)).toBe(429);
    expect(res.body.error.reason).toBe("STORAGE_QUOTA_EXCEEDED");
    expect(await objectKeys(c.id)).toEqual([]);
    expect(await countRows("files", c.id)).toBe(0);
  });

  it("two parallel uploads that only fit one at a time: exactly one wins (forced interleaving)", async () => {
    const c = await createCustomer();
    // Both uploads pass the early check and store their bytes; only then do their INSERTs run.
    let waiting = 0;
    let release!: () => void;
    const open = new Promise<void>((resolve) => {
      release = resolve;
    });
    const db = seamD1(async (sqls) => {
      if (!writesTo("files")(sqls) || !sqls.some((s) => /^insert/i.test(s))) return;
      if (++waiting === 2) release();
      await open;
    });
    const results = await Promise.all([upload(c, 60, db), upload(c, 60, db)]);
    expect(waiting).toBe(2);
    expect(results.map((r) => r.status).sort()).toEqual([200, 429]);
    const winner = results.find((r) => r.status === 200)!;
    expect(await objectKeys(c.id)).toEqual([`${c.id}/${winner.body.id}`]);
    expect(await countRows("files", c.id)).toBe(1);
    expect(await own(c)).toMatchObject({ total_file_count: 1, total_file_size: 60 });
  });
});

describe("the operator's storage accounts", () => {
  it("lists them newest first, paginated; ProjectSuperAdmin only", async () => {
    const [a, b] = [await createCustomer(), await createCustomer()];
    const admin = await adminLogin();
    const first = await api("GET", "/v1.0/storage_accounts?page_size=1", { token: admin });
    expect(first.status).toBe(200);
    expect(first.body.result).toHaveLength(1);
    expect(first.body.result[0].customer_id).toBe(b.id);
    const second = await api("GET", `/v1.0/storage_accounts?page_size=1&page_token=${first.body.next_page_token}`, {
      token: admin,
    });
    expect(second.body.result[0].customer_id).toBe(a.id);
    expectError(await api("GET", "/v1.0/storage_accounts", { token: a.token }), 403, "PERMISSION_DENIED");
  });

  it("gets one: the operator any, a customer its own only (another's is 404)", async () => {
    const [a, b] = [await createCustomer(), await createCustomer()];
    const mine = await own(a);
    const path = `/v1.0/storage_accounts/${mine.id}`;
    expect((await api("GET", path, { token: await adminLogin() })).body).toEqual(mine);
    expect((await api("GET", path, { token: a.token })).body).toEqual(mine);
    expectError(await api("GET", path, { token: b.token }), 404, "NOT_FOUND");
    const agent = await createAgent(a.id, Permission.CustomerAgent);
    expectError(await api("GET", path, { token: agent.token }), 403, "PERMISSION_DENIED");
    for (const id of [crypto.randomUUID(), "nope"])
      expectError(await api("GET", `/v1.0/storage_accounts/${id}`, { token: await adminLogin() }), 404, "NOT_FOUND");
  });

  it("deleting one stops uploads (the files stay); creating one again counts them", async () => {
    const c = await createCustomer();
    const admin = await adminLogin();
    const kept = await upload(c, 30);
    expect((await recordFile(c)).status).toBe(200);
    const account = await own(c);
    expectError(
      await api("DELETE", `/v1.0/storage_accounts/${account.id}`, { token: c.token }),
      403,
      "PERMISSION_DENIED",
    );
    const deleted = await api("DELETE", `/v1.0/storage_accounts/${account.id}`, { token: admin });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: account.id, total_file_count: 2, total_file_size: 30 });
    expect(deleted.body.tm_delete).toMatch(ISO_UTC);
    expectError(await api("GET", "/v1.0/storage_account", { token: c.token }), 404, "NOT_FOUND");
    expectError(await api("DELETE", `/v1.0/storage_accounts/${account.id}`, { token: admin }), 404, "NOT_FOUND");

    const refused = await upload(c, 10);
    expect(refused.status).toBe(400);
    expect(refused.body.error.reason).toBe("STORAGE_ACCOUNT_NOT_FOUND");
    expect(await objectKeys(c.id)).toEqual([`${c.id}/${kept.body.id}`]);
    // Deleting a file needs no account.
    expect((await api("DELETE", `/v1.0/files/${kept.body.id}`, { token: c.token })).status).toBe(200);

    expectError(
      await api("POST", "/v1.0/storage_accounts", { token: c.token, body: { customer_id: c.id } }),
      403,
      "PERMISSION_DENIED",
    );
    const again = await api("POST", "/v1.0/storage_accounts", { token: admin, body: { customer_id: c.id } });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({ customer_id: c.id, total_file_count: 1, total_file_size: 0, tm_delete: null });
    expect(again.body.id).not.toBe(account.id);
    expect((await upload(c, 10)).status).toBe(200);
    expect(await own(c)).toMatchObject({ total_file_count: 2, total_file_size: 10 });
  });

  it("at most one per customer, even when created in parallel; none for an unknown or closed customer", async () => {
    const c = await createCustomer();
    const admin = await adminLogin();
    const post = (customer_id: string) =>
      api("POST", "/v1.0/storage_accounts", { token: admin, body: { customer_id } });
    expectError(await post(c.id), 409, "ALREADY_EXISTS", "STORAGE_ACCOUNT_ALREADY_EXISTS");
    const account = await own(c);
    await api("DELETE", `/v1.0/storage_accounts/${account.id}`, { token: admin });
    const both = await Promise.all([post(c.id), post(c.id), post(c.id)]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    expect(await countRows("storage_accounts", c.id)).toBe(1);

    expectError(await post(crypto.randomUUID()), 404, "NOT_FOUND");
    expectError(await post("nope"), 400, "INVALID_ARGUMENT");
    const gone = await createCustomer();
    expect((await api("DELETE", `/v1.0/customers/${gone.id}`, { token: admin })).status).toBe(200);
    expectError(await post(gone.id), 400, "FAILED_PRECONDITION", "ACCOUNT_CLOSED");
  });

  it("the OpenAPI document has the contract's paths and StorageManagerAccount", async () => {
    const doc = (await api("GET", "/openapi.json")).body;
    expect(doc.paths["/v1.0/storage_account"].get).toBeDefined();
    expect(doc.paths["/v1.0/storage_accounts"].get).toBeDefined();
    expect(doc.paths["/v1.0/storage_accounts"].post).toBeDefined();
    expect(doc.paths["/v1.0/storage_accounts/{id}"].get).toBeDefined();
    expect(doc.paths["/v1.0/storage_accounts/{id}"].delete).toBeDefined();
    expect(Object.keys(doc.components.schemas.StorageManagerAccount.properties).sort()).toEqual(
      ["customer_id", "id", "tm_create", "tm_delete", "tm_update", "total_file_count", "total_file_size"].sort(),
    );
  });
});

describe("the storage account's end", () => {
  it("the deletion removes it at once and its receipt counts it", async () => {
    const c = await createCustomer();
    expect((await upload(c, 10)).status).toBe(200);
    const admin = await adminLogin();
    expect((await api("DELETE", `/v1.0/customers/${c.id}`, { token: admin })).status).toBe(200);
    expect(await countRows("storage_accounts", c.id)).toBe(0);
    await vi.waitFor(
      async () => {
        const receipt = (await api("GET", `/v1.0/customers/${c.id}/deletion`, { token: admin })).body;
        expect(receipt.status).toBe("finished");
        expect(receipt.deleted).toMatchObject({ storage_accounts: 1, files: 1, storage_objects: 1 });
        expect(receipt.remaining).toMatchObject({ storage_accounts: 0, files: 0 });
      },
      { timeout: 20_000, interval: 100 },
    );
  });

  it("an expired signup keeps none", async () => {
    const s = await signup();
    const id = s.body.customer.id;
    await backdate(id, { tm_create: Date.now() - 2 * 3600 * 1000 });
    await runCron();
    expect(await countRows("storage_accounts", id)).toBe(0);
  });
});

describe("the cron checks the totals against the rows", () => {
  it("corrects (and logs) totals that differ from the rows; leaves right ones alone", async () => {
    const c = await createCustomer();
    const right = await createCustomer();
    expect((await upload(c, 25)).status).toBe(200);
    expect((await upload(right, 5)).status).toBe(200);
    const before = await own(right);
    // A hand edit (the only way they could differ): the cron finds it.
    await env.DB.prepare(
      "UPDATE storage_accounts SET total_file_count = 9, total_file_size = 999 WHERE customer_id = ?",
    )
      .bind(c.id)
      .run();
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      // Round robin over pages: enough runs to pass every account of this file's database.
      for (let i = 0; i < 3; i++) await runCron();
      expect(logged.mock.calls.some((call) => String(call[0]).includes(c.id))).toBe(true);
    } finally {
      logged.mockRestore();
    }
    expect(await own(c)).toMatchObject({ total_file_count: 1, total_file_size: 25 });
    expect(await own(right)).toEqual(before);
  });
});

describe("migration 0016", () => {
  it("gives every live customer an account with the totals of its rows, and closed ones none", async () => {
    const live = await createCustomer();
    expect((await upload(live, 12)).status).toBe(200);
    expect((await recordFile(live)).status).toBe(200);
    const gone = await createCustomer();
    await api("DELETE", `/v1.0/customers/${gone.id}`, { token: await adminLogin() });
    // As before the migration: no accounts at all. Then its backfill, as written in the file.
    await env.DB.prepare("DELETE FROM storage_accounts").run();
    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0016"));
    const backfill = migration?.queries.find((q) => q.includes("INSERT INTO `storage_accounts`"));
    expect(backfill).toBeDefined();
    await env.DB.prepare(backfill!).run();
    expect(await own(live)).toMatchObject({ total_file_count: 2, total_file_size: 12 });
    expect(await countRows("storage_accounts", gone.id)).toBe(0);
    const missing = await env.DB.prepare(
      "SELECT count(*) AS n FROM customers c WHERE status NOT IN ('deleted', 'expired') AND NOT EXISTS (SELECT 1 FROM storage_accounts s WHERE s.customer_id = c.id)",
    ).first<{ n: number }>();
    expect(missing?.n).toBe(0);
    const account = await own(live);
    expect(account.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Date.parse(account.tm_create)).toBeGreaterThan(Date.now() - 60_000);
  });
});
