import {
  createExecutionContext,
  env,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { getDb } from "../../src/db/client";
import { resourceKinds } from "../../src/db/owned";
import { createCustomer as createCustomerRow, updateCustomer } from "../../src/domain/customer-store";
import type { Env } from "../../src/env";
import worker from "../../src";
import {
  adminLogin,
  api,
  BASE,
  createAccesskey,
  createCustomer,
  expectError,
  login,
  unique,
  type TestCustomer,
} from "../helpers";
import { backdate, countRows, customerRow, lifecycleStub, signup } from "../helpers/lifecycle";
import { createResource, validBody } from "../helpers/resources";

const EXPECTED_FAULT_NOTE =
  "[expected fault] this test injects a D1 failure; the 'uncaught exception' lines workerd prints for it are expected.";

// ---------------------------------------------------------------------------------------------
// Faults and races. Covered elsewhere and not repeated here: a cascade consumer that fails
// midway is retried to completion (cascade.test.ts), a lost alarm is recovered by the cron and
// 20 concurrent unregister/cancel requests stay consistent (unregister.test.ts).
// ---------------------------------------------------------------------------------------------

// ---- A D1 binding with injected faults -------------------------------------------------------

/** Breaks a NOT NULL constraint: a statement that fails inside the batch, at execution time. */
const POISON =
  "INSERT INTO customer_events (id, customer_id, type, data, tm_create) VALUES (NULL, NULL, NULL, NULL, NULL)";

interface FaultRule {
  /** Which batches to hit, by the SQL of their statements. */
  when: (sqls: string[]) => boolean;
  /** throw: the batch never reaches D1. poison: it runs, but its last statement fails. */
  mode: "throw" | "poison";
  /** How many batches to hit (then everything passes through). */
  times?: number;
}

/**
 * A D1 binding that knows the SQL of every statement it prepared, and makes matching batches
 * fail: before they run, or by replacing their last statement with one that breaks a
 * constraint (a real mid-batch failure that D1 must roll back).
 */
function faultyD1(rule: FaultRule) {
  const sqlOf = new WeakMap<object, string>();
  const nativeOf = new WeakMap<object, D1PreparedStatement>();
  const state = { injected: 0, batches: [] as string[][] };
  const passThrough = (target: object, prop: string | symbol) => {
    const value = Reflect.get(target, prop);
    return typeof value === "function" ? value.bind(target) : value;
  };
  // The Worker opens a D1 session per request (read replication): its sessions are wrapped alike.
  const wrap = <T extends D1Database | D1DatabaseSession>(client: T): T =>
    new Proxy(client, {
      get(target, prop) {
        if (prop === "withSession")
          return (constraint?: string) => wrap((target as D1Database).withSession(constraint));
        if (prop === "prepare") {
          return (sql: string) => {
            const native = target.prepare(sql);
            sqlOf.set(native, sql);
            const wrapped = new Proxy(native, {
              get(stmt, p) {
                if (p !== "bind") return passThrough(stmt, p);
                return (...args: unknown[]) => {
                  const bound = stmt.bind(...args);
                  sqlOf.set(bound, sql);
                  return bound;
                };
              },
            });
            nativeOf.set(wrapped, native);
            return wrapped;
          };
        }
        if (prop === "batch") {
          return async (statements: D1PreparedStatement[]) => {
            const natives = statements.map((s) => nativeOf.get(s) ?? s);
            const sqls = natives.map((s) => sqlOf.get(s) ?? "");
            state.batches.push(sqls);
            if ((rule.times === undefined || state.injected < rule.times) && rule.when(sqls)) {
              state.injected++;
              if (rule.mode === "throw") throw new Error("D1_ERROR: injected failure");
              return target.batch([...natives.slice(0, -1), target.prepare(POISON)]);
            }
            return target.batch(natives);
          };
        }
        return passThrough(target, prop);
      },
    });
  const db = wrap(env.DB);
  return { db, state };
}

const writes = (table: string) => (sqls: string[]) =>
  sqls.some((s) => new RegExp(`^(insert into|update|delete from) "?${table}"?\\b`, "i").test(s.trim()));

/** One request through the Worker with another env (the D1 binding swapped). */
async function fetchWith(testEnv: Env, method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = { "CF-Connecting-IP": "198.18.0.1" };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${BASE}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    }),
    testEnv,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

