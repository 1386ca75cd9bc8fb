import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { verificationSeam } from "../../src/domain/email-verification";
import { adminLogin, api, expectError } from "../helpers";
import { customerRow, signup } from "../helpers/lifecycle";

const verify = (token: string | undefined) => api("POST", "/auth/email-verify", { body: { token } });

const pendingTokens = async (customerId: string) =>
  (
    await env.DB.prepare("SELECT email FROM email_verifications WHERE customer_id = ? AND tm_used IS NULL")
      .bind(customerId)
      .all<{ email: string }>()
  ).results;

describe("a verification token binds to the address it was sent to", () => {
  afterEach(() => {
    verificationSeam.afterRead = undefined;
  });

  it("an email change landing between the verification's read and its write does not get verified", async () => {
    const s = await signup();
    const id = s.body.customer.id;
    // The operator's change: an unverified signup's own credentials cannot change anything.
    const operator = await adminLogin();
    const raced = `raced-${s.email}`;
    // The concurrent PUT runs exactly in the window: after the verification read the customer
    // (still at the token's address), before it writes.
    let injected = 0;
    verificationSeam.afterRead = async () => {
      verificationSeam.afterRead = undefined;
      const res = await api("PUT", `/v1.0/customers/${id}`, { token: operator, body: { email: raced } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      injected++;
    };

    expectError(await verify(s.verificationToken), 400, "INVALID_ARGUMENT", "INVALID_VERIFICATION_TOKEN");
    expect(injected).toBe(1);
    const row = await customerRow(id);
    expect(row).toMatchObject({ email: raced, email_verified: 0, status: "initial" });
    // No event ever recorded the new address as verified.
    const events = await env.DB.prepare("SELECT data FROM customer_events WHERE customer_id = ?")
      .bind(id)
      .all<{ data: string }>();
    for (const e of events.results) expect(JSON.parse(e.data).email_verified).toBe(false);
    // Not spendable later either: the change revoked it.
    expectError(await verify(s.verificationToken), 400, "INVALID_ARGUMENT", "INVALID_VERIFICATION_TOKEN");
    expect((await customerRow(id)).email_verified).toBe(0);
  });

  it("an unrelated change in the same window does not stop the verification", async () => {
    const s = await signup();
    const operator = await adminLogin();
    verificationSeam.afterRead = async () => {
      verificationSeam.afterRead = undefined;
      const path = `/v1.0/customers/${s.body.customer.id}`;
      expect((await api("PUT", path, { token: operator, body: { name: "Renamed Co" } })).status).toBe(200);
    };
    const ok = await verify(s.verificationToken);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.customer).toMatchObject({
      email: s.email,
      name: "Renamed Co",
      status: "active",
      email_verified: true,
    });
  });

  it("an email change revokes the links sent to the old address, even if the address comes back", async () => {
    const s = await signup();
    const id = s.body.customer.id;
    const operator = await adminLogin();
    const put = (email: string) => api("PUT", `/v1.0/customers/${id}`, { token: operator, body: { email } });
    expect(await pendingTokens(id)).toEqual([{ email: s.email }]);
    expect((await put(`moved-${s.email}`)).status).toBe(200);
    expect(await pendingTokens(id)).toEqual([]);
    expect((await put(s.email)).status).toBe(200);
    expectError(await verify(s.verificationToken), 400, "INVALID_ARGUMENT", "INVALID_VERIFICATION_TOKEN");
    expect(await customerRow(id)).toMatchObject({ email: s.email, email_verified: 0, status: "initial" });
  });
});
