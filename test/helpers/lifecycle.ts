import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { expect, vi } from "vitest";
import worker from "../../src";
import { api, unique } from ".";

export const lifecycleStub = (customerId: string) =>
  env.CUSTOMER_LIFECYCLE.get(env.CUSTOMER_LIFECYCLE.idFromName(customerId));

export async function customerRow(id: string): Promise<Record<string, any>> {
  const row = await env.DB.prepare("SELECT * FROM customers WHERE id = ?").bind(id).first();
  expect(row).not.toBeNull();
  return row!;
}

export async function countRows(table: string, customerId: string): Promise<number> {
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE customer_id = ?`)
    .bind(customerId)
    .first<{ n: number }>();
  return row!.n;
}

/** Moves a customer's timestamps into the past, as if time had passed. */
export async function backdate(id: string, columns: Record<string, number>) {
  const sets = Object.keys(columns)
    .map((c) => `${c} = ?`)
    .join(", ");
  await env.DB.prepare(`UPDATE customers SET ${sets} WHERE id = ?`)
    .bind(...Object.values(columns), id)
    .run();
}

export async function runCron(scheduledTime = Date.now()) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime, cron: "*/15 * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

/**
 * Signs up through the API and captures the verification link the service writes to its log
 * (no EMAIL binding in tests).
 */
export async function signup(overrides: Record<string, unknown> = {}) {
  const email = (overrides.email as string) ?? `${unique("s")}@example.com`;
  const password = "signup-password-1";
  const logged: string[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    logged.push(args.map(String).join(" "));
  });
  try {
    const res = await api("POST", "/auth/signup", {
      body: { email, password, accepted_tos: true, name: "Signup Co", ...overrides },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    let token: string | undefined;
    await vi.waitFor(() => {
      const line = logged.find((l) => l.includes(`To: ${email}`));
      token = line && /email-verify\?token=([0-9a-f]{64})/.exec(line)?.[1];
      if (!res.body.customer) return; // refused signups send nothing
      expect(token).toBeDefined();
    });
    return { email, password, body: res.body, verificationToken: token };
  } finally {
    spy.mockRestore();
  }
}
