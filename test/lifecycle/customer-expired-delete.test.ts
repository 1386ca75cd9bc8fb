import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { adminLogin, api, expectError } from "../helpers";
import { backdate, customerRow, lifecycleStub, signup } from "../helpers/lifecycle";

// Issue 21 #17: expired is terminal. An operator's DELETE of an expired signup answers 409 and
// changes nothing: no new tm_delete, no deletion job, no customer_deleted event.

describe("operator DELETE of an expired customer", () => {
  it("answers 409 ACCOUNT_EXPIRED and leaves the row, its events and the deletion record as they were", async () => {
    const s = await signup();
    const id = s.body.customer.id as string;
    await backdate(id, { tm_create: Date.now() - 2 * 3600_000 });
    expect((await lifecycleStub(id).expireIfOverdue(id)).ok).toBe(true);
    const before = await customerRow(id);
    expect(before.status).toBe("expired");

    const res = await api("DELETE", `/v1.0/customers/${id}`, { token: await adminLogin() });
    expectError(res, 409, "FAILED_PRECONDITION", "ACCOUNT_EXPIRED");

    expect(await customerRow(id)).toEqual(before);
    const jobs = await env.DB.prepare("SELECT count(*) AS n FROM deletion_jobs WHERE customer_id = ?")
      .bind(id)
      .first<{ n: number }>();
    expect(jobs!.n).toBe(0);
    const { results } = await env.DB.prepare("SELECT type FROM customer_events WHERE customer_id = ?")
      .bind(id)
      .all<{ type: string }>();
    expect(results.map((e) => e.type)).toEqual(["customer_expired"]);
    // Through the API too: still expired.
    const shown = await api("GET", `/v1.0/customers/${id}`, { token: await adminLogin() });
    expect(shown.body.status).toBe("expired");
  });

  it("a deleted customer still answers 200 with its stored row (deletion stays idempotent)", async () => {
    const s = await signup();
    const id = s.body.customer.id as string;
    const token = await adminLogin();
    expect((await api("DELETE", `/v1.0/customers/${id}`, { token })).status).toBe(200);
    const again = await api("DELETE", `/v1.0/customers/${id}`, { token });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe("deleted");
  });
});
