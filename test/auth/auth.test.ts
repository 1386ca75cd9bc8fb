import { env, SELF } from "cloudflare:test";
import { sign } from "hono/jwt";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN,
  adminLogin,
  api,
  type ApiResponse,
  BASE,
  createAccesskey,
  createAgent,
  createCustomer,
  expectError,
  readResponse,
  type TestCustomer,
  unique,
} from "../helpers";

// ---------------------------------------------------------------------------------------------
// Small helpers of this file
// ---------------------------------------------------------------------------------------------

const SEVEN_DAYS = 7 * 24 * 3600;

function decodeJwtPart(part: string): any {
  const b64 = part.replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)));
}

/** A raw fetch, for requests api() cannot express (no Bearer header, cookies only, odd bodies). */
async function raw(
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string } = {},
): Promise<ApiResponse> {
  return readResponse(await SELF.fetch(`${BASE}${path}`, { method, headers: init.headers, body: init.body }));
}

async function agentIdOf(username: string): Promise<string> {
  const row = await env.DB.prepare("SELECT id FROM agents WHERE username = ?").bind(username).first<{ id: string }>();
  expect(row, `agent ${username} exists`).not.toBeNull();
  return row!.id;
}

// Logins meant to fail come from their own client IP each: the login attempt limiter counts
// failures per IP too, and every test request otherwise shares one ("unknown").
let ipCounter = 0;
const freshIp = () => `198.51.${100 + Math.floor(ipCounter / 250)}.${(ipCounter++ % 250) + 1}`;
const failingLogin = (body: unknown) =>
  api("POST", "/auth/login", { body, headers: { "CF-Connecting-IP": freshIp() } });

function expectNoSecretIn(res: ApiResponse, secrets: string[]) {
  const text = typeof res.body === "string" ? res.body : JSON.stringify(res.body);
  for (const secret of secrets) expect(text).not.toContain(secret);
}

// ---------------------------------------------------------------------------------------------

let c: TestCustomer;

beforeAll(async () => {
  c = await createCustomer();
});