/** Swaps the D1 binding of a customer's lifecycle Durable Object (it reads this.env.DB on use). */
async function breakLifecycleD1(customerId: string, db: D1Database) {
  await runInDurableObject(lifecycleStub(customerId), (instance: unknown) => {
    (instance as { env: Env }).env = { ...env, DB: db };
  });
}

const count = async (sql: string, ...params: unknown[]) =>
  (await env.DB.prepare(sql)
    .bind(...params)
    .first<{ n: number }>())!.n;

async function waitForCascade(customerId: string) {
  const admin = await adminLogin();
  await vi.waitFor(
    async () => {
      const receipt = (await api("GET", `/v1.0/customers/${customerId}/deletion`, { token: admin })).body;
      expect(receipt.status).toBe("finished");
    },
    { timeout: 20_000, interval: 100 },
  );
}

/** Nothing of a deleted customer is left but its anonymized row, its job and its deletion event. */
async function expectNoOrphans(customerId: string) {
  const left: Record<string, number> = {};
  for (const table of [...resourceKinds, "accesskeys", "email_verifications"])
    left[table] = await countRows(table, customerId);
  left.events_but_deletion = await count(
    "SELECT count(*) AS n FROM customer_events WHERE customer_id = ? AND type <> 'customer_deleted'",
    customerId,
  );
  expect(left, "rows of the deleted customer still in D1").toEqual(
    Object.fromEntries(Object.keys(left).map((k) => [k, 0])),
  );
}

const alarmOf = (customerId: string) =>
  runInDurableObject(lifecycleStub(customerId), (_i, state) => state.storage.getAlarm());

// ---- Faults ----------------------------------------------------------------------------------

