import { afterEach, describe, expect, it, vi } from "vitest";
import { adminLogin, api, type ApiResponse, createCustomer, expectError, login, unique } from "../helpers";
import { customerRow } from "../helpers/lifecycle";
import { callAndSettle, mailbox } from "../helpers/mail";

// Issue 21, defects 2, 3 and 11: whoever proves control of the mailbox ends up the sole owner.
// A signup hands out credentials before that proof; none of them outlives it unless the
// mailbox owner keeps it, and no link that sets a password reaches anyone but its mailbox.

let box: ReturnType<typeof mailbox> | undefined;
afterEach(() => {
  box?.stop();
  box = undefined;
});

const verifyLink = (address: string) => {
  const mails = box!.to(address).join("\n");
  const tokens = [...mails.matchAll(/\/auth\/email-verify\?token=([0-9a-f]{64})/g)].map((m) => m[1]!);
  expect(tokens.length, `no verification link mailed to ${address}`).toBeGreaterThan(0);
  return tokens.at(-1)!;
};

const resetLinks = (address: string) =>
  box!.to(address).flatMap((l) => [...l.matchAll(/\/auth\/password-reset\?token=([0-9a-f]{64})/g)].map((m) => m[1]!));

/** An attacker's signup of `victim`'s address: its answer (the key) and, given a password, a session. */
async function attackerSignup(victim: string, password?: string) {
  box ??= mailbox();
  const res = await callAndSettle("POST", "/auth/signup", {
    body: { email: victim, accepted_tos: true, ...(password ? { password } : {}) },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return {
    customerId: res.body.customer.id as string,
    key: res.body.accesskey as { id: string; token: string; tm_create: string },
    session: password ? await login(victim, password) : undefined,
  };
}

const status = async (token: string) => (await api("GET", "/v1.0/customer", { token })).status;

/** The victim follows the "set your password" mail and signs in. */
async function ownerSetsPassword(victim: string, password: string) {
  let token: string | undefined;
  await vi.waitFor(() => {
    token = resetLinks(victim).at(-1);
    expect(token, `no set-password link mailed to ${victim}`).toBeDefined();
  });
  const res = await api("POST", "/auth/password-reset", { body: { token, password } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return login(victim, password);
}

describe("account pre-hijacking through a signup (defect 2)", () => {
  it("the verification page says what the signup created, and offers to keep or revoke it", async () => {
    const victim = `${unique("page")}@example.com`;
    const attack = await attackerSignup(victim, "attacker-password-1");
    const page = await api("GET", `/auth/email-verify?token=${verifyLink(victim)}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
    expect(page.body).toContain(victim);
    expect(page.body).toContain(`an access key named "default", created at ${attack.key.tm_create}`);
    expect(page.body).toContain(`a password for ${victim}, chosen at signup`);
    expect(page.body).toContain('data-choice="keep"');
    expect(page.body).toContain('data-choice="revoke"');
    // Opening it decides nothing.
    expect((await customerRow(attack.customerId)).status).toBe("initial");
    expect(await status(attack.key.token)).toBe(200);

    // An operator-made customer's verification has nothing of the kind to decide.
    const c = await createCustomer();
    expect((await callAndSettle("POST", "/v1.0/customer/email_verification", { token: c.token })).status).toBe(200);
    const plain = await api("GET", `/auth/email-verify?token=${verifyLink(c.email)}`);
    expect(plain.status).toBe(200);
    expect(plain.body).toContain("Confirm my email");
    expect(plain.body).not.toContain("access key");
    expect(plain.body).not.toContain('data-choice="revoke"');
    // An unknown token gets an explanation, not a button.
    const unknown = await api("GET", `/auth/email-verify?token=${"ab".repeat(32)}`);
    expect(unknown.status).toBe(400);
    expect(unknown.body).not.toContain("<button");
  });

  it("revoked on the verification page: the attacker's key, password and sessions stop; the owner sets a password", async () => {
    const victim = `${unique("revoke")}@example.com`;
    const attack = await attackerSignup(victim, "attacker-password-1");
    const verified = await callAndSettle("POST", "/auth/email-verify", {
      body: { token: verifyLink(victim), signup_credentials: "revoke" },
    });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    expect(verified.body.customer).toMatchObject({ status: "active", email_verified: true });

    expectError(await api("GET", "/v1.0/customer", { token: attack.key.token }), 401, "UNAUTHENTICATED");
    expectError(await api("GET", "/v1.0/customer", { token: attack.session }), 401, "UNAUTHENTICATED");
    expectError(
      await api("POST", "/auth/login", { body: { username: victim, password: "attacker-password-1" } }),
      401,
      "UNAUTHENTICATED",
    );
    expectError(
      await api("POST", "/auth/unregister", {
        token: attack.key.token,
        body: { confirmation_phrase: "DELETE", immediate: true },
      }),
      401,
      "UNAUTHENTICATED",
    );
    // The mailbox owner chooses a password through the mail that follows, and owns the account.
    const owner = await ownerSetsPassword(victim, "owner-password-1");
    expect((await api("GET", "/v1.0/customer", { token: owner })).body).toMatchObject({
      id: attack.customerId,
      status: "active",
    });
    expect((await api("GET", "/v1.0/accesskeys", { token: owner })).body.result).toEqual([]);
  });

  it.each([
    ["without a password", undefined],
    ["with a password", "attacker-password-1"],
  ])("verified through the API without a choice (signup %s): revoked, as on the page", async (_n, pw) => {
    const victim = `${unique("default")}@example.com`;
    const attack = await attackerSignup(victim, pw);
    const verified = await callAndSettle("POST", "/auth/email-verify", { body: { token: verifyLink(victim) } });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    expectError(await api("GET", "/v1.0/customer", { token: attack.key.token }), 401, "UNAUTHENTICATED");
    if (attack.session)
      expectError(await api("GET", "/v1.0/customer", { token: attack.session }), 401, "UNAUTHENTICATED");
    expectError(
      await api("POST", "/v1.0/accesskeys", { token: attack.key.token, body: { name: "persist" } }),
      401,
      "UNAUTHENTICATED",
    );
    const owner = await ownerSetsPassword(victim, "owner-password-1");
    expect((await api("GET", "/v1.0/accesskeys", { token: owner })).body.result).toEqual([]);
  });

  it("a password set through a mailed link before the verification revokes them too", async () => {
    const victim = `${unique("early")}@example.com`;
    const attack = await attackerSignup(victim, "attacker-password-1");
    // The mailbox owner resets the admin's password before verifying.
    expect((await callAndSettle("POST", "/auth/password-forgot", { body: { username: victim } })).status).toBe(200);
    const owner = await ownerSetsPassword(victim, "owner-password-1");
    expectError(await api("GET", "/v1.0/customer", { token: attack.key.token }), 401, "UNAUTHENTICATED");
    expectError(await api("GET", "/v1.0/customer", { token: attack.session }), 401, "UNAUTHENTICATED");
    expect((await api("GET", "/v1.0/customer", { token: owner })).body).toMatchObject({ status: "initial" });
    // Verifying later keeps the owner's password: only the signup's credentials were in question.
    const verified = await callAndSettle("POST", "/auth/email-verify", { body: { token: verifyLink(victim) } });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    expect((await api("GET", "/v1.0/customer", { token: await login(victim, "owner-password-1") })).status).toBe(200);
  });

  it("kept on the verification page: the key outlives a later password reset", async () => {
    const email = `${unique("keep")}@example.com`;
    const own = await attackerSignup(email, "my-own-password-1");
    const verified = await callAndSettle("POST", "/auth/email-verify", {
      body: { token: verifyLink(email), signup_credentials: "keep" },
    });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    expect(await status(own.key.token)).toBe(200);
    expect(await status(own.session!)).toBe(200);
    expect((await callAndSettle("POST", "/auth/password-forgot", { body: { username: email } })).status).toBe(200);
    await ownerSetsPassword(email, "a-new-password-1");
    expect(await status(own.key.token)).toBe(200);
  });

  it("a choice decides nothing when the verification itself fails", async () => {
    const victim = `${unique("fail")}@example.com`;
    const attack = await attackerSignup(victim, "attacker-password-1");
    const token = verifyLink(victim);
    // The operator moves the address on: the link no longer verifies anything.
    const operator = await adminLogin();
    const moved = `moved-${victim}`;
    expect(
      (await api("PUT", `/v1.0/customers/${attack.customerId}`, { token: operator, body: { email: moved } })).status,
    ).toBe(200);
    expectError(
      await api("POST", "/auth/email-verify", { body: { token, signup_credentials: "revoke" } }),
      400,
      "INVALID_ARGUMENT",
      "INVALID_VERIFICATION_TOKEN",
    );
    expect(await status(attack.key.token)).toBe(200);
    expect(await status(attack.session!)).toBe(200);
  });

  it("rejects an unknown choice with a 400 naming the field", async () => {
    const res = await api("POST", "/auth/email-verify", {
      body: { token: "ab".repeat(32), signup_credentials: "maybe" },
    });
    expectError(res, 400, "INVALID_ARGUMENT", "VALIDATION_FAILED");
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain("signup_credentials");
  });
});

describe("until the address is verified, the signup's credentials read, resend and unregister only", () => {
  /** Every write of the OpenAPI document under /v1.0, with made-up ids. */
  async function writeOperations(): Promise<[string, string][]> {
    const doc = (await api("GET", "/openapi.json")).body as { paths: Record<string, Record<string, unknown>> };
    const ops: [string, string][] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      if (!path.startsWith("/v1.0/")) continue;
      for (const method of Object.keys(item)) {
        if (["get", "head", "options", "parameters"].includes(method)) continue;
        ops.push([method.toUpperCase(), path.replace(/\{[^}]+\}/g, crypto.randomUUID())]);
      }
    }
    return ops;
  }

  it("every other write under /v1.0 answers 403 ACCOUNT_NOT_ACTIVE, for the key and the signup's session alike", async () => {
    const victim = `${unique("initial")}@example.com`;
    const attack = await attackerSignup(victim, "attacker-password-1");
    const ops = await writeOperations();
    expect(ops.length).toBeGreaterThan(40);
    const resend = ops.filter(([m, p]) => `${m} ${p}` === "POST /v1.0/customer/email_verification");
    expect(resend).toHaveLength(1);
    const refused: string[] = [];
    for (const credential of [attack.key.token, attack.session!]) {
      for (const [method, path] of ops) {
        if (`${method} ${path}` === "POST /v1.0/customer/email_verification") continue;
        const res: ApiResponse = await api(method, path, { token: credential, body: {} });
        if (res.status !== 403 || res.body?.error?.reason !== "ACCOUNT_NOT_ACTIVE")
          refused.push(`${method} ${path} ${res.status}`);
      }
    }
    expect(refused).toEqual([]);
    const after = await customerRow(attack.customerId);
    expect(after).toMatchObject({ email: victim, status: "initial" });

    // Reads work: a headless client uses its key at once.
    const me = await api("GET", "/v1.0/customer", { token: attack.key.token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: attack.customerId, status: "initial" });
    expect((await api("GET", "/v1.0/accesskeys", { token: attack.key.token })).status).toBe(200);
    // Resending the verification works; unregistering (immediately, with the phrase) too.
    expect((await callAndSettle("POST", "/v1.0/customer/email_verification", { token: attack.key.token })).status).toBe(
      200,
    );
    const gone = await api("POST", "/auth/unregister", {
      token: attack.key.token,
      body: { confirmation_phrase: "DELETE", immediate: true },
    });
    expect(gone.status, JSON.stringify(gone.body)).toBe(200);
    expect(gone.body.status).toBe("deleted");
  });
});

describe("set-password links reach only their own mailbox (defect 3)", () => {
  it("an unverified signup cannot move its address elsewhere", async () => {
    const victim = `${unique("v")}@example.com`;
    const attack = await attackerSignup(victim);
    const elsewhere = `${unique("attacker")}@example.com`;
    const res = await api("PUT", "/v1.0/customer", { token: attack.key.token, body: { email: elsewhere } });
    expectError(res, 403, "PERMISSION_DENIED", "ACCOUNT_NOT_ACTIVE");
    expect((await customerRow(attack.customerId)).email).toBe(victim);
  });

  it("the admin whose username is V gets its 'set your password' mail at V, whatever the customer's email became", async () => {
    const v = `${unique("v")}@example.com`;
    const a = `${unique("a")}@example.com`;
    const attack = await attackerSignup(v);
    // The only way left to move an unverified signup's address: the operator's.
    const operator = await adminLogin();
    expect(
      (await api("PUT", `/v1.0/customers/${attack.customerId}`, { token: operator, body: { email: a } })).status,
    ).toBe(200);
    expect((await callAndSettle("POST", "/v1.0/customer/email_verification", { token: attack.key.token })).status).toBe(
      200,
    );
    const verified = await callAndSettle("POST", "/auth/email-verify", { body: { token: verifyLink(a) } });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    await vi.waitFor(() => expect(resetLinks(v)).toHaveLength(1));
    expect(resetLinks(a)).toEqual([]);
    // V's link sets V's password.
    const res = await api("POST", "/auth/password-reset", {
      body: { token: resetLinks(v)[0], password: "v-owner-pw-1" },
    });
    expect(res.status).toBe(200);
    await login(v, "v-owner-pw-1");
  });
});
