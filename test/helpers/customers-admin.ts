import { env } from "cloudflare:test";
import { expect } from "vitest";
import { type ApiResponse, CUSTOMER_KEYS, expectError, ISO_UTC, unique } from ".";

// ---------------------------------------------------------------------------------------------
// Helpers of the operator's customer tests (customers-admin-create.test.ts and
// customers-admin-routes.test.ts)
// ---------------------------------------------------------------------------------------------

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The seeds' example body of POST /v1.0/customers (email made concrete). */
export const SEED_CREATE = {
  username: "test1",
  password: "ee5f3d14-5ac6-11ed-808e-6f7d676a444b",
  name: "Test Company",
  detail: "Test customer account",
  email: "test@test-company.com",
  webhook_method: "POST",
  webhook_uri: "https://webhooks.test-company.com/voipbin",
};

export function expectCustomerShape(body: any) {
  expect(Object.keys(body).sort()).toEqual([...CUSTOMER_KEYS].sort());
  expect(body.id).toMatch(UUID);
  expect(Object.keys(body.metadata)).toEqual(["rtp_debug"]);
  expect(typeof body.metadata.rtp_debug).toBe("boolean");
  expect(body.tm_create).toMatch(ISO_UTC);
  expect(body.tm_update).toMatch(ISO_UTC);
  if (body.tm_delete !== null) expect(body.tm_delete).toMatch(ISO_UTC);
  if (body.tm_deletion_scheduled !== null) expect(body.tm_deletion_scheduled).toMatch(ISO_UTC);
}

export function fieldsOf(res: ApiResponse): string[] {
  return (res.body?.error?.details ?? []).flatMap((d: any) => String(d.field ?? "").split(","));
}

export function expectInvalid(res: ApiResponse, field: string) {
  expectError(res, 400, "INVALID_ARGUMENT");
  expect(fieldsOf(res), JSON.stringify(res.body.error.details)).toContain(field);
}

export async function counts() {
  const one = async (sql: string) => (await env.DB.prepare(sql).first<{ n: number }>())!.n;
  return {
    customers: await one("SELECT COUNT(*) AS n FROM customers"),
    agents: await one("SELECT COUNT(*) AS n FROM agents"),
    events: await one("SELECT COUNT(*) AS n FROM customer_events"),
  };
}

export const freshBody = (extra: Record<string, unknown> = {}) => ({
  username: `${unique("u")}@example.com`,
  password: "long-enough-password",
  name: "Fresh Co",
  email: `${unique("fresh")}@example.com`,
  ...extra,
});

export function expectNotContaining(res: ApiResponse, secrets: string[]) {
  const text = JSON.stringify(res.body);
  for (const s of secrets) expect(text).not.toContain(s);
}