describe("a D1 failure in the middle of a multi-statement change leaves no partial state", () => {
  // workerd logs the injected failures itself ("uncaught exception … injected failure", a
  // poisoned statement's constraint error): say up front that they are this test's doing.
  beforeEach(() => console.warn(EXPECTED_FAULT_NOTE));

  it.each(["throw", "poison"] as const)(
    "creating a customer (%s): no customer, agent or event row of it exists",
    async (mode) => {
      const faults = faultyD1({ when: writes("customers"), mode });
      const username = unique("fault");
      const email = `${unique("fault")}@example.com`;
      await expect(
        createCustomerRow(getDb(faults.db), { username, password: "long-enough-password", email, name: "Half Made" }),
      ).rejects.toThrow();
      expect(faults.state.injected).toBe(1);
      expect(await count("SELECT count(*) AS n FROM customers WHERE email = ?", email)).toBe(0);
      expect(await count("SELECT count(*) AS n FROM agents WHERE username = ?", username)).toBe(0);
      expect(await count("SELECT count(*) AS n FROM customer_events WHERE data LIKE ?", `%${email}%`)).toBe(0);
      // The same creation with a healthy D1 goes through: nothing half-made blocks it.
      const row = await createCustomerRow(getDb(env.DB), {
        username,
        password: "long-enough-password",
        email,
        name: "Whole",
      });
      expect(await countRows("agents", row.id)).toBe(2);
      expect(await countRows("customer_events", row.id)).toBe(1);
    },
  );

  it.each(["throw", "poison"] as const)(
    "updating a customer (%s): neither the change nor its event is written",
    async (mode) => {
      const c = await createCustomer();
      const before = await customerRow(c.id);
      const eventsBefore = await countRows("customer_events", c.id);
      const faults = faultyD1({ when: writes("customers"), mode });
      await expect(updateCustomer(getDb(faults.db), c.id, { name: "Never Stored" })).rejects.toThrow();
      expect(faults.state.injected).toBe(1);
      expect(await customerRow(c.id)).toEqual(before);
      expect(await countRows("customer_events", c.id)).toBe(eventsBefore);
      // Retried on a healthy D1: one change, one event.
      await updateCustomer(getDb(env.DB), c.id, { name: "Stored" });
      expect(await customerRow(c.id)).toMatchObject({ name: "Stored", version: before.version + 1 });
      expect(await countRows("customer_events", c.id)).toBe(eventsBefore + 1);
    },
  );

  it("signing up: a failed batch answers 5xx in the envelope and leaves no customer, agent, key or verification", async () => {
    const faults = faultyD1({ when: writes("email_verifications"), mode: "poison" });
    const email = `${unique("fault")}@example.com`;
    const keysBefore = await count("SELECT count(*) AS n FROM accesskeys");
    const res = await fetchWith({ ...env, DB: faults.db }, "POST", "/auth/signup", {
      body: { email, password: "signup-password-1", accepted_tos: true },
    });
    expect(faults.state.injected).toBe(1);
    expect(res.status).toBe(500);
    expect(res.body.error).toMatchObject({ status: "INTERNAL", request_id: res.headers.get("X-Request-Id") });
    expect(await count("SELECT count(*) AS n FROM customers WHERE email = ?", email)).toBe(0);
    expect(await count("SELECT count(*) AS n FROM agents WHERE username = ?", email)).toBe(0);
    expect(await count("SELECT count(*) AS n FROM email_verifications WHERE email = ?", email)).toBe(0);
    expect(await count("SELECT count(*) AS n FROM accesskeys")).toBe(keysBefore);
    // The address is not blocked by a half-made account: signing up again works.
    expect((await signup({ email })).body.customer.email).toBe(email);
  });

  it("deleting a customer: a failed deletion batch keeps every credential and resource; the retry deletes it all", async () => {
    const admin = await adminLogin();
    const c = await createCustomer();
    const key = await createAccesskey(c.token);
    await createResource(c.token, "contacts");
    const before = await customerRow(c.id);
    const faults = faultyD1({ when: writes("accesskeys"), mode: "poison", times: 1 });
    await breakLifecycleD1(c.id, faults.db);

    const failed = await api("DELETE", `/v1.0/customers/${c.id}`, { token: admin });
    expect(faults.state.injected).toBe(1);
    expect(failed.status).toBe(500);
    // Nothing of the deletion happened.
    expect(await customerRow(c.id)).toEqual(before);
    expect(await countRows("agents", c.id)).toBe(2);
    expect(await countRows("contacts", c.id)).toBe(1);
    expect(await countRows("deletion_jobs", c.id)).toBe(0);
    expect((await api("GET", "/v1.0/customer", { token: key })).status).toBe(200);
    expect((await api("GET", "/v1.0/customer", { token: await login(c.username, c.password) })).status).toBe(200);

    // The operator retries: everything goes, nothing is orphaned, no credential works.
    expect((await api("DELETE", `/v1.0/customers/${c.id}`, { token: admin })).status).toBe(200);
    await waitForCascade(c.id);
    await expectNoOrphans(c.id);
    expectError(await api("GET", "/v1.0/customer", { token: key }), 401, "UNAUTHENTICATED");
    expectError(
      await api("POST", "/auth/login", { body: { username: c.username, password: c.password } }),
      401,
      "UNAUTHENTICATED",
    );
  });

  it("deleting the default billing account: the customer never points at an account that is gone", async () => {
    const c = await createCustomer();
    const account = await createResource(c.token, "billing_accounts");
    expect(
      (
        await api("PUT", "/v1.0/customer/billing_account_id", {
          token: c.token,
          body: { billing_account_id: account.id },
        })
      ).status,
    ).toBe(200);
    // The reset of the default (a second write after the DELETE) fails.
    const faults = faultyD1({ when: writes("customers"), mode: "throw", times: 1 });
    const res = await fetchWith({ ...env, DB: faults.db }, "DELETE", `/v1.0/billing_accounts/${account.id}`, {
      token: c.token,
    });
    expect(faults.state.injected).toBe(1);
    const accountLeft = await count("SELECT count(*) AS n FROM billing_accounts WHERE id = ?", account.id);
    const pointsAt = (await customerRow(c.id)).billing_account_id;
    // Either the deletion is refused as a whole (the account stays), or the default goes with it.
    if (accountLeft === 0) {
      expect(
        pointsAt,
        `DELETE answered ${res.status} and removed the account, but the customer's default still points at it`,
      ).not.toBe(account.id);
    } else {
      expect(
        res.status,
        "the account is still there: the DELETE must not have answered success",
      ).toBeGreaterThanOrEqual(500);
    }
  });

  it("verifying an email: a failed activation does not spend the single-use link", async () => {
    const s = await signup();
    const id = s.body.customer.id as string;
    const faults = faultyD1({ when: writes("customers"), mode: "throw", times: 1 });
    await breakLifecycleD1(id, faults.db);
    const failed = await api("POST", "/auth/email-verify", { body: { token: s.verificationToken } });
    expect(faults.state.injected).toBe(1);
    expect(failed.status).toBe(500);
    expect((await customerRow(id)).status).toBe("initial");
    // The user clicks the link again once D1 is back.
    const retried = await api("POST", "/auth/email-verify", { body: { token: s.verificationToken } });
    expect(retried.status, `the retried link answered ${JSON.stringify(retried.body)}`).toBe(200);
    expect((await customerRow(id)).status).toBe("active");
  });
});

