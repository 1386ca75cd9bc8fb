import { describe, expect, it } from "vitest";
import { createAccesskey, createCustomer, expectError, login, unique } from "../helpers";
import { asUser } from "../helpers/typed-client";
import { mailbox } from "../helpers/mail";
import { customerWithKey, mailedToken, sdk, wire } from "./replay";

/**
 * The platform's auth calls that none of the three clients wraps (signup, password-forgot,
 * password-reset, unregister, customer metadata), replayed with the contract's request bodies
 * (bin-openapi-manager/openapi/paths/auth/*.yaml): what a browser or a hand-written client of
 * the contract sends, typed from this service's OpenAPI document.
 */

const RESET = "/auth/password-reset";
const anonymous = asUser();

/** A customer whose admin agent's username is a mailbox (the customer's email). */
async function agentWithEmail(prefix: string) {
  const address = `${unique(prefix)}@example.com`;
  const c = await createCustomer({ username: address, email: address });
  return { ...c, username: address };
}

const forgot = (username: string) => anonymous.POST("/auth/password-forgot", { body: { username } });

describe("POST /auth/signup with the contract's body (email and accepted_tos, no password)", () => {
  it("signs up, and verifying the email mails a 'set your password' link that completes the account", async () => {
    const email = `${unique("pwless")}@example.com`;
    const signUp = () => anonymous.POST("/auth/signup", { body: { email, accepted_tos: true } });
    let signup: Awaited<ReturnType<typeof signUp>> | undefined;
    const verifyToken = await mailedToken(email, "/auth/email-verify", async () => {
      signup = await signUp();
    });
    expect(wire(signup!).status, wire(signup!).text).toBe(200);
    expect(signup!.data?.customer).toMatchObject({ email, status: "initial" });
    expect(signup!.data?.accesskey?.token).toMatch(/^vb_/);

    const page = await anonymous.GET("/auth/email-verify", {
      params: { query: { token: verifyToken } },
      parseAs: "text",
    });
    expect(wire(page).headers.get("Content-Type")).toMatch(/text\/html/);

    const verify = () => anonymous.POST("/auth/email-verify", { body: { token: verifyToken } });
    let verified: Awaited<ReturnType<typeof verify>> | undefined;
    const setToken = await mailedToken(email, RESET, async () => {
      verified = await verify();
    });
    expect(wire(verified!).status, wire(verified!).text).toBe(200);

    const reset = await anonymous.POST(RESET, { body: { token: setToken, password: "chosen-password-1" } });
    expect(wire(reset).status, wire(reset).text).toBe(200);
    expect(await login(email, "chosen-password-1")).toBeTypeOf("string");
  });

  it("still takes a password from existing callers", async () => {
    const email = `${unique("pw")}@example.com`;
    const res = await anonymous.POST("/auth/signup", {
      body: { email, password: "signup-password-1", accepted_tos: true },
    });
    expect(wire(res).status).toBe(200);
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
      const unknown = await forgot(nobody);
      const known = await forgot(c.username);
      expect(wire(unknown).status).toBe(200);
      expect(wire(known).status).toBe(200);
      expect(unknown.data).toEqual(known.data);
      expect(await box.resetToken(c.username)).toMatch(/^[0-9a-f]{64}$/);
      expect(box.to(nobody)).toEqual([]);
    } finally {
      box.stop();
    }
  });

  it("GET serves the HTML form for a well-formed token and 400 for a malformed one", async () => {
    const c = await agentWithEmail("fg");
    const token = await mailedToken(c.username, RESET, () => forgot(c.username));
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    const form = (token: string) => anonymous.GET(RESET, { params: { query: { token } }, parseAs: "text" });
    const page = await form(token);
    expect(wire(page).status).toBe(200);
    expect(wire(page).headers.get("Content-Type")).toMatch(/text\/html/);
    expect(wire(await form("A".repeat(64))).status).toBe(400);
    expect(wire(await form("short")).status).toBe(400);
  });

  it("POST {token, password} resets once, revokes the older logins, and the token is spent", async () => {
    const c = await agentWithEmail("rs");
    const token = await mailedToken(c.username, RESET, () => forgot(c.username));

    const res = await anonymous.POST(RESET, { body: { token, password: "brand-new-password" } });
    expect(wire(res).status, wire(res).text).toBe(200);
    expect(await login(c.username, "brand-new-password")).toBeTypeOf("string");
    const oldPassword = await anonymous.POST("/auth/login", { body: { username: c.username, password: c.password } });
    expect(wire(oldPassword).status, "old password").toBe(401);
    // The JWT issued before the reset no longer works.
    expect(wire(await asUser(c.token).GET("/v1.0/customer")).status, "JWT from before the reset").toBe(401);

    const again = await anonymous.POST(RESET, { body: { token, password: "another-password-2" } });
    expectError({ ...wire(again), body: wire(again).json }, 400, "INVALID_ARGUMENT");
  });

  it("refuses a short password and an unknown token with a 400", async () => {
    const c = await agentWithEmail("sh");
    const token = await mailedToken(c.username, RESET, () => forgot(c.username));
    expect(wire(await anonymous.POST(RESET, { body: { token, password: "short" } })).status).toBe(400);
    const unknown = await anonymous.POST(RESET, { body: { token: "0".repeat(64), password: "long-enough-password" } });
    expect(wire(unknown).status).toBe(400);
  });
});

describe("POST /auth/unregister with the contract's forms", () => {
  it("freezes with the password alone, and recovers with DELETE", async () => {
    const c = await createCustomer();
    const res = await asUser(c.token).POST("/auth/unregister", { body: { password: c.password } });
    expect(wire(res).status, wire(res).text).toBe(200);
    expect(res.data?.status).toBe("frozen");
    const back = await asUser(c.token).DELETE("/auth/unregister");
    expect(wire(back).status).toBe(200);
    expect(back.data?.status).toBe("active");
  });

  it("freezes with confirmation_phrase alone, over ?accesskey= (the API-key form)", async () => {
    const c = await createCustomer();
    const key = await createAccesskey(c.token);
    const res = await sdk(key).POST("/auth/unregister", { body: { confirmation_phrase: "DELETE" } });
    expect(wire(res).status, wire(res).text).toBe(200);
    expect(res.data?.status).toBe("frozen");
  });

  it("still needs the phrase for immediate deletion", async () => {
    const c = await createCustomer();
    const res = await asUser(c.token).POST("/auth/unregister", { body: { password: c.password, immediate: true } });
    expect(wire(res).status).toBe(400);
  });
});

describe("PUT /v1.0/customer/metadata", () => {
  it("treats a missing rtp_debug as false", async () => {
    const c = await customerWithKey("free");
    const on = await sdk(c.key).PUT("/v1.0/customer/metadata", { body: { rtp_debug: true } });
    expect(wire(on).status, wire(on).text).toBe(200);
    expect(on.data?.metadata.rtp_debug).toBe(true);
    const off = await sdk(c.key).PUT("/v1.0/customer/metadata", { body: {} });
    expect(wire(off).status, wire(off).text).toBe(200);
    expect(off.data?.metadata.rtp_debug).toBe(false);
  });
});
