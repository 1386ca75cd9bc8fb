import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SIGNUPS_PER_CLIENT_PER_HOUR } from "../../src/auth/attempt-limiter";
import { MAILS_PER_CUSTOMER_PER_HOUR, MAILS_PER_RECIPIENT_PER_HOUR, sendEmail } from "../../src/domain/mail";
import { api, createCustomer, expectError, unique } from "../helpers";

// Issue 12, defect 5: nobody can make the service flood an inbox, or sign up without end.

const expectLimited = (res: Awaited<ReturnType<typeof api>>, reason: string, maxSeconds: number) => {
  expectError(res, 429, "RESOURCE_EXHAUSTED", reason);
  const retryAfter = Number(res.headers.get("Retry-After"));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
};

const resend = (token: string) => api("POST", "/v1.0/customer/email_verification", { token });

describe("mail limits", () => {
  it("per recipient: a customer pointing its email at a victim gets 5 mails out an hour, then 429", async () => {
    const c = await createCustomer();
    const victim = `${unique("victim")}@example.com`;
    expect((await api("PUT", "/v1.0/customer", { token: c.token, body: { email: victim } })).status).toBe(200);
    for (let i = 0; i < MAILS_PER_RECIPIENT_PER_HOUR; i++) expect((await resend(c.token)).status).toBe(200);
    expectLimited(await resend(c.token), "TOO_MANY_EMAILS", 3600);
    // The limit is the address's: the same customer mails another address at once.
    expect(
      (await api("PUT", "/v1.0/customer", { token: c.token, body: { email: `${unique("other")}@example.com` } }))
        .status,
    ).toBe(200);
    expect((await resend(c.token)).status).toBe(200);
  });

  it("per customer: 20 mails an hour across any number of addresses, then 429", async () => {
    const c = await createCustomer();
    let sent = 0;
    while (sent < MAILS_PER_CUSTOMER_PER_HOUR) {
      const address = `${unique("rotating")}@example.com`;
      expect((await api("PUT", "/v1.0/customer", { token: c.token, body: { email: address } })).status).toBe(200);
      for (let i = 0; i < MAILS_PER_RECIPIENT_PER_HOUR - 1 && sent < MAILS_PER_CUSTOMER_PER_HOUR; i++, sent++) {
        expect((await resend(c.token)).status).toBe(200);
      }
    }
    expect(
      (await api("PUT", "/v1.0/customer", { token: c.token, body: { email: `${unique("fresh")}@example.com` } }))
        .status,
    ).toBe(200);
    expectLimited(await resend(c.token), "TOO_MANY_EMAILS", 3600);
  });

  it("sendEmail tells its caller when a mail was limited and not sent", async () => {
    const to = `${unique("direct")}@example.com`;
    const mail = { to, subject: "s", text: "t" };
    for (let i = 0; i < MAILS_PER_RECIPIENT_PER_HOUR; i++) expect(await sendEmail(env, mail)).toEqual({ sent: true });
    const limited = await sendEmail(env, { ...mail, to: to.toUpperCase() });
    expect(limited.sent).toBe(false);
    expect(!limited.sent && limited.retryAfterSeconds).toBeGreaterThan(0);
  });
});

describe("signup limits", () => {
  it("20 signups an hour per client address, then 429 with Retry-After; other clients are unaffected", async () => {
    const headers = { "CF-Connecting-IP": "192.0.2.150" };
    const signup = (h: Record<string, string>) =>
      api("POST", "/auth/signup", {
        body: { email: `${unique("su")}@example.com`, password: "signup-password-1", accepted_tos: true, name: "S" },
        headers: h,
      });
    for (let i = 0; i < SIGNUPS_PER_CLIENT_PER_HOUR; i++) {
      const res = await signup(headers);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.customer?.id).toBeTruthy();
    }
    const before = (await env.DB.prepare("SELECT count(*) AS n FROM customers").first<{ n: number }>())!.n;
    expectLimited(await signup(headers), "TOO_MANY_SIGNUPS", 3600);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM customers").first<{ n: number }>())!.n).toBe(before);
    expect((await signup({ "CF-Connecting-IP": "192.0.2.151" })).body.customer?.id).toBeTruthy();
  });
});