describe("an alarm that throws is retried", () => {
  beforeEach(() => console.warn(EXPECTED_FAULT_NOTE));

  /** A frozen customer whose grace period is over, with a key, a resource and its alarm due. */
  async function overdue() {
    const c = await createCustomer();
    const key = await createAccesskey(c.token);
    await createResource(c.token, "tags");
    expect((await api("POST", "/auth/unregister", { token: c.token, body: { password: c.password } })).status).toBe(
      200,
    );
    await backdate(c.id, { tm_deletion_scheduled: Date.now() - 1000 });
    return { c, key };
  }

  it("alarm() rejects on a D1 failure, so the runtime retries it, and leaves the account whole", async () => {
    const { c, key } = await overdue();
    const before = await customerRow(c.id);
    const faults = faultyD1({ when: writes("customers"), mode: "throw" });
    await breakLifecycleD1(c.id, faults.db);
    // The runtime's contract: an alarm handler that throws is retried with backoff.
    await expect(
      runInDurableObject(lifecycleStub(c.id), (instance: { alarm(): Promise<void> }) => instance.alarm()),
    ).rejects.toThrow(/injected/);
    expect(faults.state.injected).toBe(1);
    expect(await customerRow(c.id)).toEqual(before);
    expect(await countRows("agents", c.id)).toBe(2);
    expect((await api("GET", "/v1.0/customer", { token: key })).status).toBe(200);
    // The scheduled deletion is still there for the retry (and for the cron).
    expect(await alarmOf(c.id)).not.toBeNull();

    await breakLifecycleD1(c.id, env.DB);
    expect(await runDurableObjectAlarm(lifecycleStub(c.id))).toBe(true);
    expect((await customerRow(c.id)).status).toBe("deleted");
    await waitForCascade(c.id);
    await expectNoOrphans(c.id);
  });

  it("the runtime re-runs an alarm that threw until the deletion is done", async () => {
    const { c, key } = await overdue();
    const faults = faultyD1({ when: writes("customers"), mode: "throw", times: 1 });
    await runInDurableObject(lifecycleStub(c.id), async (instance: unknown, state) => {
      (instance as { env: Env }).env = { ...env, DB: faults.db };
      await state.storage.setAlarm(Date.now() + 20);
    });
    // No test hook runs the alarm: workerd fires it, it throws, workerd retries it.
    await vi.waitFor(async () => expect((await customerRow(c.id)).status).toBe("deleted"), {
      timeout: 25_000,
      interval: 200,
    });
    expect(faults.state.injected).toBe(1);
    await waitForCascade(c.id);
    await expectNoOrphans(c.id);
    expectError(await api("GET", "/v1.0/customer", { token: key }), 401, "UNAUTHENTICATED");
  }, 40_000);
});

// ---- Races -----------------------------------------------------------------------------------

