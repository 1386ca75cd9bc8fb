import { beforeAll, describe, expect, it } from "vitest";
import { adminLogin, api, createAccesskey, createCustomer, type ApiResponse } from "../helpers";
import { createResource } from "../helpers/resources";

// Issue 21 #14: every operator write that changes a customer's data is in that customer's audit
// trail (GET /v1.0/customers/{id}/audit), attributed to the operator.

interface Target {
  id: string;
  billing: string;
}

interface OperatorWrite {
  /** Brings the target into the state the route needs (a frozen customer to recover). */
  prepare?(target: Target, token: string): Promise<void>;
  call(target: Target, token: string): Promise<ApiResponse>;
  /** The customer the write changed, when the route makes it. */
  affected?(res: ApiResponse): string;
}

const ops: Record<string, OperatorWrite> = {
  "POST /v1.0/customers": {
    call: (_t, token) =>
      api("POST", "/v1.0/customers", {
        token,
        body: { name: "Audited", email: `audited-${crypto.randomUUID()}@example.com` },
      }),
    affected: (res) => res.body.id,
  },
  "PUT /v1.0/customers/{id}": {
    call: (t, token) => api("PUT", `/v1.0/customers/${t.id}`, { token, body: { detail: "changed by the operator" } }),
  },
  "DELETE /v1.0/customers/{id}": {
    call: (t, token) => api("DELETE", `/v1.0/customers/${t.id}`, { token }),
  },
  "PUT /v1.0/customers/{id}/metadata": {
    call: (t, token) => api("PUT", `/v1.0/customers/${t.id}/metadata`, { token, body: { rtp_debug: true } }),
  },
  "PUT /v1.0/customers/{id}/billing_account_id": {
    call: (t, token) =>
      api("PUT", `/v1.0/customers/${t.id}/billing_account_id`, { token, body: { billing_account_id: t.billing } }),
  },
  "PUT /v1.0/customers/{id}/identity_verification_status": {
    call: (t, token) =>
      api("PUT", `/v1.0/customers/${t.id}/identity_verification_status`, {
        token,
        body: { identity_verification_status: "verified" },
      }),
  },
  "POST /v1.0/customers/{id}/freeze": {
    call: (t, token) => api("POST", `/v1.0/customers/${t.id}/freeze`, { token }),
  },
  "POST /v1.0/customers/{id}/recover": {
    async prepare(t, token) {
      expect((await api("POST", `/v1.0/customers/${t.id}/freeze`, { token })).status).toBe(200);
    },
    call: (t, token) => api("POST", `/v1.0/customers/${t.id}/recover`, { token }),
  },
  "POST /v1.0/billing_accounts/{id}/balance_add_force": {
    call: (t, token) =>
      api("POST", `/v1.0/billing_accounts/${t.billing}/balance_add_force`, { token, body: { balance: 5 } }),
  },
  "POST /v1.0/billing_accounts/{id}/balance_subtract_force": {
    call: (t, token) =>
      api("POST", `/v1.0/billing_accounts/${t.billing}/balance_subtract_force`, { token, body: { balance: 5 } }),
  },
  // The operator's plan change (CONTRACTS.md), once that route exists.
  "PUT /v1.0/billing_accounts/{id}/plan_type": {
    call: (t, token) =>
      api("PUT", `/v1.0/billing_accounts/${t.billing}/plan_type`, { token, body: { plan_type: "basic" } }),
  },
};

/** Operator routes by their paths: the customers admin API and the operator's billing-account writes. */
const OPERATOR_PATH = /^\/v1\.0\/(customers(\/|$)|billing_accounts\/\{id\}\/(balance_\w+_force|plan_type)$)/;

let documented: string[];
beforeAll(async () => {
  const doc = (await api("GET", "/openapi.json")).body as { paths: Record<string, Record<string, unknown>> };
  documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.keys(methods)
      .filter((m) => ["post", "put", "patch", "delete"].includes(m))
      .map((m) => `${m.toUpperCase()} ${path}`),
  );
});

async function target(): Promise<Target> {
  const c = await createCustomer();
  return { id: c.id, billing: (await createResource(c.token, "billing_accounts")).id };
}

async function auditEntryOf(customerId: string, res: ApiResponse) {
  const requestId = res.headers.get("X-Request-Id");
  const audit = await api("GET", `/v1.0/customers/${customerId}/audit?page_size=50`, { token: await adminLogin() });
  expect(audit.status).toBe(200);
  return audit.body.result.find((e: any) => e.request_id === requestId);
}

describe("operator writes in the customer's audit trail", () => {
  it("every operator write route of the document is covered here", () => {
    const operatorWrites = documented.filter((key) => OPERATOR_PATH.test(key.split(" ")[1]!));
    expect(operatorWrites.length).toBeGreaterThanOrEqual(10);
    for (const key of operatorWrites) expect(Object.keys(ops), key).toContain(key);
  });

  for (const [key, op] of Object.entries(ops)) {
    for (const credential of ["token", "access key"] as const) {
      it(`${key}, with the super admin's ${credential}`, async (ctx) => {
        if (!documented.includes(key)) ctx.skip();
        const admin = await adminLogin();
        const token = credential === "token" ? admin : await createAccesskey(admin);
        const t = await target();
        await op.prepare?.(t, admin);
        const res = await op.call(t, token);
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        const customerId = op.affected?.(res) ?? t.id;
        const entry = await auditEntryOf(customerId, res);
        expect(entry, `no audit entry for ${key} in ${customerId}'s trail`).toMatchObject({
          customer_id: customerId,
          actor_kind: credential === "token" ? "agent" : "accesskey",
          actor_permission: 1,
          action: key,
          status_code: 200,
        });
      });
    }
  }

  it("the super admin's own access keys stay out of every customer's trail", async () => {
    const admin = await adminLogin();
    const created = await api("POST", "/v1.0/accesskeys", { token: admin, body: { name: "ops" } });
    expect(created.status).toBe(200);
    expect(created.body.customer_id).toBe("00000000-0000-0000-0000-000000000000");
    const audit = await api("GET", "/v1.0/customers/00000000-0000-0000-0000-000000000000/audit", { token: admin });
    expect(audit.status).toBe(404);
  });
});