describe("POST /auth/login", () => {
  it("logs a customer admin in: 200 {username, token, device_token} with a 7-day JWT", async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await api("POST", "/auth/login", { body: { username: c.username, password: c.password } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(["device_token", "token", "username"]);
    expect(res.body.username).toBe(c.username);
    const parts = res.body.token.split(".");
    expect(parts).toHaveLength(3);
    const header = decodeJwtPart(parts[0]);
    expect(header.alg).toBe("HS256");
    const claims = decodeJwtPart(parts[1]);
    expect(claims.exp - claims.iat).toBe(SEVEN_DAYS);
    expect(claims.iat).toBeGreaterThanOrEqual(before - 1);
    expect(claims.iat).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 1);
    // the token works
    const me = await api("GET", "/v1.0/customer", { token: res.body.token });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(c.id);
  });

  it("sets the token as an HttpOnly `token` cookie that lasts 7 days", async () => {
    const res = await api("POST", "/auth/login", { body: { username: c.username, password: c.password } });
    expect(res.status).toBe(200);
    const cookie = res.headers.get("Set-Cookie");
    expect(cookie).not.toBeNull();
    expect(cookie!.startsWith(`token=${res.body.token}`)).toBe(true);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*Max-Age=604800/i);
    expect(cookie).toMatch(/;\s*Path=\//i);
  });

  it("the cookie set by login authenticates later requests on its own", async () => {
    const res = await api("POST", "/auth/login", { body: { username: c.username, password: c.password } });
    const cookie = res.headers.get("Set-Cookie")!.split(";")[0]!;
    const me = await raw("GET", "/v1.0/customer", { headers: { Cookie: cookie } });
    expect(me.status, JSON.stringify(me.body)).toBe(200);
    expect(me.body.id).toBe(c.id);
  });

  it("logs the project super admin in", async () => {
    const res = await api("POST", "/auth/login", { body: { username: ADMIN.username, password: ADMIN.password } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.username).toBe(ADMIN.username);
    const claims = decodeJwtPart(res.body.token.split(".")[1]);
    expect(claims.exp - claims.iat).toBe(SEVEN_DAYS);
    const list = await api("GET", "/v1.0/customers", { token: res.body.token });
    expect(list.status).toBe(200);
  });

  it("wrong password of an existing user → 401 UNAUTHENTICATED, no cookie", async () => {
    const res = await failingLogin({ username: c.username, password: "wrong-password-1" });
    expectError(res, 401, "UNAUTHENTICATED");
    expect(res.headers.get("Set-Cookie")).toBeNull();
    expect(res.body.token).toBeUndefined();
  });

  it("gives the same answer whether the username exists or not", async () => {
    const known = await failingLogin({ username: c.username, password: "wrong-password-2" });
    const unknown = await failingLogin({ username: `${unique("nobody")}@example.com`, password: "wrong-password-2" });
    expectError(known, 401, "UNAUTHENTICATED");
    expectError(unknown, 401, "UNAUTHENTICATED");
    const strip = (r: ApiResponse) => ({ ...r.body.error, request_id: undefined });
    expect(strip(unknown)).toEqual(strip(known));
    expect(unknown.headers.get("Set-Cookie")).toBeNull();
  });

  it("wrong super admin password → the same 401", async () => {
    const bad = await failingLogin({ username: ADMIN.username, password: "not-the-root-password" });
    const unknown = await failingLogin({
      username: `${unique("nobody")}@example.com`,
      password: "not-the-root-password",
    });
    expectError(bad, 401, "UNAUTHENTICATED");
    expect({ ...bad.body.error, request_id: undefined }).toEqual({ ...unknown.body.error, request_id: undefined });
  });

  it("the password check is exact (case, whitespace)", async () => {
    expectError(
      await failingLogin({ username: c.username, password: c.password.toUpperCase() }),
      401,
      "UNAUTHENTICATED",
    );
    expectError(await failingLogin({ username: c.username, password: `${c.password} ` }), 401, "UNAUTHENTICATED");
  });

  it("the guest agent created with the customer cannot log in with a password", async () => {
    const guest = await env.DB.prepare("SELECT username FROM agents WHERE customer_id = ? AND is_guest = 1")
      .bind(c.id)
      .first<{ username: string }>();
    expect(guest).not.toBeNull();
    for (const password of ["guest", "password", c.password]) {
      const res = await failingLogin({ username: guest!.username, password });
      expectError(res, 401, "UNAUTHENTICATED");
    }
  });

  it("agents of a deleted customer cannot log in, and their existing tokens stop working at once", async () => {
    const d = await createCustomer();
    expect((await api("GET", "/v1.0/customer", { token: d.token })).status).toBe(200);
    await env.DB.prepare("UPDATE customers SET status = 'deleted' WHERE id = ?").bind(d.id).run();
    expectError(await failingLogin({ username: d.username, password: d.password }), 401, "UNAUTHENTICATED");
    expectError(await api("GET", "/v1.0/customer", { token: d.token }), 401, "UNAUTHENTICATED");
  });

  it("agents of an expired customer cannot log in", async () => {
    const d = await createCustomer();
    await env.DB.prepare("UPDATE customers SET status = 'expired' WHERE id = ?").bind(d.id).run();
    expectError(await failingLogin({ username: d.username, password: d.password }), 401, "UNAUTHENTICATED");
  });

  it("an agent inserted with a password hash logs in and gets its own token", async () => {
    const agent = await createAgent(c.id, 16);
    const claims = decodeJwtPart(agent.token.split(".")[1]!);
    expect(claims.exp - claims.iat).toBe(SEVEN_DAYS);
  });

  it("never returns the password or its hash", async () => {
    const res = await api("POST", "/auth/login", { body: { username: c.username, password: c.password } });
    const { password_hash } = (await env.DB.prepare("SELECT password_hash FROM agents WHERE username = ?")
      .bind(c.username)
      .first<{ password_hash: string }>())!;
    expectNoSecretIn(res, [c.password, password_hash]);
    expect(res.headers.get("Set-Cookie")).not.toContain(c.password);
  });

  describe("validation", () => {
    it.each([
      ["missing username", { password: "x-password" }, "username"],
      ["missing password", { username: "someone@example.com" }, "password"],
      ["empty username", { username: "", password: "x-password" }, "username"],
      ["empty password", { username: "someone@example.com", password: "" }, "password"],
      ["username not a string", { username: 42, password: "x-password" }, "username"],
      ["password not a string", { username: "someone@example.com", password: true }, "password"],
    ])("%s → 400 INVALID_ARGUMENT naming the field", async (_name, body, field) => {
      const res = await api("POST", "/auth/login", { body });
      expectError(res, 400, "INVALID_ARGUMENT");
      expect(res.body.error.details.map((d: any) => d.field)).toContain(field);
    });

    it("unknown fields are rejected (400) and named in details", async () => {
      const res = await api("POST", "/auth/login", {
        body: { username: c.username, password: c.password, remember: true },
      });
      expectError(res, 400, "INVALID_ARGUMENT");
      expect(res.body.error.details.some((d: any) => String(d.field).split(",").includes("remember"))).toBe(true);
      expect(res.headers.get("Set-Cookie")).toBeNull();
    });

    it("malformed JSON → 400 INVALID_JSON_BODY", async () => {
      const res = await api("POST", "/auth/login", {
        rawBody: '{"username": "a", ',
        headers: { "Content-Type": "application/json" },
      });
      expectError(res, 400, "INVALID_ARGUMENT", "INVALID_JSON_BODY");
    });

    it("application/json with a charset parameter is JSON", async () => {
      const res = await api("POST", "/auth/login", {
        rawBody: JSON.stringify({ username: c.username, password: c.password }),
        headers: { "Content-Type": "application/json; charset=utf-8" },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.username).toBe(c.username);
    });

    it("a JSON array instead of an object → 400", async () => {
      const res = await api("POST", "/auth/login", { body: [c.username, c.password] });
      expectError(res, 400, "INVALID_ARGUMENT");
    });

    it("a non-JSON content type with a body → 415", async () => {
      const res = await api("POST", "/auth/login", {
        rawBody: `username=${encodeURIComponent(c.username)}&password=${encodeURIComponent(c.password)}`,
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(415);
      expect(res.body.error.request_id).toBe(res.headers.get("X-Request-Id"));
      expect(res.headers.get("Set-Cookie")).toBeNull();
    });

    it("text/plain carrying valid JSON is still 415", async () => {
      const res = await api("POST", "/auth/login", {
        rawBody: JSON.stringify({ username: c.username, password: c.password }),
        headers: { "Content-Type": "text/plain" },
      });
      expect(res.status).toBe(415);
      expect(typeof res.body.error.reason).toBe("string");
    });

    it("a body over 64 KB → 413", async () => {
      const res = await api("POST", "/auth/login", { body: { username: c.username, password: "x".repeat(70 * 1024) } });
      expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(413);
      expect(res.body.error.request_id).toBe(res.headers.get("X-Request-Id"));
      expect(Array.isArray(res.body.error.details)).toBe(true);
    });
  });
});

describe("error envelope", () => {
  it("has exactly {status, reason, message, request_id, details} and request_id = X-Request-Id", async () => {
    const res = await api("GET", "/v1.0/customer");
    expectError(res, 401, "UNAUTHENTICATED");
    expect(Object.keys(res.body)).toEqual(["error"]);
    expect(Object.keys(res.body.error).sort()).toEqual(["details", "message", "reason", "request_id", "status"]);
    expect(res.body.error.request_id).toBeTruthy();
  });

  it("each response gets its own request id", async () => {
    const a = await api("GET", "/v1.0/customer");
    const b = await api("GET", "/v1.0/customer");
    expect(a.body.error.request_id).not.toBe(b.body.error.request_id);
  });

  it("successful responses carry an X-Request-Id too", async () => {
    const res = await api("GET", "/v1.0/customer", { token: c.token });
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Request-Id")).toBeTruthy();
  });
});

describe("credential transports", () => {
  let accesskey: string;

  beforeAll(async () => {
    accesskey = await createAccesskey(c.token, { name: "transport" });
  });

  const expectOwnCustomer = (res: ApiResponse) => {
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.id).toBe(c.id);
  };

  describe("JWT", () => {
    it("Authorization: Bearer", async () => {
      expectOwnCustomer(await raw("GET", "/v1.0/customer", { headers: { Authorization: `Bearer ${c.token}` } }));
    });
    it("?token=", async () => {
      expectOwnCustomer(await raw("GET", `/v1.0/customer?token=${encodeURIComponent(c.token)}`));
    });
    it("token cookie", async () => {
      expectOwnCustomer(await raw("GET", "/v1.0/customer", { headers: { Cookie: `token=${c.token}` } }));
    });
    it("token cookie among other cookies", async () => {
      expectOwnCustomer(
        await raw("GET", "/v1.0/customer", { headers: { Cookie: `theme=dark; token=${c.token}; lang=en` } }),
      );
    });
  });

  describe("access key", () => {
    it("Authorization: Bearer", async () => {
      expectOwnCustomer(await raw("GET", "/v1.0/customer", { headers: { Authorization: `Bearer ${accesskey}` } }));
    });
    it("?token=", async () => {
      expectOwnCustomer(await raw("GET", `/v1.0/customer?token=${accesskey}`));
    });
    it("?accesskey=", async () => {
      expectOwnCustomer(await raw("GET", `/v1.0/customer?accesskey=${accesskey}`));
    });
    it("token cookie", async () => {
      expectOwnCustomer(await raw("GET", "/v1.0/customer", { headers: { Cookie: `token=${accesskey}` } }));
    });
    it("accesskey cookie", async () => {
      expectOwnCustomer(await raw("GET", "/v1.0/customer", { headers: { Cookie: `accesskey=${accesskey}` } }));
    });
    it("works for writes too (PUT via ?accesskey=)", async () => {
      const res = await raw("PUT", `/v1.0/customer?accesskey=${accesskey}`, {
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ detail: "set through an access key" }),
      });
      expectOwnCustomer(res);
      expect(res.body.detail).toBe("set through an access key");
    });
  });

  describe("no or bad credential → 401", () => {
    const bogusJwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    const bogusKey = `vb_${"A".repeat(32)}`;
    it.each([
      ["no credential at all", {}, ""],
      ["Bearer garbage", { Authorization: "Bearer not-a-token" }, ""],
      ["Bearer with a forged JWT", { Authorization: `Bearer ${bogusJwt}` }, ""],
      ["Bearer with an unknown access key", { Authorization: `Bearer ${bogusKey}` }, ""],
      ["Basic auth scheme", { Authorization: `Basic ${btoa(`${ADMIN.username}:${ADMIN.password}`)}` }, ""],
      ["?token=garbage", {}, "?token=garbage"],
      ["?token=unknown access key", {}, `?token=${bogusKey}`],
      ["?accesskey=unknown", {}, `?accesskey=${bogusKey}`],
      ["?accesskey=garbage", {}, "?accesskey=garbage"],
      ["token cookie garbage", { Cookie: "token=garbage" }, ""],
      ["accesskey cookie unknown", { Cookie: `accesskey=${bogusKey}` }, ""],
    ])("%s", async (_name, headers, query) => {
      const res = await raw("GET", `/v1.0/customer${query}`, { headers: headers as Record<string, string> });
      expectError(res, 401, "UNAUTHENTICATED");
    });
  });

  describe("JWT checks", () => {
    const claimsFor = async (exp: number) => {
      const sub = await agentIdOf(c.username);
      const iat = Math.floor(Date.now() / 1000) - 10;
      return { sub, username: c.username, customer_id: c.id, permission: 32, ver: 1, iat, exp };
    };

    it("a correctly signed, unexpired token is accepted (control for the cases below)", async () => {
      const token = await sign(await claimsFor(Math.floor(Date.now() / 1000) + 3600), env.JWT_SECRET, "HS256");
      expectOwnCustomer(await api("GET", "/v1.0/customer", { token }));
    });

    it("an expired token → 401", async () => {
      const token = await sign(await claimsFor(Math.floor(Date.now() / 1000) - 60), env.JWT_SECRET, "HS256");
      expectError(await api("GET", "/v1.0/customer", { token }), 401, "UNAUTHENTICATED");
      expectError(
        await raw("GET", "/v1.0/customer", { headers: { Cookie: `token=${token}` } }),
        401,
        "UNAUTHENTICATED",
      );
      expectError(await raw("GET", `/v1.0/customer?token=${token}`), 401, "UNAUTHENTICATED");
    });

    it("a token signed with another secret → 401", async () => {
      const token = await sign(
        await claimsFor(Math.floor(Date.now() / 1000) + 3600),
        "some-other-secret-0123456789abcdef",
        "HS256",
      );
      expectError(await api("GET", "/v1.0/customer", { token }), 401, "UNAUTHENTICATED");
    });

    it("a token with a tampered payload → 401", async () => {
      const [h, , s] = c.token.split(".");
      const forged = btoa(JSON.stringify({ ...decodeJwtPart(c.token.split(".")[1]!), permission: 1 }))
        .replace(/\+/g, "-")
        .replace(/\//g, "_")
        .replace(/=+$/, "");
      expectError(await api("GET", "/v1.0/customers", { token: `${h}.${forged}.${s}` }), 401, "UNAUTHENTICATED");
    });

    it("an unsigned (alg none) token → 401", async () => {
      const enc = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
      const claims = await claimsFor(Math.floor(Date.now() / 1000) + 3600);
      expectError(
        await api("GET", "/v1.0/customer", { token: `${enc({ alg: "none", typ: "JWT" })}.${enc(claims)}.` }),
        401,
        "UNAUTHENTICATED",
      );
    });

    it("a valid signature for an agent that does not exist → 401", async () => {
      const now = Math.floor(Date.now() / 1000);
      const token = await sign(
        {
          sub: crypto.randomUUID(),
          username: "ghost@example.com",
          customer_id: c.id,
          permission: 32,
          ver: 1,
          iat: now,
          exp: now + 3600,
        },
        env.JWT_SECRET,
        "HS256",
      );
      expectError(await api("GET", "/v1.0/customer", { token }), 401, "UNAUTHENTICATED");
    });

    it("permission comes from the agent row, not from the token's claims", async () => {
      const agent = await createAgent(c.id, 16);
      const sub = await agentIdOf(agent.username);
      const now = Math.floor(Date.now() / 1000);
      const token = await sign(
        { sub, username: agent.username, customer_id: c.id, permission: 1 | 32, ver: 1, iat: now, exp: now + 3600 },
        env.JWT_SECRET,
        "HS256",
      );
      expectError(await api("GET", "/v1.0/customers", { token }), 403, "PERMISSION_DENIED");
      expectError(await api("GET", "/v1.0/customer", { token }), 403, "PERMISSION_DENIED");
    });

    it("the super admin's token reaches the admin API through every JWT transport", async () => {
      const token = await adminLogin();
      expect((await raw("GET", "/v1.0/customers", { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await raw("GET", `/v1.0/customers?token=${token}`)).status).toBe(200);
      expect((await raw("GET", "/v1.0/customers", { headers: { Cookie: `token=${token}` } })).status).toBe(200);
    });
  });
});

describe("unknown routes", () => {
  it("→ 404 envelope", async () => {
    const res = await api("GET", "/v1.0/nothing-here", { token: c.token });
    expectError(res, 404, "NOT_FOUND");
  });
});
