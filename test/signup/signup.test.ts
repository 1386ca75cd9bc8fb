import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { adminLogin, api, createCustomer, expectError, login } from "../helpers";
import { backdate, countRows, customerRow, lifecycleStub, runCron, signup } from "../helpers/lifecycle";

const HOUR = 3600_000;

describe("POST /auth/signup", () => {
  it("creates an initial customer, its admin agent (username = email) and a default access key", async () => {
    const s = await signup({ detail: "d", phone_number: "+15551234567" });
    const { customer, accesskey } = s.body;
    expect(customer).toMatchObject({
      email: s.email,
      status: "initial",
      email_verified: false,
      identity_verification_status: "none",
      detail: "d",
    });
    expect(accesskey.name).toBe("default");
    expect(accesskey.token).toMatch(/^vb_[A-Za-z0-9]{32}$/);
    const expireIn = Date.parse(accesskey.tm_expire) - Date.parse(accesskey.tm_create);
    expect(expireIn).toBe(365 * 24 * HOUR);
    // The agent logs in with the email; the access key works too.
    const token = await login(s.email, s.password);
    expect((await api("GET", "/v1.0/customer", { token })).body.status).toBe("initial");
    expect((await api("GET", "/v1.0/customer", { token: accesskey.token })).status).toBe(200);
    // The signup's alarm is set for the expiry.
    const alarm = await lifecycleStub(customer.id);
    expect(alarm).toBeDefined();
  });

  it("answers {} for a taken email, so it reveals nothing", async () => {
    const existing = await createCustomer();
    const before = await env.DB.prepare("SELECT count(*) AS n FROM customers").first<{ n: number }>();
    const res = await api("POST", "/auth/signup", {
      body: { email: existing.email, password: "another-password", accepted_tos: true },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    const after = await env.DB.prepare("SELECT count(*) AS n FROM customers").first<{ n: number }>();
    expect(after!.n).toBe(before!.n);
  });

  it.each([
    [{ password: "long-enough-pw", accepted_tos: true }, "email"],
    [{ accepted_tos: true }, "email"],
    [{ email: "x@example.com", password: "long-enough-pw" }, "accepted_tos"],
    [{ email: "x@example.com", password: "long-enough-pw", accepted_tos: false }, "accepted_tos"],
    [{ email: "not-an-email", password: "long-enough-pw", accepted_tos: true }, "email"],
    [{ email: "x@example.com", password: "short", accepted_tos: true }, "password"],
    [
      { email: "x@example.com", password: "long-enough-pw", accepted_tos: true, webhook_method: "PATCH" },
      "webhook_method",
    ],
    [{ email: "x@example.com", password: "long-enough-pw", accepted_tos: true, username: "sneaky" }, "username"],
  ])("rejects invalid input %j with a 400 naming %s", async (body, field) => {
    const res = await api("POST", "/auth/signup", { body });
    expectError(res, 400, "INVALID_ARGUMENT", "VALIDATION_FAILED");
    expect(res.body.error.details.map((d: any) => d.field)).toContain(field);
  });
});

describe("email verification", () => {
  it("serves a confirmation page that changes nothing by itself", async () => {
    const s = await signup();
    const page = await api("GET", `/auth/email-verify?token=${s.verificationToken}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("Content-Type")).toMatch(/text\/html/);
    expect(page.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
    expect(page.body).toContain("Confirm my email");
    expect((await customerRow(s.body.customer.id)).status).toBe("initial");
  });

  it("activates the customer once; a used, unknown or expired token is refused", async () => {
    const s = await signup();
    const ok = await api("POST", "/auth/email-verify", { body: { token: s.verificationToken } });
    expect(ok.status).toBe(200);
    expect(ok.body.customer).toMatchObject({ id: s.body.customer.id, status: "active", email_verified: true });
    // Verified: the expiry alarm is gone.
    expect(await runDurableObjectAlarm(lifecycleStub(s.body.customer.id))).toBe(false);

    expectError(
      await api("POST", "/auth/email-verify", { body: { token: s.verificationToken } }),
      400,
      "INVALID_ARGUMENT",
      "INVALID_VERIFICATION_TOKEN",
    );
    expectError(
      await api("POST", "/auth/email-verify", { body: { token: "ab".repeat(32) } }),
      400,
      "INVALID_ARGUMENT",
      "INVALID_VERIFICATION_TOKEN",
    );
    expectError(await api("POST", "/auth/email-verify", { body: { token: "nope" } }), 400, "INVALID_ARGUMENT");

    const late = await signup();
    await env.DB.prepare("UPDATE email_verifications SET tm_expire = ? WHERE customer_id = ?")
      .bind(Date.now() - 1, late.body.customer.id)
      .run();
    expectError(
      await api("POST", "/auth/email-verify", { body: { token: late.verificationToken } }),
      400,
      "INVALID_ARGUMENT",
      "INVALID_VERIFICATION_TOKEN",
    );
    expect((await customerRow(late.body.customer.id)).status).toBe("initial");
  });

  it("for an operator-created customer only sets email_verified", async () => {
    const c = await createCustomer();
    const { vi } = await import("vitest");
    const logged: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((...a) => void logged.push(a.join(" ")));
    try {
      expect((await api("POST", "/v1.0/customer/email_verification", { token: c.token })).status).toBe(200);
      await vi.waitFor(() => expect(logged.some((l) => l.includes(`To: ${c.email}`))).toBe(true));
    } finally {
      spy.mockRestore();
    }
    const token = /token=([0-9a-f]{64})/.exec(logged.find((l) => l.includes(`To: ${c.email}`))!)![1];
    const res = await api("POST", "/auth/email-verify", { body: { token } });
    expect(res.body.customer).toMatchObject({ status: "active", email_verified: true });
  });

  it("a token does not verify an address changed after it was sent", async () => {
    const s = await signup();
    // The operator's change (the signup's own credentials cannot change the address).
    const path = `/v1.0/customers/${s.body.customer.id}`;
    const operator = await adminLogin();
    expect((await api("PUT", path, { token: operator, body: { email: `changed-${s.email}` } })).status).toBe(200);
    expectError(
      await api("POST", "/auth/email-verify", { body: { token: s.verificationToken } }),
      400,
      "INVALID_ARGUMENT",
    );
  });
});

describe("signup expiry", () => {
  it("expires an unverified signup by its alarm: credentials stop, agents and keys go, the email is free", async () => {
    const s = await signup();
    const id = s.body.customer.id;
    const token = await login(s.email, s.password);
    // Not yet due: the alarm leaves it alone.
    expect(await runDurableObjectAlarm(lifecycleStub(id))).toBe(true);
    expect((await customerRow(id)).status).toBe("initial");

    await backdate(id, { tm_create: Date.now() - 2 * HOUR });
    await lifecycleStub(id).trackSignup(id);
    expect(await runDurableObjectAlarm(lifecycleStub(id))).toBe(true);
    expect((await customerRow(id)).status).toBe("expired");
    expectError(await api("GET", "/v1.0/customer", { token }), 401, "UNAUTHENTICATED");
    expectError(await api("GET", "/v1.0/customer", { token: s.body.accesskey.token }), 401, "UNAUTHENTICATED");
    expect(await countRows("agents", id)).toBe(0);
    expect(await countRows("accesskeys", id)).toBe(0);
    expectError(
      await api("POST", "/auth/login", { body: { username: s.email, password: s.password } }),
      401,
      "UNAUTHENTICATED",
    );
    // Verification after expiry is refused.
    expectError(
      await api("POST", "/auth/email-verify", { body: { token: s.verificationToken } }),
      400,
      "INVALID_ARGUMENT",
    );

    const again = await signup({ email: s.email });
    expect(again.body.customer.id).not.toBe(id);
  });

  it("the cron sweep expires signups whose alarm was missed", async () => {
    const s = await signup();
    const id = s.body.customer.id;
    await lifecycleStub(id);
    await backdate(id, { tm_create: Date.now() - 2 * HOUR });
    await runCron();
    expect((await customerRow(id)).status).toBe("expired");
    // Idempotent: a second sweep changes nothing.
    const before = await customerRow(id);
    await runCron();
    expect(await customerRow(id)).toEqual(before);
  });
});
