import { expect } from "vitest";
import { adminLogin, api } from "./helpers";

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
