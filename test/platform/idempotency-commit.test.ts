import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resourceKinds } from "../../src/db/owned";
import { fetchWithDb, seamD1, writesTo } from "../helpers/d1-seam";
import { adminLogin, api, createCustomer, expectError, unique } from "../helpers";
import { validBody } from "../helpers/resources";

// Issue 21, "Also": a creating write and the answer its Idempotency-Key replays commit together,
// so a retry after a crash (and after the claim's one-minute lease) replays or finds nothing.
// Defect 8: an anonymous request's answer is replayed only to the client that sent it.

interface Create {
  name: string;
  /** The request, with its credential; the row it creates is counted by `count`. */
  prepare(): Promise<{ path: string; token?: string; body: Record<string, unknown>; count: () => Promise<number> }>;
  /** The table the write goes to (the seam watches it). */
  table: string;
}

const countWhere = (table: string, column: string, value: string) => async () =>
  (await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${column} = ?`).bind(value).first<{ n: number }>())!
    .n;

const creates: Create[] = [
  {
    name: "a resource (tags)",
    table: "tags",
    async prepare() {
      const c = await createCustomer();
      return {
        path: "/v1.0/tags",
        token: c.token,
        body: { name: "t" },
        count: countWhere("tags", "customer_id", c.id),
      };
    },
  },
  {
    name: "an access key",
    table: "accesskeys",
    async prepare() {
      const c = await createCustomer();
      // The customer's own keys: none yet (it logged in with a password).
      return {
        path: "/v1.0/accesskeys",
        token: c.token,
        body: { name: "k" },
        count: countWhere("accesskeys", "customer_id", c.id),
      };
    },
  },
  {
    name: "a customer (operator)",
    table: "customers",
    async prepare() {
      const email = `${unique("idem")}@example.com`;
      const body = { username: unique("idem"), password: "long-password-1", email };
      return {
        path: "/v1.0/customers",
        token: await adminLogin(),
        body,
        count: countWhere("customers", "email", email),
      };
    },
  },
  {
    name: "a signup",
    table: "customers",
    async prepare() {
      const email = `${unique("idem")}@example.com`;
      return {
        path: "/auth/signup",
        body: { email, accepted_tos: true },
        count: countWhere("customers", "email", email),
      };
    },
  },
];

/** Every claim is now older than its one-minute lease: a retry may take an unfinished one over. */
const leaseRunsOut = () => env.DB.prepare("UPDATE idempotency_keys SET tm_create = tm_create - 120000").run();

const call = (db: D1Database, req: { path: string; token?: string; body: Record<string, unknown> }, key: string) =>
  fetchWithDb(db, "POST", req.path, { token: req.token, body: req.body, headers: { "Idempotency-Key": key } });

describe("Idempotency-Key: the write and its answer commit together", () => {
  // The killed requests are logged as 500s: expected here, and noise in the output.
  beforeEach(() => void vi.spyOn(console, "error").mockImplementation(() => undefined));
  afterEach(() => vi.restoreAllMocks());

  it.each(creates)(
    "$name: the Worker dies right after the write; the retry replays, nothing is written twice",
    async ({ prepare, table }) => {
      const req = await prepare();
      const key = crypto.randomUUID();
      // The seam kills the request at the first D1 call after the one that wrote the row.
      let wrote = false;
      const dying = seamD1((sqls) => {
        if (wrote) throw new Error("the Worker died");
        if (writesTo(table)(sqls)) wrote = true;
      });
      const first = await call(dying, req, key);
      expect(first.status).toBeGreaterThanOrEqual(500);
      expect(await req.count()).toBe(1);
      await leaseRunsOut();
      const retry = await call(env.DB, req, key);
      expect(retry.status, JSON.stringify(retry.body)).toBe(200);
      expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
      expect(await req.count()).toBe(1);
    },
  );

  it.each(creates)("$name: the Worker dies before the write; the retry does it once", async ({ prepare, table }) => {
    const req = await prepare();
    const key = crypto.randomUUID();
    const dying = seamD1((sqls) => {
      if (writesTo(table)(sqls)) throw new Error("the Worker died");
    });
    expect((await call(dying, req, key)).status).toBeGreaterThanOrEqual(500);
    expect(await req.count()).toBe(0);
    await leaseRunsOut();
    const retry = await call(env.DB, req, key);
    expect(retry.status, JSON.stringify(retry.body)).toBe(200);
    expect(retry.headers.get("Idempotent-Replayed")).toBeNull();
    expect(await req.count()).toBe(1);
  });

  it.each(creates)(
    "$name: a retry takes the claim over while the first request still runs; one write",
    async ({ prepare, table }) => {
      const req = await prepare();
      const key = crypto.randomUUID();
      let retry: Awaited<ReturnType<typeof call>> | undefined;
      // Just before the first request writes, its lease runs out and a retry does the whole work.
      const slow = seamD1(async (sqls) => {
        if (retry || !writesTo(table)(sqls)) return;
        await leaseRunsOut();
        retry = await call(env.DB, req, key);
      });
      const first = await call(slow, req, key);
      expect(retry?.status, JSON.stringify(retry?.body)).toBe(200);
      expectError({ ...first, body: first.body }, 409, "ALREADY_EXISTS", "IDEMPOTENCY_KEY_IN_PROGRESS");
      expect(await req.count()).toBe(1);
      const again = await call(env.DB, req, key);
      expect(again.headers.get("Idempotent-Replayed")).toBe("true");
      expect(again.body).toEqual(retry!.body);
    },
  );

  it("every kind's replayed answer is the row as stored", async () => {
    const c = await createCustomer();
    for (const kind of resourceKinds) {
      const headers = { "Idempotency-Key": `kind-${kind}` };
      const body = validBody(kind);
      const created = await api("POST", `/v1.0/${kind}`, { token: c.token, body, headers });
      expect(created.status, `${kind}: ${JSON.stringify(created.body)}`).toBe(200);
      const stored = await api("GET", `/v1.0/${kind}/${created.body.id}`, { token: c.token });
      expect(created.body, kind).toEqual(stored.body);
      const replay = await api("POST", `/v1.0/${kind}`, { token: c.token, body, headers });
      expect(replay.headers.get("Idempotent-Replayed"), kind).toBe("true");
      expect(replay.body, kind).toEqual(stored.body);
    }
  });
});

describe("Idempotency-Key without a credential (defect 8)", () => {
  it("a signup's answer, with its access key, is replayed to its own client only", async () => {
    const key = crypto.randomUUID();
    const body = { email: `${unique("idem")}@example.com`, accepted_tos: true };
    const from = (ip: string) =>
      api("POST", "/auth/signup", { body, headers: { "Idempotency-Key": key, "CF-Connecting-IP": ip } });
    const first = await from("198.51.100.81");
    expect(first.body.accesskey.token).toMatch(/^vb_/);
    // Another client with the same key and body: no replay, no key; the address is taken, so {}.
    const other = await from("198.51.100.82");
    expect(other.status).toBe(200);
    expect(other.headers.get("Idempotent-Replayed")).toBeNull();
    expect(other.body).toEqual({});
    expect(JSON.stringify(other.body)).not.toContain(first.body.accesskey.token);
    // The client that sent it gets its answer again.
    const again = await from("198.51.100.81");
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
  });
});
