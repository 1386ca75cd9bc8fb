import { env } from "cloudflare:test";
import { expect } from "vitest";
import { adminLogin, api } from ".";

export type Plan = "free" | "basic" | "professional" | "unlimited";

/** The operator sets a billing account's plan (PUT /v1.0/billing_accounts/{id}/plan_type). */
export async function changePlan(billingAccountId: string, plan: Plan) {
  const res = await api("PUT", `/v1.0/billing_accounts/${billingAccountId}/plan_type`, {
    token: await adminLogin(),
    body: { plan_type: plan },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/**
 * Puts a customer on `plan` the way the platform does: a billing account of its own, made its
 * default, whose plan_type the operator sets. Answers that billing account's id (for changePlan).
 */
export async function setPlan(customer: { token: string }, plan: Plan): Promise<string> {
  const account = await api("POST", "/v1.0/billing_accounts", {
    token: customer.token,
    body: { name: `${plan} plan`, currency: "USD" },
  });
  expect(account.status, JSON.stringify(account.body)).toBe(200);
  const made = await api("PUT", "/v1.0/customer/billing_account_id", {
    token: customer.token,
    body: { billing_account_id: account.body.id },
  });
  expect(made.status, JSON.stringify(made.body)).toBe(200);
  await changePlan(account.body.id, plan);
  return account.body.id;
}

const UUID_SQL =
  "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || " +
  "substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))";

/** Each kind's NOT NULL columns without a default, as SQL over the sequence number n. */
const SEED_COLUMNS: Record<string, Record<string, string>> = {
  agents: {
    username: "'seed-' || lower(hex(randomblob(8))) || '@example.com'",
    password_hash: "'!unusable$seed'",
    permission: "16",
  },
  extensions: { extension: "'seed' || n", password_sealed: "''" },
  queues: {},
  trunks: {},
  flows: {},
  // ?2: a random base, so numbers stay unique across customers.
  virtual_numbers: { number: "'+899' || printf('%011d', ?2 + n)" },
  pstn_numbers: { number: "'+1555' || printf('%07d', ?2 + n)" },
};

/**
 * `count` rows of one kind for a customer, straight into D1 in one statement (setup for the
 * limit tests: getting near a limit of 500 or 10,000 through the API would take minutes).
 */
export async function seedKind(customerId: string, kind: keyof typeof SEED_COLUMNS, count: number) {
  if (count <= 0) return;
  const table = kind.endsWith("numbers") ? "numbers" : kind;
  const extra = SEED_COLUMNS[kind] ?? {};
  const columns = ["id", "customer_id", "tm_create", "tm_update", ...Object.keys(extra)];
  const values = [UUID_SQL, "?1", "?3 + n", "?3 + n", ...Object.values(extra)];
  await env.DB.prepare(
    `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${count})
     INSERT INTO ${table} (${columns.join(", ")}) SELECT ${values.join(", ")} FROM seq`,
  )
    .bind(customerId, Math.floor(Math.random() * 1e9) * 10, Date.now() - 86_400_000)
    .run();
}
