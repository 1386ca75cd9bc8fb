import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { adminLogin, api } from "../helpers";
import { backdate, customerRow, lifecycleStub, runCron, signup } from "../helpers/lifecycle";

const HOUR = 3600_000;
const PII = {
  name: "Expiring Person Ltd",
  detail: "private detail",
  phone_number: "+15550001111",
  address: "1 Secret Lane",
};

async function expectAnonymized(id: string, email: string) {
  const row = await customerRow(id);
  expect(row).toMatchObject({
    status: "expired",
    email: "",
    name: "",
    detail: "",
    phone_number: "",
    address: "",
    webhook_uri: "",
    webhook_secret: "",
    email_verified: 0,
  });
  const { results } = await env.DB.prepare("SELECT type, data FROM customer_events WHERE customer_id = ?")
    .bind(id)
    .all<{ type: string; data: string }>();
  // Nothing of the signup's pending credentials is left on record either.
  const pending = await env.DB.prepare("SELECT count(*) AS n FROM signup_credentials WHERE customer_id = ?")
    .bind(id)
    .first<{ n: number }>();
  expect(pending!.n).toBe(0);
  // Only the anonymized expiry event remains: the created/updated events carried the PII.
  expect(results.map((e) => e.type)).toEqual(["customer_expired"]);
  for (const e of results) {
    for (const value of [email, ...Object.values(PII)]) expect(e.data).not.toContain(value);
  }
}

describe("an expired signup keeps no PII", () => {
  it("the alarm anonymizes the row and its events, as deletion does, and the email signs up again", async () => {
    const s = await signup(PII);
    const id = s.body.customer.id;
    // One more event carrying PII, from the operator (an unverified signup's own credentials
    // cannot change the account).
    const operator = await adminLogin();
    const put = await api("PUT", `/v1.0/customers/${id}`, { token: operator, body: { address: PII.address } });
    expect(put.status).toBe(200);

    await backdate(id, { tm_create: Date.now() - 2 * HOUR });
    await lifecycleStub(id).trackSignup(id);
    expect(await runDurableObjectAlarm(lifecycleStub(id))).toBe(true);
    await expectAnonymized(id, s.email);

    const again = await signup({ email: s.email });
    expect(again.body.customer.id).not.toBe(id);
    expect(again.body.customer.email).toBe(s.email);
  });

  it("so does the cron's sweep of a signup whose alarm was missed", async () => {
    const s = await signup(PII);
    const id = s.body.customer.id;
    await backdate(id, { tm_create: Date.now() - 2 * HOUR });
    await runCron();
    await expectAnonymized(id, s.email);
  });
});
