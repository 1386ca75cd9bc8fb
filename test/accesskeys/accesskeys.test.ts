import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import {
  adminLogin,
  api,
  type ApiResponse,
  BASE,
  createAccesskey,
  createAgent,
  createCustomer,
  expectError,
  ISO_UTC,
  type TestCustomer,
  unique,
} from "../helpers";
import { MAX_ACTIVE_ACCESSKEYS } from "../../src/domain/accesskey";
import { fetchWithDb, seamD1, writesTo } from "../helpers/d1-seam";

const keyCount = async (customerId: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM accesskeys WHERE customer_id = ?")
    .bind(customerId)
    .first<{ n: number }>())!.n;

// ---------------------------------------------------------------------------------------------
// Small helpers of this file
// ---------------------------------------------------------------------------------------------

const ACCESSKEY_KEYS = [
  "customer_id",
  "detail",
  "id",
  "name",
  "tm_create",
  "tm_delete",
  "tm_expire",
  "tm_update",
  "token_prefix",
];
const TOKEN_FORMAT = /^vb_[A-Za-z0-9]{32}$/;

async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function raw(method: string, path: string, headers: Record<string, string> = {}): Promise<ApiResponse> {
  const res = await SELF.fetch(`${BASE}${path}`, { method, headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

function expectAccesskeyShape(body: any, withToken: boolean) {
  expect(Object.keys(body).sort()).toEqual(withToken ? [...ACCESSKEY_KEYS, "token"].sort() : ACCESSKEY_KEYS);
  expect(body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  for (const k of ["tm_create", "tm_update", "tm_expire"]) expect(body[k]).toMatch(ISO_UTC);
}

function expectNotContaining(res: ApiResponse, secrets: string[]) {
  const text = JSON.stringify(res.body);
  for (const s of secrets) expect(text, `response must not contain ${s.slice(0, 6)}…`).not.toContain(s);
}

const countKeys = async (customerId: string) =>
  (await env.DB.prepare("SELECT COUNT(*) AS n FROM accesskeys WHERE customer_id = ?")
    .bind(customerId)
    .first<{ n: number }>())!.n;

// ---------------------------------------------------------------------------------------------

let a: TestCustomer;
let b: TestCustomer;

beforeAll(async () => {
  a = await createCustomer();
  b = await createCustomer();
});

describe("POST /v1.0/accesskeys", () => {
  it("creates a key {name, detail, expire} and shows its token once", async () => {
    const before = Date.now();
    const res = await api("POST", "/v1.0/accesskeys", {
      token: a.token,
      body: { name: "ci", detail: "Key for our CI", expire: 86400 },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expectAccesskeyShape(res.body, true);
    expect(res.body.customer_id).toBe(a.id);
    expect(res.body.name).toBe("ci");
    expect(res.body.detail).toBe("Key for our CI");
    expect(res.body.token).toMatch(TOKEN_FORMAT);
    const created = Date.parse(res.body.tm_create);
    expect(created).toBeGreaterThanOrEqual(before - 1000);
    expect(created).toBeLessThanOrEqual(Date.now() + 1000);
    expect(res.body.tm_update).toBe(res.body.tm_create);
    expect(Date.parse(res.body.tm_expire) - created).toBe(86400 * 1000);
  });

  it("stores only the SHA-256 of the token", async () => {
    const res = await api("POST", "/v1.0/accesskeys", { token: a.token, body: { name: "hashed", expire: 3600 } });
    expect(res.status).toBe(200);
    const row = await env.DB.prepare("SELECT * FROM accesskeys WHERE id = ?")
      .bind(res.body.id)
      .first<Record<string, unknown>>();
    expect(row).not.toBeNull();
    expect(row!.token_hash).toBe(await sha256Hex(res.body.token));
    for (const value of Object.values(row!)) expect(String(value)).not.toContain(res.body.token.slice(3));
  });

  it("every key is different", async () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 5; i++) tokens.add(await createAccesskey(a.token, { name: `n${i}` }));
    expect(tokens.size).toBe(5);
    for (const t of tokens) expect(t).toMatch(TOKEN_FORMAT);
  });

  it("name and detail are optional", async () => {
    const res = await api("POST", "/v1.0/accesskeys", { token: a.token, body: { expire: 3600 } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.name).toBe("");
    expect(res.body.detail).toBe("");
    expect(Date.parse(res.body.tm_expire)).toBeGreaterThan(Date.parse(res.body.tm_create));
  });

  it("without expire the key still expires in the future", async () => {
    const res = await api("POST", "/v1.0/accesskeys", { token: a.token, body: { name: "default-expiry" } });
    expect(res.status).toBe(200);
    expect(Date.parse(res.body.tm_expire)).toBeGreaterThan(Date.now());
  });

  describe("validation (400 INVALID_ARGUMENT, nothing written)", () => {
    it.each([
      ["expire 0", { name: "x", expire: 0 }, "expire"],
      ["expire negative", { name: "x", expire: -60 }, "expire"],
      ["expire not an integer", { name: "x", expire: 1.5 }, "expire"],
      ["expire as a string", { name: "x", expire: "3600" }, "expire"],
      ["expire absurdly far (100 years)", { name: "x", expire: 100 * 365 * 24 * 3600 }, "expire"],
      ["name too long", { name: "n".repeat(256) }, "name"],
      ["name not a string", { name: 5 }, "name"],
      ["detail too long", { name: "x", detail: "d".repeat(5000) }, "detail"],
    ])("%s", async (_n, body, field) => {
      const before = await countKeys(a.id);
      const res = await api("POST", "/v1.0/accesskeys", { token: a.token, body });
      expectError(res, 400, "INVALID_ARGUMENT");
      expect(res.body.error.details.map((d: any) => d.field)).toContain(field);
      expect(await countKeys(a.id)).toBe(before);
    });

    it("unknown fields are rejected and named", async () => {
      const before = await countKeys(a.id);
      const res = await api("POST", "/v1.0/accesskeys", { token: a.token, body: { name: "x", customer_id: b.id } });
      expectError(res, 400, "INVALID_ARGUMENT");
      expect(res.body.error.details.some((d: any) => String(d.field).split(",").includes("customer_id"))).toBe(true);
      expect(await countKeys(a.id)).toBe(before);
      expect(await countKeys(b.id)).toBe(0);
    });

    it("malformed JSON → 400 INVALID_JSON_BODY", async () => {
      const res = await api("POST", "/v1.0/accesskeys", {
        token: a.token,
        rawBody: "{name:",
        headers: { "Content-Type": "application/json" },
      });
      expectError(res, 400, "INVALID_ARGUMENT", "INVALID_JSON_BODY");
    });

    it("non-JSON content type → 415", async () => {
      const res = await api("POST", "/v1.0/accesskeys", {
        token: a.token,
        rawBody: "name=x",
        headers: { "Content-Type": "text/plain" },
      });
      expect(res.status).toBe(415);
      expect(res.body.error.request_id).toBe(res.headers.get("X-Request-Id"));
    });
  });
});

describe("an access key acts as CustomerAdmin of its customer", () => {
  let key: string;
  beforeAll(async () => {
    key = await createAccesskey(a.token, { name: "admin-like" });
  });

  it("reads its own customer, with the webhook secret", async () => {
    const res = await api("GET", "/v1.0/customer", { token: key });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(a.id);
    expect(res.body.webhook_secret).toMatch(/^whsec_/);
  });

  it("updates its own customer", async () => {
    const res = await api("PUT", "/v1.0/customer", { token: key, body: { detail: "changed by key" } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.id).toBe(a.id);
    expect(res.body.detail).toBe("changed by key");
  });

  it("updates its own customer's metadata", async () => {
    const res = await api("PUT", "/v1.0/customer/metadata", { token: key, body: { rtp_debug: true } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.metadata).toEqual({ rtp_debug: true });
  });

  it("manages access keys of its customer", async () => {
    const res = await api("POST", "/v1.0/accesskeys", { token: key, body: { name: "made-by-key" } });
    expect(res.status).toBe(200);
    expect(res.body.customer_id).toBe(a.id);
    const list = await api("GET", "/v1.0/accesskeys", { token: key });
    expect(list.status).toBe(200);
    expect(list.body.result.map((k: any) => k.id)).toContain(res.body.id);
  });

  it("is not a super admin: the admin API answers 403", async () => {
    expectError(await api("GET", "/v1.0/customers", { token: key }), 403, "PERMISSION_DENIED");
    expectError(await api("GET", `/v1.0/customers/${a.id}`, { token: key }), 403, "PERMISSION_DENIED");
    expectError(
      await api("POST", "/v1.0/customers", { token: key, body: { username: unique("u"), password: "long-enough-pw" } }),
      403,
      "PERMISSION_DENIED",
    );
  });
});

describe("GET /v1.0/accesskeys", () => {
  it("lists the caller's keys newest first, without tokens", async () => {
    const c = await createCustomer();
    const tokens: string[] = [];
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await api("POST", "/v1.0/accesskeys", { token: c.token, body: { name: `k${i}` } });
      tokens.push(res.body.token);
      ids.push(res.body.id);
    }
    // Distinct creation times, so "newest first" has one right answer.
    for (let i = 0; i < 3; i++) {
      await env.DB.prepare("UPDATE accesskeys SET tm_create = ? WHERE id = ?")
        .bind(1_700_000_000_000 + i * 1000, ids[i])
        .run();
    }
    const list = await api("GET", "/v1.0/accesskeys", { token: c.token });
    expect(list.status).toBe(200);
    expect(Object.keys(list.body).sort()).toEqual(["next_page_token", "result"]);
    expect(list.body.result).toHaveLength(3);
    expect(list.body.next_page_token).toBe("");
    for (const item of list.body.result) {
      expectAccesskeyShape(item, false);
      expect(item.customer_id).toBe(c.id);
    }
    expect(list.body.result.map((k: any) => k.name)).toEqual(["k2", "k1", "k0"]);
    expectNotContaining(list, tokens);
  });

  it("never shows another customer's keys", async () => {
    const bKey = await api("POST", "/v1.0/accesskeys", { token: b.token, body: { name: "b-only" } });
    const list = await api("GET", "/v1.0/accesskeys", { token: a.token });
    expect(list.status).toBe(200);
    expect(list.body.result.length).toBeGreaterThan(0);
    for (const item of list.body.result) expect(item.customer_id).toBe(a.id);
    expect(list.body.result.map((k: any) => k.id)).not.toContain(bKey.body.id);
  });

  it("pages with page_size and page_token without skipping or repeating", async () => {
    const c = await createCustomer();
    const created: string[] = [];
    for (let i = 0; i < 5; i++)
      created.push((await api("POST", "/v1.0/accesskeys", { token: c.token, body: { name: `p${i}` } })).body.id);
    // Put every key on the same tm_create: the cursor must still not lose any.
    await env.DB.prepare("UPDATE accesskeys SET tm_create = 1700000000000 WHERE customer_id = ?").bind(c.id).run();
    const seen: string[] = [];
    let pageToken = "";
    for (let page = 0; page < 10; page++) {
      const res = await api(
        "GET",
        `/v1.0/accesskeys?page_size=2${pageToken ? `&page_token=${encodeURIComponent(pageToken)}` : ""}`,
        { token: c.token },
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.result.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.result.map((k: any) => k.id));
      pageToken = res.body.next_page_token;
      if (!pageToken) break;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen)).toEqual(new Set(created));
  });

  it("page_size=abc → 400", async () => {
    expectError(await api("GET", "/v1.0/accesskeys?page_size=abc", { token: a.token }), 400, "INVALID_ARGUMENT");
  });
});

describe("GET /v1.0/accesskeys/{id}", () => {
  it("returns the key without its token", async () => {
    const created = await api("POST", "/v1.0/accesskeys", {
      token: a.token,
      body: { name: "get-me", detail: "d", expire: 7200 },
    });
    const res = await api("GET", `/v1.0/accesskeys/${created.body.id}`, { token: a.token });
    expect(res.status).toBe(200);
    expectAccesskeyShape(res.body, false);
    const { token, ...rest } = created.body;
    expect(res.body).toEqual(rest);
    expectNotContaining(res, [token]);
  });

  it("unknown or malformed id → 404", async () => {
    expectError(await api("GET", `/v1.0/accesskeys/${crypto.randomUUID()}`, { token: a.token }), 404, "NOT_FOUND");
    expectError(await api("GET", "/v1.0/accesskeys/not-a-uuid", { token: a.token }), 404, "NOT_FOUND");
  });

  it("another customer's key → 404 (not 403)", async () => {
    const bKey = await api("POST", "/v1.0/accesskeys", { token: b.token, body: { name: "b-secret" } });
    expectError(await api("GET", `/v1.0/accesskeys/${bKey.body.id}`, { token: a.token }), 404, "NOT_FOUND");
  });
});

describe("PUT /v1.0/accesskeys/{id}", () => {
  it("updates name and detail, partially, without showing the token", async () => {
    const created = await api("POST", "/v1.0/accesskeys", {
      token: a.token,
      body: { name: "before", detail: "keep me", expire: 7200 },
    });
    const renamed = await api("PUT", `/v1.0/accesskeys/${created.body.id}`, {
      token: a.token,
      body: { name: "after" },
    });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expectAccesskeyShape(renamed.body, false);
    expect(renamed.body.name).toBe("after");
    expect(renamed.body.detail).toBe("keep me");
    expect(renamed.body.tm_expire).toBe(created.body.tm_expire);
    expect(renamed.body.tm_create).toBe(created.body.tm_create);
    expect(Date.parse(renamed.body.tm_update)).toBeGreaterThanOrEqual(Date.parse(created.body.tm_update));
    expectNotContaining(renamed, [created.body.token]);

    const redetailed = await api("PUT", `/v1.0/accesskeys/${created.body.id}`, {
      token: a.token,
      body: { detail: "new detail" },
    });
    expect(redetailed.status).toBe(200);
    expect(redetailed.body.name).toBe("after");
    expect(redetailed.body.detail).toBe("new detail");

    const got = await api("GET", `/v1.0/accesskeys/${created.body.id}`, { token: a.token });
    expect(got.body.name).toBe("after");
    expect(got.body.detail).toBe("new detail");
    // the key still works after a rename
    expect((await api("GET", "/v1.0/customer", { token: created.body.token })).status).toBe(200);
  });

  it("validation: too long a name, wrong types, unknown fields → 400", async () => {
    const created = await api("POST", "/v1.0/accesskeys", { token: a.token, body: { name: "v" } });
    const id = created.body.id;
    expectError(
      await api("PUT", `/v1.0/accesskeys/${id}`, { token: a.token, body: { name: "n".repeat(256) } }),
      400,
      "INVALID_ARGUMENT",
    );
    expectError(
      await api("PUT", `/v1.0/accesskeys/${id}`, { token: a.token, body: { name: 1 } }),
      400,
      "INVALID_ARGUMENT",
    );
    const unknown = await api("PUT", `/v1.0/accesskeys/${id}`, {
      token: a.token,
      body: { name: "ok", token_hash: "x" },
    });
    expectError(unknown, 400, "INVALID_ARGUMENT");
    expect(unknown.body.error.details.some((d: any) => String(d.field).split(",").includes("token_hash"))).toBe(true);
    const after = await api("GET", `/v1.0/accesskeys/${id}`, { token: a.token });
    expect(after.body.name).toBe("v");
  });

  it("unknown, malformed or another customer's id → 404, and the other key is unchanged", async () => {
    expectError(
      await api("PUT", `/v1.0/accesskeys/${crypto.randomUUID()}`, { token: a.token, body: { name: "x" } }),
      404,
      "NOT_FOUND",
    );
    expectError(await api("PUT", "/v1.0/accesskeys/xyz", { token: a.token, body: { name: "x" } }), 404, "NOT_FOUND");
    const bKey = await api("POST", "/v1.0/accesskeys", { token: b.token, body: { name: "b-name" } });
    expectError(
      await api("PUT", `/v1.0/accesskeys/${bKey.body.id}`, { token: a.token, body: { name: "hijacked" } }),
      404,
      "NOT_FOUND",
    );
    expect((await api("GET", `/v1.0/accesskeys/${bKey.body.id}`, { token: b.token })).body.name).toBe("b-name");
  });
});

describe("DELETE /v1.0/accesskeys/{id}", () => {
  it("returns the deleted key (no token) and the key is refused at once", async () => {
    const created = await api("POST", "/v1.0/accesskeys", { token: a.token, body: { name: "doomed" } });
    const key = created.body.token;
    expect((await api("GET", "/v1.0/customer", { token: key })).status).toBe(200);
    const del = await api("DELETE", `/v1.0/accesskeys/${created.body.id}`, { token: a.token });
    expect(del.status, JSON.stringify(del.body)).toBe(200);
    expectAccesskeyShape(del.body, false);
    expect(del.body.id).toBe(created.body.id);
    expectNotContaining(del, [key]);

    // in every transport
    expectError(await api("GET", "/v1.0/customer", { token: key }), 401, "UNAUTHENTICATED");
    expectError(await raw("GET", `/v1.0/customer?accesskey=${key}`), 401, "UNAUTHENTICATED");
    expectError(await raw("GET", `/v1.0/customer?token=${key}`), 401, "UNAUTHENTICATED");
    expectError(await raw("GET", "/v1.0/customer", { Cookie: `accesskey=${key}` }), 401, "UNAUTHENTICATED");
    expectError(await raw("GET", "/v1.0/customer", { Cookie: `token=${key}` }), 401, "UNAUTHENTICATED");

    expectError(await api("GET", `/v1.0/accesskeys/${created.body.id}`, { token: a.token }), 404, "NOT_FOUND");
    const list = await api("GET", "/v1.0/accesskeys", { token: a.token });
    expect(list.body.result.map((k: any) => k.id)).not.toContain(created.body.id);
    expectError(await api("DELETE", `/v1.0/accesskeys/${created.body.id}`, { token: a.token }), 404, "NOT_FOUND");
  });

  it("a key can delete itself, and is refused right after", async () => {
    const created = await api("POST", "/v1.0/accesskeys", { token: a.token, body: { name: "self-destruct" } });
    const del = await api("DELETE", `/v1.0/accesskeys/${created.body.id}`, { token: created.body.token });
    expect(del.status).toBe(200);
    expectError(await api("GET", "/v1.0/accesskeys", { token: created.body.token }), 401, "UNAUTHENTICATED");
  });

  it("unknown, malformed or another customer's id → 404, and the other key keeps working", async () => {
    expectError(await api("DELETE", `/v1.0/accesskeys/${crypto.randomUUID()}`, { token: a.token }), 404, "NOT_FOUND");
    expectError(await api("DELETE", "/v1.0/accesskeys/123", { token: a.token }), 404, "NOT_FOUND");
    const bKey = await api("POST", "/v1.0/accesskeys", { token: b.token, body: { name: "b-survivor" } });
    expectError(await api("DELETE", `/v1.0/accesskeys/${bKey.body.id}`, { token: a.token }), 404, "NOT_FOUND");
    const me = await api("GET", "/v1.0/customer", { token: bKey.body.token });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(b.id);
  });
});

describe("expiry", () => {
  it("a key past its expiry → 401 at once", async () => {
    const created = await api("POST", "/v1.0/accesskeys", { token: a.token, body: { name: "short", expire: 3600 } });
    const key = created.body.token;
    expect((await api("GET", "/v1.0/customer", { token: key })).status).toBe(200);
    await env.DB.prepare("UPDATE accesskeys SET tm_expire = ? WHERE id = ?")
      .bind(Date.now() - 1000, created.body.id)
      .run();
    expectError(await api("GET", "/v1.0/customer", { token: key }), 401, "UNAUTHENTICATED");
    expectError(await raw("GET", `/v1.0/customer?accesskey=${key}`), 401, "UNAUTHENTICATED");
    expectError(await raw("GET", "/v1.0/customer", { Cookie: `accesskey=${key}` }), 401, "UNAUTHENTICATED");
  });

  it("a key created with expire=1 stops working after a second", async () => {
    const created = await api("POST", "/v1.0/accesskeys", { token: a.token, body: { name: "one-second", expire: 1 } });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(Date.parse(created.body.tm_expire) - Date.parse(created.body.tm_create)).toBe(1000);
    await new Promise((r) => setTimeout(r, 1200));
    expectError(await api("GET", "/v1.0/customer", { token: created.body.token }), 401, "UNAUTHENTICATED");
  });

  it("keys of a deleted customer → 401", async () => {
    const c = await createCustomer();
    const key = await createAccesskey(c.token, { name: "orphan" });
    expect((await api("GET", "/v1.0/customer", { token: key })).status).toBe(200);
    await env.DB.prepare("UPDATE customers SET status = 'deleted' WHERE id = ?").bind(c.id).run();
    expectError(await api("GET", "/v1.0/customer", { token: key }), 401, "UNAUTHENTICATED");
  });
});

describe("who may manage access keys", () => {
  it("anonymous → 401 on every access key route", async () => {
    const id = crypto.randomUUID();
    expectError(await api("GET", "/v1.0/accesskeys"), 401, "UNAUTHENTICATED");
    expectError(await api("POST", "/v1.0/accesskeys", { body: { name: "x" } }), 401, "UNAUTHENTICATED");
    expectError(await api("GET", `/v1.0/accesskeys/${id}`), 401, "UNAUTHENTICATED");
    expectError(await api("PUT", `/v1.0/accesskeys/${id}`, { body: { name: "x" } }), 401, "UNAUTHENTICATED");
    expectError(await api("DELETE", `/v1.0/accesskeys/${id}`), 401, "UNAUTHENTICATED");
  });

  it("CustomerAgent and CustomerManager → 403, and nothing is written", async () => {
    const existing = await api("POST", "/v1.0/accesskeys", { token: a.token, body: { name: "target" } });
    for (const permission of [16, 64]) {
      const agent = await createAgent(a.id, permission);
      const before = await countKeys(a.id);
      expectError(await api("GET", "/v1.0/accesskeys", { token: agent.token }), 403, "PERMISSION_DENIED");
      expectError(
        await api("POST", "/v1.0/accesskeys", { token: agent.token, body: { name: "x" } }),
        403,
        "PERMISSION_DENIED",
      );
      expectError(
        await api("GET", `/v1.0/accesskeys/${existing.body.id}`, { token: agent.token }),
        403,
        "PERMISSION_DENIED",
      );
      expectError(
        await api("PUT", `/v1.0/accesskeys/${existing.body.id}`, { token: agent.token, body: { name: "x" } }),
        403,
        "PERMISSION_DENIED",
      );
      expectError(
        await api("DELETE", `/v1.0/accesskeys/${existing.body.id}`, { token: agent.token }),
        403,
        "PERMISSION_DENIED",
      );
      expect(await countKeys(a.id)).toBe(before);
    }
    expect((await api("GET", `/v1.0/accesskeys/${existing.body.id}`, { token: a.token })).body.name).toBe("target");
  });

  it("a customer cannot see or touch the super admin's keys", async () => {
    const root = await api("POST", "/v1.0/accesskeys", { token: await adminLogin(), body: { name: "root-key" } });
    expect(root.status).toBe(200);
    expect((await api("GET", "/v1.0/accesskeys", { token: a.token })).body.result.map((k: any) => k.id)).not.toContain(
      root.body.id,
    );
    expectError(await api("GET", `/v1.0/accesskeys/${root.body.id}`, { token: a.token }), 404, "NOT_FOUND");
    expectError(await api("DELETE", `/v1.0/accesskeys/${root.body.id}`, { token: a.token }), 404, "NOT_FOUND");
    expect((await api("GET", `/v1.0/accesskeys/${root.body.id}`, { token: await adminLogin() })).status).toBe(200);
  });
});

describe("token_prefix and tm_delete", () => {
  it("every read shows the key's first 11 characters; tm_delete is null until the deletion's answer", async () => {
    const created = await api("POST", "/v1.0/accesskeys", { token: a.token, body: { name: "prefixed" } });
    const token = created.body.token as string;
    const prefix = token.slice(0, 11);
    expect(created.body.token_prefix).toBe(prefix);
    expect(prefix).toMatch(/^vb_[A-Za-z0-9]{8}$/);
    const reads = [
      (await api("GET", `/v1.0/accesskeys/${created.body.id}`, { token: a.token })).body,
      (await api("GET", "/v1.0/accesskeys?page_size=100", { token: a.token })).body.result.find(
        (k: any) => k.id === created.body.id,
      ),
      (await api("PUT", `/v1.0/accesskeys/${created.body.id}`, { token: a.token, body: { name: "renamed" } })).body,
    ];
    for (const read of reads) {
      expect(read.token_prefix).toBe(prefix);
      expect(read.tm_delete).toBeNull();
      expect(read.token).toBeUndefined();
    }
    const before = Date.now();
    const deleted = await api("DELETE", `/v1.0/accesskeys/${created.body.id}`, { token: a.token });
    expect(deleted.body.token_prefix).toBe(prefix);
    expect(Date.parse(deleted.body.tm_delete)).toBeGreaterThanOrEqual(before - 1000);
    expect(deleted.body.tm_delete).toMatch(ISO_UTC);
  });
});

describe("secrets", () => {
  it("the token appears only in the creation response", async () => {
    const created = await api("POST", "/v1.0/accesskeys", { token: a.token, body: { name: "secret-check" } });
    const key = created.body.token as string;
    const hash = await sha256Hex(key);
    expect(JSON.stringify(created.body)).toContain(key);
    expect(JSON.stringify(created.body)).not.toContain(hash);
    const responses = [
      await api("GET", "/v1.0/accesskeys", { token: a.token }),
      await api("GET", "/v1.0/accesskeys", { token: key }),
      await api("GET", `/v1.0/accesskeys/${created.body.id}`, { token: key }),
      await api("PUT", `/v1.0/accesskeys/${created.body.id}`, { token: key, body: { detail: "x" } }),
      await api("GET", "/v1.0/customer", { token: key }),
      await api("PUT", "/v1.0/customer", { token: key, body: { name: "n" } }),
      await api("DELETE", `/v1.0/accesskeys/${created.body.id}`, { token: a.token }),
    ];
    for (const res of responses) {
      expect(res.status).toBeLessThan(500);
      expectNotContaining(res, [key, key.slice(3), hash]);
      expect(JSON.stringify(res.body)).not.toMatch(/"token"\s*:/);
      expect(JSON.stringify(res.body)).not.toMatch(/token_hash/);
    }
  });
});

describe("at most 50 active access keys per customer (issue 21, defect 7)", () => {
  const create = (token: string, name = "k") => api("POST", "/v1.0/accesskeys", { token, body: { name } });

  it("the 51st active key is refused with 429 RESOURCE_LIMIT_EXCEEDED; a deleted or expired one frees a place", async () => {
    const c = await createCustomer();
    for (let i = 0; i < MAX_ACTIVE_ACCESSKEYS; i += 10)
      for (const res of await Promise.all(Array.from({ length: 10 }, () => create(c.token))))
        expect(res.status).toBe(200);
    const refused = await create(c.token);
    expectError(refused, 429, "RESOURCE_EXHAUSTED", "RESOURCE_LIMIT_EXCEEDED");
    expect(refused.headers.get("Retry-After")).toBeNull();
    expect(await keyCount(c.id)).toBe(MAX_ACTIVE_ACCESSKEYS);

    const [one] = (await api("GET", "/v1.0/accesskeys?page_size=1", { token: c.token })).body.result;
    expect((await api("DELETE", `/v1.0/accesskeys/${one.id}`, { token: c.token })).status).toBe(200);
    expect((await create(c.token)).status).toBe(200);
    expectError(await create(c.token), 429, "RESOURCE_EXHAUSTED", "RESOURCE_LIMIT_EXCEEDED");
    await env.DB.prepare(
      "UPDATE accesskeys SET tm_expire = ? WHERE id = (SELECT id FROM accesskeys WHERE customer_id = ? LIMIT 1)",
    )
      .bind(Date.now() - 1000, c.id)
      .run();
    expect((await create(c.token)).status).toBe(200);
    // Other customers are not affected.
    expect((await create((await createCustomer()).token)).status).toBe(200);
  });

  it("two creations racing for the last place: the count is checked in the insert itself", async () => {
    const c = await createCustomer();
    await env.DB.batch(
      Array.from({ length: MAX_ACTIVE_ACCESSKEYS - 1 }, (_, i) =>
        env.DB.prepare(
          "INSERT INTO accesskeys (id, customer_id, name, detail, token_hash, token_prefix, operator_binding, tm_expire, tm_create, tm_update) VALUES (?, ?, 'fixture', '', ?, '', '', ?, ?, ?)",
        ).bind(crypto.randomUUID(), c.id, `fixture-${c.id}-${i}`, Date.now() + 3600_000, Date.now(), Date.now()),
      ),
    );
    // The second creation runs whole just before the first one's insert: a check made earlier would pass both.
    let other: ApiResponse | undefined;
    const db = seamD1(async (sqls) => {
      if (other || !writesTo("accesskeys")(sqls)) return;
      other = await create(c.token, "other");
    });
    const first = await fetchWithDb(db, "POST", "/v1.0/accesskeys", { token: c.token, body: { name: "first" } });
    expect(other?.status).toBe(200);
    expectError({ ...first, body: first.body }, 429, "RESOURCE_EXHAUSTED", "RESOURCE_LIMIT_EXCEEDED");
    expect(await keyCount(c.id)).toBe(MAX_ACTIVE_ACCESSKEYS);
  });
});