describe("races", () => {
  it("20 concurrent partial updates of one customer: every one succeeds and no field is lost", async () => {
    const c = await createCustomer();
    const before = await customerRow(c.id);
    const eventsBefore = await count(
      "SELECT count(*) AS n FROM customer_events WHERE customer_id = ? AND type = 'customer_updated'",
      c.id,
    );
    const fields = ["name", "detail", "address", "phone_number"] as const;
    const changes = Array.from({ length: 20 }, (_, i) => {
      if (i === 19) return { field: "webhook_method", value: "PUT" }; // written by one request only
      const field = fields[i % fields.length]!;
      return { field, value: field === "phone_number" ? `+1555${String(i).padStart(7, "0")}` : `${field} ${i}` };
    });
    const results = await Promise.all(
      changes.map((w) => api("PUT", "/v1.0/customer", { token: c.token, body: { [w.field]: w.value } })),
    );

    const failed = results
      .map((r, i) => ({ ...changes[i]!, status: r.status, reason: r.body?.error?.reason }))
      .filter((r) => r.status !== 200);
    expect.soft(failed, "concurrent partial updates that did not succeed").toEqual([]);

    const row = (await api("GET", "/v1.0/customer", { token: c.token })).body;
    for (const field of [...fields, "webhook_method"]) {
      const written = changes.filter((w, i) => w.field === field && results[i]!.status === 200).map((w) => w.value);
      if (written.length === 0) continue;
      expect(written, `${field} is one of the values written for it`).toContain(row[field]);
      if (changes.filter((w) => w.field === field).length === 1) expect(row[field]).toBe(written[0]);
    }
    // Each success is exactly one version step and one event; a failure is neither.
    const successes = results.filter((r) => r.status === 200).length;
    expect((await customerRow(c.id)).version).toBe(before.version + successes);
    expect(
      await count(
        "SELECT count(*) AS n FROM customer_events WHERE customer_id = ? AND type = 'customer_updated'",
        c.id,
      ),
    ).toBe(eventsBefore + successes);
  });

  it("10 concurrent creations with the same email: exactly one succeeds, the others are 409 and leave nothing", async () => {
    const admin = await adminLogin();
    const email = `${unique("race")}@example.com`;
    const usernames = Array.from({ length: 10 }, () => unique("race"));
    const results = await Promise.all(
      usernames.map((username) =>
        api("POST", "/v1.0/customers", { token: admin, body: { username, password: "long-enough-password", email } }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200))
      expectError(r, 409, "ALREADY_EXISTS", "EMAIL_ALREADY_EXISTS");
    expect(await count("SELECT count(*) AS n FROM customers WHERE email = ?", email)).toBe(1);
    const losers = usernames.filter((_, i) => results[i]!.status !== 200);
    expect(
      await count(`SELECT count(*) AS n FROM agents WHERE username IN (${losers.map(() => "?").join(",")})`, ...losers),
    ).toBe(0);
  });

  it("10 concurrent creations with the same username: exactly one succeeds, the others are 409 and leave nothing", async () => {
    const admin = await adminLogin();
    const username = unique("race");
    const emails = Array.from({ length: 10 }, () => `${unique("race")}@example.com`);
    const results = await Promise.all(
      emails.map((email) =>
        api("POST", "/v1.0/customers", { token: admin, body: { username, password: "long-enough-password", email } }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200))
      expectError(r, 409, "ALREADY_EXISTS", "USERNAME_ALREADY_EXISTS");
    expect(await count("SELECT count(*) AS n FROM agents WHERE username = ?", username)).toBe(1);
    expect(
      await count(`SELECT count(*) AS n FROM customers WHERE email IN (${emails.map(() => "?").join(",")})`, ...emails),
    ).toBe(1);
  });

  it("an email and a username claimed at once by two new customers: at most one gets the identity", async () => {
    // The rule sequential requests see (customers-admin tests): a username may not be another
    // live customer's email, and an email may not be another customer's username.
    const admin = await adminLogin();
    const identity = `${unique("race")}@example.com`;
    const [asUsername, asEmail] = await Promise.all([
      api("POST", "/v1.0/customers", { token: admin, body: { username: identity, password: "long-enough-password" } }),
      api("POST", "/v1.0/customers", {
        token: admin,
        body: { username: unique("race"), password: "long-enough-password", email: identity },
      }),
    ]);
    expect(
      [asUsername.status, asEmail.status].filter((s) => s === 200),
      `answers: ${asUsername.status} (as username), ${asEmail.status} (as email)`,
    ).toHaveLength(1);
    const holders =
      (await count("SELECT count(*) AS n FROM agents WHERE username = ?", identity)) +
      (await count(
        "SELECT count(*) AS n FROM customers WHERE email = ? AND status NOT IN ('deleted', 'expired')",
        identity,
      ));
    expect(holders, "customers holding the identity").toBe(1);
  });

  /** The consistent end states of a customer after any mix of unregister, cancel and delete. */
  async function expectConsistent(c: TestCustomer, key: string) {
    const row = await customerRow(c.id);
    const alarm = await alarmOf(c.id);
    switch (row.status) {
      case "deleted": {
        expect(row.tm_deletion_scheduled).toBeNull();
        expect(row.email).toBe("");
        expect(alarm).toBeNull();
        // No credential of a deleted customer works.
        expectError(await api("GET", "/v1.0/customer", { token: c.token }), 401, "UNAUTHENTICATED");
        expectError(await api("GET", "/v1.0/customer", { token: key }), 401, "UNAUTHENTICATED");
        expectError(
          await api("POST", "/auth/login", { body: { username: c.username, password: c.password } }),
          401,
          "UNAUTHENTICATED",
        );
        await waitForCascade(c.id);
        await expectNoOrphans(c.id);
        break;
      }
      case "frozen":
        expect(row.tm_deletion_scheduled).not.toBeNull();
        expect(alarm).toBe(row.tm_deletion_scheduled);
        break;
      case "active":
        expect(row.tm_deletion_scheduled).toBeNull();
        expect(alarm).toBeNull();
        break;
      default:
        throw new Error(`unexpected status ${row.status}`);
    }
    return row.status as string;
  }

  it("concurrent unregister, cancel and operator delete end in one consistent state", async () => {
    const admin = await adminLogin();
    const outcomes: string[] = [];
    for (let round = 0; round < 4; round++) {
      const c = await createCustomer();
      const key = await createAccesskey(c.token);
      const requests = [
        ...Array.from({ length: 3 }, () =>
          api("POST", "/auth/unregister", { token: key, body: { confirmation_phrase: "DELETE" } }),
        ),
        ...Array.from({ length: 3 }, () => api("DELETE", "/auth/unregister", { token: key })),
        api("POST", "/auth/unregister", { token: c.token, body: { password: c.password } }),
        // Rounds 0 and 2 race the operator's deletion too; rounds 1 and 3 only freeze and recover.
        ...(round % 2 === 0 ? [api("DELETE", `/v1.0/customers/${c.id}`, { token: admin })] : []),
      ];
      const results = await Promise.all(requests);
      for (const r of results) expect([200, 400, 401], JSON.stringify(r.body)).toContain(r.status);
      const status = await expectConsistent(c, key);
      if (round % 2 === 0) expect(status).toBe("deleted");
      outcomes.push(status);
    }
    expect(outcomes.filter((s) => s === "deleted")).toHaveLength(2);
  });

  it("writes racing an operator delete leave no credential that works and no orphaned row", async () => {
    const admin = await adminLogin();
    const after = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    for (let round = 0; round < 3; round++) {
      const c = await createCustomer();
      const key = await createAccesskey(c.token);
      // Writes spread over 30 ms with the deletion in the middle: some land before it, some
      // after, some across it (authenticated before, written after).
      const racing = Array.from({ length: 24 }, (_, i) =>
        after(Math.random() * 30).then(() => {
          switch (i % 6) {
            case 0:
            case 1:
              return api("POST", "/v1.0/accesskeys", { token: c.token, body: { name: `racing ${i}` } });
            case 2:
              return api("POST", "/v1.0/agents", { token: c.token, body: validBody("agents") });
            case 3:
              return api("POST", "/v1.0/contacts", { token: key, body: validBody("contacts") });
            case 4:
              return api("POST", "/v1.0/customer/email_verification", { token: key });
            default:
              return api("PUT", "/v1.0/customer", { token: key, body: { name: `renamed ${i}` } });
          }
        }),
      );
      const [deleted, ...others] = await Promise.all([
        after(10).then(() => api("DELETE", `/v1.0/customers/${c.id}`, { token: admin })),
        ...racing,
      ]);
      expect(deleted.status).toBe(200);
      for (const r of others) expect(r.status, JSON.stringify(r.body)).toBeLessThan(500);
      // Every key a racing request got back is dead.
      for (const r of others.filter((r) => r.status === 200 && r.body.token))
        expectError(await api("GET", "/v1.0/customer", { token: r.body.token }), 401, "UNAUTHENTICATED");
      await waitForCascade(c.id);
      await expectNoOrphans(c.id);
      expect(await customerRow(c.id)).toMatchObject({ status: "deleted", name: "", email: "" });
    }
  });
});
