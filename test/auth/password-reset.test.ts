import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { ADMIN, adminLogin, api, createCustomer, expectError, login, unique } from "../helpers";
import { countRows, customerRow, runCron } from "../helpers/lifecycle";
import { callAndSettle, mailbox } from "../helpers/mail";

const HOUR = 3600_000;

async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

let box: ReturnType<typeof mailbox> | undefined;
afterEach(() => {
  box?.stop();
  box = undefined;
});

/** A customer whose admin agent's username is an email address (where its reset mails go). */
async function customerWithEmailUsername() {
  const email = `${unique("reset")}@example.com`;
  // (createCustomer reports its generated username, not the override.)
  return { ...(await createCustomer({ username: email, email })), username: email };
}

/** Asks for a reset link for `username` and returns the token mailed to `to`. */
async function forgot(username: string, to = username) {
  box ??= mailbox();
  const res = await callAndSettle("POST", "/auth/password-forgot", { body: { username } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return box.resetToken(to);
}

const resetRows = (agentUsername: string) =>
  env.DB.prepare("SELECT r.* FROM password_resets r JOIN agents a ON a.id = r.agent_id WHERE a.username = ?")
    .bind(agentUsername)
    .all<Record<string, unknown>>();

describe("POST /auth/password-forgot", () => {
  it("answers the same for known and unknown usernames; only the known one gets a mail", async () => {
    const c = await customerWithEmailUsername();
    const unknown = `${unique("nobody")}@example.com`;
    box = mailbox();
    const known = await callAndSettle("POST", "/auth/password-forgot", { body: { username: c.username } });
    const missing = await callAndSettle("POST", "/auth/password-forgot", { body: { username: unknown } });
    for (const res of [known, missing]) {
      expect(res.status).toBe(200);
      expect(res.body).toEqual({});
    }
    const headerNames = (h: Headers) => [...h.keys()].sort();
    expect(headerNames(known.headers)).toEqual(headerNames(missing.headers));
    // The work left for later (token row, mail) has finished for both: one mail, to the known agent.
    expect(box.to(c.username)).toHaveLength(1);
    expect(box.to(unknown)).toHaveLength(0);
    expect((await resetRows(c.username)).results).toHaveLength(1);
  });

  it("a username that is no address: the mail goes to its customer's email", async () => {
    const c = await createCustomer();
    const token = await forgot(c.username, c.email);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
  });

  it("guest agents and the super admin get no link, with the same answer", async () => {
    const c = await customerWithEmailUsername();
    const guest = (await env.DB.prepare("SELECT username FROM agents WHERE customer_id = ? AND is_guest = 1")
      .bind(c.id)
      .first<{ username: string }>())!;
    box = mailbox();
    for (const username of [guest.username, ADMIN.username]) {
      const res = await callAndSettle("POST", "/auth/password-forgot", { body: { username } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({});
    }
    expect(box.to(guest.username)).toHaveLength(0);
    expect(box.to(c.email)).toHaveLength(0);
    expect(box.to(ADMIN.username)).toHaveLength(0);
    expect((await resetRows(guest.username)).results).toHaveLength(0);
  });

  it("answers 200 even when the mail cannot be sent, and sends through the mail binding", async () => {
    const c = await customerWithEmailUsername();
    const sent: unknown[] = [];
    const failingMail = {
      send: async (message: unknown) => {
        sent.push(message);
        throw new Error("mail limit reached");
      },
    } as unknown as SendEmail;
    const errors: unknown[] = [];
    const { vi } = await import("vitest");
    const spy = vi.spyOn(console, "error").mockImplementation((...a) => void errors.push(a));
    try {
      const res = await callAndSettle("POST", "/auth/password-forgot", {
        body: { username: c.username },
        env: { EMAIL: failingMail },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({});
    } finally {
      spy.mockRestore();
    }
    expect(sent).toHaveLength(1);
    expect(JSON.stringify(errors)).not.toMatch(/[0-9a-f]{64}/);
  });

  it("needs a username: 400", async () => {
    expectError(await api("POST", "/auth/password-forgot", { body: {} }), 400, "INVALID_ARGUMENT", "VALIDATION_FAILED");
    expectError(await api("POST", "/auth/password-forgot", { body: { username: "" } }), 400, "INVALID_ARGUMENT");
  });
});

describe("reset tokens", () => {
  it("are 64 lowercase hex characters, valid one hour, stored only as their SHA-256", async () => {
    const c = await customerWithEmailUsername();
    const token = await forgot(c.username);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    const [row] = (await resetRows(c.username)).results;
    expect(row!.token_hash).toBe(await sha256Hex(token));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(Number(row!.tm_expire) - Number(row!.tm_create)).toBe(HOUR);
  });
});

describe("GET /auth/password-reset", () => {
  it("serves the form with a strict CSP and nothing from elsewhere; opening it changes nothing", async () => {
    const c = await customerWithEmailUsername();
    const token = await forgot(c.username);
    const page = await api("GET", `/auth/password-reset?token=${token}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("Content-Type")).toMatch(/^text\/html/);
    const csp = page.headers.get("Content-Security-Policy")!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(page.headers.get("Cache-Control")).toBe("no-store");
    expect(page.headers.get("Referrer-Policy")).toBe("no-referrer");
    expect(page.body).toContain('type="password"');
    expect(page.body).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(page.body).not.toMatch(/<script>|<style|style="/);
    const script = await api("GET", "/auth/password-reset.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("Content-Type")).toMatch(/javascript/);
    expect(script.body).toContain("/auth/password-reset");
    // Still usable: the page spent nothing.
    expect((await api("POST", "/auth/password-reset", { body: { token, password: "a-new-password-1" } })).status).toBe(
      200,
    );
  });

  it("400 for a malformed token (envelope) and for an unknown or spent one (page)", async () => {
    for (const bad of ["", "abc", "A".repeat(64), `${"a".repeat(63)}g`]) {
      expectError(await api("GET", `/auth/password-reset?token=${bad}`), 400, "INVALID_ARGUMENT");
    }
    expectError(await api("GET", "/auth/password-reset"), 400, "INVALID_ARGUMENT");
    const unknown = await api("GET", `/auth/password-reset?token=${"ab".repeat(32)}`);
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
    expect(unknown.body).not.toContain('type="password"');
  });
});

describe("POST /auth/password-reset", () => {
  it("sets the password once: the new one logs in, the old one and a second use do not", async () => {
    const c = await customerWithEmailUsername();
    const oldJwt = await login(c.username, c.password);
    const token = await forgot(c.username);
    const before = (await env.DB.prepare("SELECT password_hash FROM agents WHERE username = ?")
      .bind(c.username)
      .first<{ password_hash: string }>())!;
    const res = await api("POST", "/auth/password-reset", { body: { token, password: "brand-new-password" } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ device_token: expect.stringMatching(/^dv1\./) });
    await login(c.username, "brand-new-password");
    expectError(
      await api("POST", "/auth/login", { body: { username: c.username, password: c.password } }),
      401,
      "UNAUTHENTICATED",
    );
    const after = (await env.DB.prepare("SELECT password_hash FROM agents WHERE username = ?")
      .bind(c.username)
      .first<{ password_hash: string }>())!;
    expect(after.password_hash).not.toBe(before.password_hash);
    expect(after.password_hash).not.toContain("brand-new-password");
    // The reset revokes every token issued before it.
    expectError(await api("GET", "/v1.0/customer", { token: oldJwt }), 401, "UNAUTHENTICATED");

    expectError(
      await api("POST", "/auth/password-reset", { body: { token, password: "third-password-x" } }),
      400,
      "INVALID_ARGUMENT",
      "INVALID_RESET_TOKEN",
    );
    await login(c.username, "brand-new-password");
  });

  it("a reset spends the agent's other pending links too", async () => {
    const c = await customerWithEmailUsername();
    const first = await forgot(c.username);
    const second = await forgot(c.username);
    expect(first).not.toBe(second);
    expect(
      (await api("POST", "/auth/password-reset", { body: { token: second, password: "from-second-link" } })).status,
    ).toBe(200);
    expectError(
      await api("POST", "/auth/password-reset", { body: { token: first, password: "from-first-link" } }),
      400,
      "INVALID_ARGUMENT",
      "INVALID_RESET_TOKEN",
    );
    await login(c.username, "from-second-link");
  });

  it("repeated requests keep the agent's three newest links; the newest always works", async () => {
    // Four requests: under the per-recipient mail limit, over the links kept.
    const c = await customerWithEmailUsername();
    const tokens: string[] = [];
    for (let i = 0; i < 4; i++) tokens.push(await forgot(c.username));
    expect(new Set(tokens).size).toBe(4);
    expect((await resetRows(c.username)).results).toHaveLength(3);
    expectError(
      await api("POST", "/auth/password-reset", { body: { token: tokens[0], password: "oldest-link-pw" } }),
      400,
      "INVALID_ARGUMENT",
      "INVALID_RESET_TOKEN",
    );
    expect(
      (await api("POST", "/auth/password-reset", { body: { token: tokens[3], password: "newest-link-pw" } })).status,
    ).toBe(200);
    await login(c.username, "newest-link-pw");
  });

  it("refuses an expired token (one hour) and leaves the password alone", async () => {
    const c = await customerWithEmailUsername();
    const token = await forgot(c.username);
    await env.DB.prepare("UPDATE password_resets SET tm_expire = ? WHERE token_hash = ?")
      .bind(Date.now() - 1, await sha256Hex(token))
      .run();
    expectError(
      await api("POST", "/auth/password-reset", { body: { token, password: "too-late-password" } }),
      400,
      "INVALID_ARGUMENT",
      "INVALID_RESET_TOKEN",
    );
    expect((await api("GET", `/auth/password-reset?token=${token}`)).status).toBe(400);
    await login(c.username, c.password);
  });

  it("a guest agent cannot reset, even with a token", async () => {
    const c = await customerWithEmailUsername();
    const guest = (await env.DB.prepare("SELECT id, password_hash FROM agents WHERE customer_id = ? AND is_guest = 1")
      .bind(c.id)
      .first<{ id: string; password_hash: string }>())!;
    const token = "c0".repeat(32);
    const now = Date.now();
    await env.DB.prepare(
      "INSERT INTO password_resets (token_hash, agent_id, customer_id, tm_expire, tm_create) VALUES (?, ?, ?, ?, ?)",
    )
      .bind(await sha256Hex(token), guest.id, c.id, now + HOUR, now)
      .run();
    expectError(
      await api("POST", "/auth/password-reset", { body: { token, password: "guest-password-1" } }),
      400,
      "FAILED_PRECONDITION",
      "GUEST_AGENT",
    );
    const after = (await env.DB.prepare("SELECT password_hash FROM agents WHERE id = ?")
      .bind(guest.id)
      .first<{ password_hash: string }>())!;
    expect(after.password_hash).toBe(guest.password_hash);
  });

  it.each([
    [{ password: "long-enough-pw" }, "token"],
    [{ token: "ab".repeat(32) }, "password"],
    [{ token: "AB".repeat(32), password: "long-enough-pw" }, "token"],
    [{ token: "ab".repeat(32), password: "short" }, "password"],
    [{ token: "ab".repeat(32), password: "long-enough-pw", extra: 1 }, "extra"],
  ])("rejects %j with a 400 naming %s", async (body, field) => {
    const res = await api("POST", "/auth/password-reset", { body });
    expectError(res, 400, "INVALID_ARGUMENT", "VALIDATION_FAILED");
    expect(res.body.error.details.map((d: any) => d.field)).toContain(field);
  });

  it("two concurrent resets with one token: exactly one wins, even when both read it as valid", async () => {
    const c = await customerWithEmailUsername();
    const token = await forgot(c.username);
    // Both requests are held at their write until both have read the token as usable: the
    // conditional write alone must decide.
    let arrived = 0;
    let release!: () => void;
    const bothRead = new Promise<void>((resolve) => (release = resolve));
    const DB = new Proxy(env.DB, {
      get(target, prop) {
        if (prop === "batch") {
          return async (statements: D1PreparedStatement[]) => {
            if (arrived < 2) {
              arrived++;
              if (arrived === 2) release();
              await bothRead;
            }
            return target.batch(statements);
          };
        }
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const results = await Promise.all(
      ["winner-password-a", "winner-password-b"].map((password) =>
        callAndSettle("POST", "/auth/password-reset", { body: { token, password }, env: { DB } }),
      ),
    );
    expect(arrived).toBe(2);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 400]);
    const winner = results[0]!.status === 200 ? "winner-password-a" : "winner-password-b";
    const loser = winner === "winner-password-a" ? "winner-password-b" : "winner-password-a";
    await login(c.username, winner);
    expectError(
      await api("POST", "/auth/login", { body: { username: c.username, password: loser } }),
      401,
      "UNAUTHENTICATED",
    );
  });
});

describe("reset links and the account's lifecycle", () => {
  it("deleting the customer removes its links; the cron prunes expired ones", async () => {
    const c = await customerWithEmailUsername();
    const token = await forgot(c.username);
    expect((await api("DELETE", `/v1.0/customers/${c.id}`, { token: await adminLogin() })).status).toBe(200);
    expect(await countRows("password_resets", c.id)).toBe(0);
    expectError(
      await api("POST", "/auth/password-reset", { body: { token, password: "after-deletion-pw" } }),
      400,
      "INVALID_ARGUMENT",
      "INVALID_RESET_TOKEN",
    );

    const d = await customerWithEmailUsername();
    await forgot(d.username);
    await env.DB.prepare("UPDATE password_resets SET tm_expire = ? WHERE customer_id = ?")
      .bind(Date.now() - 1, d.id)
      .run();
    await runCron();
    expect(await countRows("password_resets", d.id)).toBe(0);
  });
});

describe("passwordless signup", () => {
  it("signup without password → verify → 'set your password' mail → reset → login", async () => {
    const email = `${unique("nopw")}@example.com`;
    box = mailbox();
    const res = await callAndSettle("POST", "/auth/signup", { body: { email, accepted_tos: true } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.customer).toMatchObject({ email, status: "initial" });
    expect(res.body.accesskey.token).toMatch(/^vb_/);
    // Only the verification mail so far; no password can sign in.
    const verification = /email-verify\?token=([0-9a-f]{64})/.exec(box.to(email).join("\n"))![1]!;
    expect(box.to(email).join("\n")).not.toContain("/auth/password-reset");
    const agent = (await env.DB.prepare("SELECT password_hash FROM agents WHERE username = ?")
      .bind(email)
      .first<{ password_hash: string }>())!;
    expect(agent.password_hash).not.toMatch(/^pbkdf2/);
    expectError(
      await api("POST", "/auth/login", { body: { username: email, password: "any-password-at-all" } }),
      401,
      "UNAUTHENTICATED",
    );

    const verified = await callAndSettle("POST", "/auth/email-verify", { body: { token: verification } });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    expect(verified.body.customer.status).toBe("active");
    const mail = box.to(email).at(-1)!;
    expect(mail).toContain("Subject: Set your VoIPBIN password");
    const token = await box.resetToken(email);

    expect((await api("GET", `/auth/password-reset?token=${token}`)).status).toBe(200);
    expect(
      (await api("POST", "/auth/password-reset", { body: { token, password: "my-chosen-password" } })).status,
    ).toBe(200);
    const jwt = await login(email, "my-chosen-password");
    expect((await api("GET", "/v1.0/customer", { token: jwt })).body).toMatchObject({
      email,
      status: "active",
      email_verified: true,
    });
    expect((await customerRow(res.body.customer.id)).status).toBe("active");
  });

  it("a signup with a password, kept at verification, gets no 'set your password' mail", async () => {
    const email = `${unique("pw")}@example.com`;
    box = mailbox();
    await callAndSettle("POST", "/auth/signup", { body: { email, password: "signup-password-1", accepted_tos: true } });
    const verification = /email-verify\?token=([0-9a-f]{64})/.exec(box.to(email).join("\n"))![1]!;
    const body = { token: verification, signup_credentials: "keep" };
    expect((await callAndSettle("POST", "/auth/email-verify", { body })).status).toBe(200);
    expect(box.to(email)).toHaveLength(1);
    await login(email, "signup-password-1");
  });
});

describe("the OpenAPI document", () => {
  it("describes the reset paths, the optional passwords, token_prefix and tm_delete", async () => {
    const doc = (await api("GET", "/openapi.json")).body;
    expect(Object.keys(doc.paths["/auth/password-forgot"])).toEqual(["post"]);
    expect(Object.keys(doc.paths["/auth/password-reset"]).sort()).toEqual(["get", "post"]);
    expect(doc.paths["/auth/password-reset"].get.responses["200"].content).toHaveProperty("text/html");
    const schemas = doc.components.schemas;
    expect(schemas.PasswordResetRequest.required.sort()).toEqual(["password", "token"]);
    expect(schemas.PasswordResetRequest.properties.token.pattern).toBe("^[0-9a-f]{64}$");
    expect(schemas.SignupRequest.required.sort()).toEqual(["accepted_tos", "email"]);
    expect(schemas.CustomerCreate.required ?? []).toEqual([]);
    expect(schemas.Accesskey.properties).toHaveProperty("token_prefix");
    expect(schemas.Accesskey.properties).toHaveProperty("tm_delete");
    expect(schemas.CustomerMetadataUpdate.required ?? []).toEqual([]);
  });
});
