import { describe, expect, it } from "vitest";
import { api, type ApiResponse, createAccesskey, createCustomer, expectError, login, unique } from "../helpers";
import { mailbox } from "../helpers/mail";
import { customerWithKey, mailedToken } from "./replay";

/**
 * The platform's auth calls that none of the three clients wraps (signup, password-forgot,
 * password-reset, unregister, customer metadata), replayed with the contract's request bodies
 * (bin-openapi-manager/openapi/paths/auth/*.yaml): what a browser or a hand-written client of
 * the contract sends.
 */

const RESET = "/auth/password-reset";

/** A customer whose admin agent's username is a mailbox (the customer's email). */
async function agentWithEmail(prefix: string) {
  const address = `${unique(prefix)}@example.com`;
  const c = await createCustomer({ username: address, email: address });
  return { ...c, username: address };
}

describe("POST /auth/signup with the contract's body (email and accepted_tos, no password)", () => {
  it("signs up, and verifying the email mails a 'set your password' link that completes the account", async () => {
    const email = `${unique("pwless")}@example.com`;
    let signup: ApiResponse | undefined;
    const verifyToken = await mailedToken(email, "/auth/email-verify", async () => {
      signup = await api("POST", "/auth/signup", { body: { email, accepted_tos: true } });
    });
    expect(signup!.status, JSON.stringify(signup!.body)).toBe(200);
    expect(signup!.body.customer).toMatchObject({ email, status: "initial" });
    expect(signup!.body.accesskey.token).toMatch(/^vb_/);

    let verified: ApiResponse | undefined;
    const setToken = await mailedToken(email, RESET, async () => {
      verified = await api("POST", "/auth/email-verify", { body: { token: verifyToken } });
    });
    expect(verified!.status, JSON.stringify(verified!.body)).toBe(200);

    const reset = await api("POST", RESET, { body: { token: setToken, password: "chosen-password-1" } });
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    expect(await login(email, "chosen-password-1")).toBeTypeOf("string");
  });

  it("still takes a password from existing callers", async () => {
    const email = `${unique("pw")}@example.com`;
    const res = await api("POST", "/auth/signup", {
      body: { email, password: "signup-password-1", accepted_tos: true },
    });
    expect(res.status).toBe(200);
    expect(await login(email, "signup-password-1")).toBeTypeOf("string");
  });
});

describe("POST /auth/password-forgot and /auth/password-reset", () => {
  it("answers 200 for a known and an unknown username alike, and mails a link only to the known one", async () => {
    const c = await agentWithEmail("known");
    const nobody = `${unique("nobody")}@example.com`;
    const box = mailbox();
    try {
      // The unknown first: by the time the known one's mail is there, a mail to nobody would be too.
      const unknown = await api("POST", "/auth/password-forgot", { body: { username: nobody } });
      const known = await api("POST", "/auth/password-forgot", { body: { username: c.username } });
      expect(unknown.status).toBe(200);
      expect(known.status).toBe(200);
      expect(unknown.body).toEqual(known.body);
      expect(await box.resetToken(c.username)).toMatch(/^[0-9a-f]{64}$/);
      expect(box.to(nobody)).toEqual([]);
    } finally {
      box.stop();
    }
  });

  it("GET serves the HTML form for a well-formed token and 400 for a malformed one", async () => {
    const c = await agentWithEmail("fg");
    const token = await mailedToken(c.username, RESET, () =>
      api("POST", "/auth/password-forgot", { body: { username: c.username } }),
    );
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    const page = await api("GET", `${RESET}?token=${token}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("Content-Type")).toMatch(/text\/html/);
    expect((await api("GET", `${RESET}?token=${"A".repeat(64)}`)).status).toBe(400);
    expect((await api("GET", `${RESET}?token=short`)).status).toBe(400);
  });

  it("POST {token, password} resets once, revokes the older logins, and the token is spent", async () => {
    const c = await agentWithEmail("rs");
    const token = await mailedToken(c.username, RESET, () =>
      api("POST", "/auth/password-forgot", { body: { username: c.username } }),
    );

    const res = await api("POST", RESET, { body: { token, password: "brand-new-password" } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await login(c.username, "brand-new-password")).toBeTypeOf("string");
    expect(
      (await api("POST", "/auth/login", { body: { username: c.username, password: c.password } })).status,
      "old password",
    ).toBe(401);
    // The JWT issued before the reset no longer works.
    expect((await api("GET", "/v1.0/customer", { token: c.token })).status, "JWT from before the reset").toBe(401);

    expectError(await api("POST", RESET, { body: { token, password: "another-password-2" } }), 400, "INVALID_ARGUMENT");
  });

  it("refuses a short password and an unknown token with a 400", async () => {
    const c = await agentWithEmail("sh");
    const token = await mailedToken(c.username, RESET, () =>
      api("POST", "/auth/password-forgot", { body: { username: c.username } }),
    );
    expect((await api("POST", RESET, { body: { token, password: "short" } })).status).toBe(400);
    expect(
      (await api("POST", RESET, { body: { token: "0".repeat(64), password: "long-enough-password" } })).status,
    ).toBe(400);
  });
});

describe("POST /auth/unregister with the contract's forms", () => {
  it("freezes with the password alone, and recovers with DELETE", async () => {
    const c = await createCustomer();
    const res = await api("POST", "/auth/unregister", { token: c.token, body: { password: c.password } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe("frozen");
    const back = await api("DELETE", "/auth/unregister", { token: c.token });
    expect(back.status).toBe(200);
    expect(back.body.status).toBe("active");
  });

  it("freezes with confirmation_phrase alone, over ?accesskey= (the API-key form)", async () => {
    const c = await createCustomer();
    const key = await createAccesskey(c.token);
    const res = await api("POST", `/auth/unregister?accesskey=${key}`, { body: { confirmation_phrase: "DELETE" } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe("frozen");
  });

  it("still needs the phrase for immediate deletion", async () => {
    const c = await createCustomer();
    const res = await api("POST", "/auth/unregister", {
      token: c.token,
      body: { password: c.password, immediate: true },
    });
    expect(res.status).toBe(400);
  });
});

describe("PUT /v1.0/customer/metadata", () => {
  it("treats a missing rtp_debug as false", async () => {
    const c = await customerWithKey();
    const on = await api("PUT", `/v1.0/customer/metadata?accesskey=${c.key}`, { body: { rtp_debug: true } });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    expect(on.body.metadata.rtp_debug).toBe(true);
    const off = await api("PUT", `/v1.0/customer/metadata?accesskey=${c.key}`, { body: {} });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(off.body.metadata.rtp_debug).toBe(false);
  });
});
