import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { adminLogin, api, createAccesskey, createCustomer, expectError, login, unique } from "../helpers";
import { backdate, countRows, customerRow, lifecycleStub, runCron } from "../helpers/lifecycle";

const GRACE_MS = 2592000 * 1000;

async function freeze(c: { token: string; password: string }) {
  const res = await api("POST", "/auth/unregister", { token: c.token, body: { password: c.password } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

describe("POST /auth/unregister (grace period)", () => {
  it("freezes the account and schedules deletion after the grace period, idempotently", async () => {
    const c = await createCustomer();
    const before = Date.now();
    const frozen = await freeze(c);
    expect(frozen.status).toBe("frozen");
    const scheduled = Date.parse(frozen.tm_deletion_scheduled);
    expect(scheduled).toBeGreaterThanOrEqual(before + GRACE_MS);
    expect(scheduled).toBeLessThanOrEqual(Date.now() + GRACE_MS);
    // The alarm is set for exactly that time.
    const alarm = await runInDurableObject(lifecycleStub(c.id), (_i, state) => state.storage.getAlarm());
    expect(alarm).toBe(scheduled);

    const again = await freeze(c);
    expect(again.tm_deletion_scheduled).toBe(frozen.tm_deletion_scheduled);
  });

  it("refuses a wrong password or a missing one and changes nothing", async () => {
    const c = await createCustomer();
    expectError(
      await api("POST", "/auth/unregister", { token: c.token, body: { password: "wrong-password" } }),
      401,
      "UNAUTHENTICATED",
      "INVALID_PASSWORD",
    );
    expectError(
      await api("POST", "/auth/unregister", { token: c.token, body: {} }),
      400,
      "INVALID_ARGUMENT",
      "PASSWORD_REQUIRED",
    );
    expect((await customerRow(c.id)).status).toBe("active");
  });

  it("an access key confirms with the phrase instead of a password", async () => {
    const c = await createCustomer();
    const key = await createAccesskey(c.token);
    expectError(
      await api("POST", "/auth/unregister", { token: key, body: {} }),
      400,
      "INVALID_ARGUMENT",
      "CONFIRMATION_PHRASE_MISMATCH",
    );
    expectError(
      await api("POST", "/auth/unregister", { token: key, body: { confirmation_phrase: "delete" } }),
      400,
      "INVALID_ARGUMENT",
    );
    const res = await api("POST", "/auth/unregister", { token: key, body: { confirmation_phrase: "DELETE" } });
    expect(res.body.status).toBe("frozen");
  });

  it("an agent may freeze with the phrase alone (the contract's other form); a wrong phrase is refused", async () => {
    const c = await createCustomer();
    expectError(
      await api("POST", "/auth/unregister", { token: c.token, body: { confirmation_phrase: "delete" } }),
      400,
      "INVALID_ARGUMENT",
      "CONFIRMATION_PHRASE_MISMATCH",
    );
    expect((await customerRow(c.id)).status).toBe("active");
    const res = await api("POST", "/auth/unregister", { token: c.token, body: { confirmation_phrase: "DELETE" } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe("frozen");
  });

  it("a phrase sent with the password must be right too", async () => {
    const c = await createCustomer();
    expectError(
      await api("POST", "/auth/unregister", {
        token: c.token,
        body: { password: c.password, confirmation_phrase: "yes" },
      }),
      400,
      "INVALID_ARGUMENT",
      "CONFIRMATION_PHRASE_MISMATCH",
    );
    expect((await customerRow(c.id)).status).toBe("active");
    expect(
      (
        await api("POST", "/auth/unregister", {
          token: c.token,
          body: { password: c.password, confirmation_phrase: "DELETE" },
        })
      ).body.status,
    ).toBe("frozen");
  });

  it("an agent without a password (operator-created, never set) freezes with the phrase", async () => {
    const email = `${unique("nopw")}@example.com`;
    const created = await api("POST", "/v1.0/customers", {
      token: await adminLogin(),
      body: { email, name: "No Password Co" },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    // It cannot log in yet; its JWT comes from a reset link in real life. Mint a reset here.
    const token = "d1".repeat(32);
    const digest = [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)))]
      .map((b) => b.toString(16).padStart(2, "0"))
      .join("");
    await env.DB.prepare(
      "INSERT INTO password_resets (token_hash, agent_id, customer_id, tm_expire, tm_create) SELECT ?, id, customer_id, ?, ? FROM agents WHERE username = ?",
    )
      .bind(digest, Date.now() + 3_600_000, Date.now(), email)
      .run();
    expect(
      (await api("POST", "/auth/password-reset", { body: { token, password: "finally-a-password" } })).status,
    ).toBe(200);
    const jwt = await login(email, "finally-a-password");
    expect(
      (await api("POST", "/auth/unregister", { token: jwt, body: { confirmation_phrase: "DELETE" } })).body.status,
    ).toBe("frozen");
  });

  it("rate limits repeated wrong passwords from one client with 429 and Retry-After", async () => {
    const c = await createCustomer();
    const headers = { "CF-Connecting-IP": "192.0.2.201" };
    for (let i = 0; i < 10; i++) {
      expect(
        (await api("POST", "/auth/unregister", { token: c.token, body: { password: `wrong-${i}` }, headers })).status,
      ).toBe(401);
    }
    const limited = await api("POST", "/auth/unregister", { token: c.token, body: { password: c.password }, headers });
    expectError(limited, 429, "RESOURCE_EXHAUSTED");
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect((await customerRow(c.id)).status).toBe("active");
  });

  it("needs CustomerAdmin: the super admin has no own customer", async () => {
    expectError(
      await api("POST", "/auth/unregister", { token: await adminLogin(), body: { password: "x" } }),
      403,
      "PERMISSION_DENIED",
    );
    expectError(await api("POST", "/auth/unregister", { body: { password: "x" } }), 401, "UNAUTHENTICATED");
  });
});

describe("while frozen", () => {
  it("reads work, every write under /v1.0 is refused with ACCOUNT_FROZEN", async () => {
    const c = await createCustomer();
    const frozen = await freeze(c);
    const me = await api("GET", "/v1.0/customer", { token: c.token });
    expect(me.status).toBe(200);
    expect(me.body.status).toBe("frozen");
    expect((await api("GET", "/v1.0/accesskeys", { token: c.token })).status).toBe(200);
    for (const [method, path, body] of [
      ["PUT", "/v1.0/customer", { name: "x" }],
      ["PUT", "/v1.0/customer/metadata", { rtp_debug: true }],
      ["POST", "/v1.0/accesskeys", { name: "x" }],
    ] as const) {
      const res = await api(method, path, { token: c.token, body });
      expectError(res, 403, "PERMISSION_DENIED", "ACCOUNT_FROZEN");
      expect(res.body.error.details[0]).toEqual({
        deletion_scheduled_at: frozen.tm_deletion_scheduled,
        recovery_endpoint: "DELETE /auth/unregister",
      });
    }
    expect((await customerRow(c.id)).name).toBe("Test Company");
  });
});

describe("DELETE /auth/unregister (cancel)", () => {
  it("recovers a frozen account and leaves no alarm that later deletes", async () => {
    const c = await createCustomer();
    await freeze(c);
    const res = await api("DELETE", "/auth/unregister", { token: c.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "active", tm_deletion_scheduled: null });
    expect(await runDurableObjectAlarm(lifecycleStub(c.id))).toBe(false);
    // Even past the old schedule, neither an alarm nor the cron deletes it.
    await lifecycleStub(c.id).deleteIfOverdue(c.id);
    await runCron(Date.now() + GRACE_MS + 1000);
    expect((await customerRow(c.id)).status).toBe("active");
    expect((await api("PUT", "/v1.0/customer", { token: c.token, body: { name: "back" } })).status).toBe(200);
  });

  it("an alarm that fires after a cancel changes nothing", async () => {
    const c = await createCustomer();
    await freeze(c);
    await backdate(c.id, { tm_deletion_scheduled: Date.now() - 1000 });
    // Cancel, then a stale alarm is forced to run anyway.
    expect((await api("DELETE", "/auth/unregister", { token: c.token })).status).toBe(200);
    await runInDurableObject(lifecycleStub(c.id), (_i, state) => state.storage.setAlarm(Date.now() + 60_000));
    expect(await runDurableObjectAlarm(lifecycleStub(c.id))).toBe(true);
    expect((await customerRow(c.id)).status).toBe("active");
  });

  it("is a FAILED_PRECONDITION when the account is not frozen", async () => {
    const c = await createCustomer();
    expectError(
      await api("DELETE", "/auth/unregister", { token: c.token }),
      400,
      "FAILED_PRECONDITION",
      "ACCOUNT_NOT_FROZEN",
    );
  });
});

describe("grace period expiry", () => {
  it("the alarm deletes the frozen customer once its schedule has passed", async () => {
    const c = await createCustomer();
    const key = await createAccesskey(c.token);
    await freeze(c);
    // The alarm firing early (clock skew) leaves it frozen.
    expect(await runDurableObjectAlarm(lifecycleStub(c.id))).toBe(true);
    expect((await customerRow(c.id)).status).toBe("frozen");

    await backdate(c.id, { tm_deletion_scheduled: Date.now() - 1000 });
    await runInDurableObject(lifecycleStub(c.id), (_i, state) => state.storage.setAlarm(Date.now() + 60_000));
    expect(await runDurableObjectAlarm(lifecycleStub(c.id))).toBe(true);
    const row = await customerRow(c.id);
    expect(row).toMatchObject({
      status: "deleted",
      name: "",
      email: "",
      webhook_secret: "",
      tm_deletion_scheduled: null,
    });
    expect(row.tm_delete).toBeGreaterThan(0);
    expectError(await api("GET", "/v1.0/customer", { token: c.token }), 401, "UNAUTHENTICATED");
    expectError(await api("GET", "/v1.0/customer", { token: key }), 401, "UNAUTHENTICATED");
    expect(await countRows("agents", c.id)).toBe(0);
    expect(await countRows("accesskeys", c.id)).toBe(0);
  });

  it("the cron deletes overdue frozen customers whose alarm was lost, and re-arms missing alarms", async () => {
    const due = await createCustomer();
    const notDue = await createCustomer();
    await freeze(due);
    const frozen = await freeze(notDue);
    for (const c of [due, notDue])
      await runInDurableObject(lifecycleStub(c.id), (_i, state) => state.storage.deleteAlarm());
    await backdate(due.id, { tm_deletion_scheduled: Date.now() - 1000 });

    await runCron();
    expect((await customerRow(due.id)).status).toBe("deleted");
    expect((await customerRow(notDue.id)).status).toBe("frozen");
    const alarm = await runInDurableObject(lifecycleStub(notDue.id), (_i, state) => state.storage.getAlarm());
    expect(alarm).toBe(Date.parse(frozen.tm_deletion_scheduled));
  });
});

describe("immediate deletion", () => {
  it("needs the exact phrase and the password, then answers the anonymized customer", async () => {
    const c = await createCustomer({
      phone_number: "+15551234567",
      address: "123 Main St",
      webhook_method: "POST",
      webhook_uri: "https://hooks.example.com/x",
    });
    expectError(
      await api("POST", "/auth/unregister", { token: c.token, body: { password: c.password, immediate: true } }),
      400,
      "INVALID_ARGUMENT",
      "CONFIRMATION_PHRASE_MISMATCH",
    );
    expectError(
      await api("POST", "/auth/unregister", {
        token: c.token,
        body: { password: c.password, immediate: true, confirmation_phrase: "delete" },
      }),
      400,
      "INVALID_ARGUMENT",
    );
    expectError(
      await api("POST", "/auth/unregister", {
        token: c.token,
        body: { password: "wrong-password", immediate: true, confirmation_phrase: "DELETE" },
      }),
      401,
      "UNAUTHENTICATED",
    );
    expect((await customerRow(c.id)).status).toBe("active");

    const res = await api("POST", "/auth/unregister", {
      token: c.token,
      body: { password: c.password, immediate: true, confirmation_phrase: "DELETE" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: c.id,
      name: "",
      detail: "",
      email: "",
      phone_number: "",
      address: "",
      webhook_method: "",
      webhook_uri: "",
      billing_account_id: "00000000-0000-0000-0000-000000000000",
      email_verified: false,
      status: "deleted",
      tm_deletion_scheduled: null,
    });
    expect(Date.parse(res.body.tm_delete)).toBeGreaterThan(0);
    expect(res.body.tm_create).toBe(c.customer.tm_create);
    expectError(await api("GET", "/v1.0/customer", { token: c.token }), 401, "UNAUTHENTICATED");
    // The email is free again.
    const reuse = await api("POST", "/v1.0/customers", {
      token: await adminLogin(),
      body: { username: `again-${c.username}`, password: "another-password", email: c.email },
    });
    expect(reuse.status).toBe(200);
  });

  it("an agent needs its password as well as the phrase: the phrase alone only freezes", async () => {
    const c = await createCustomer();
    expectError(
      await api("POST", "/auth/unregister", {
        token: c.token,
        body: { immediate: true, confirmation_phrase: "DELETE" },
      }),
      400,
      "INVALID_ARGUMENT",
      "PASSWORD_REQUIRED",
    );
    expect((await customerRow(c.id)).status).toBe("active");
  });

  it("works from a frozen account too, and an access key confirms with the phrase alone", async () => {
    const c = await createCustomer();
    const key = await createAccesskey(c.token);
    await freeze(c);
    const res = await api("POST", "/auth/unregister", {
      token: key,
      body: { immediate: true, confirmation_phrase: "DELETE" },
    });
    expect(res.body.status).toBe("deleted");
  });
});

describe("operator lifecycle actions", () => {
  it("freeze, recover and delete a customer", async () => {
    const admin = await adminLogin();
    const c = await createCustomer({ phone_number: "+15557654321" });
    const frozen = await api("POST", `/v1.0/customers/${c.id}/freeze`, { token: admin });
    expect(frozen.body).toMatchObject({ status: "frozen" });
    expect(frozen.body.tm_deletion_scheduled).not.toBeNull();
    expectError(await api("POST", `/v1.0/customers/${c.id}/freeze`, { token: c.token }), 403, "PERMISSION_DENIED");
    const recovered = await api("POST", `/v1.0/customers/${c.id}/recover`, { token: admin });
    expect(recovered.body).toMatchObject({ status: "active", tm_deletion_scheduled: null });
    expectError(await api("POST", `/v1.0/customers/${c.id}/recover`, { token: admin }), 400, "FAILED_PRECONDITION");

    const deleted = await api("DELETE", `/v1.0/customers/${c.id}`, { token: admin });
    expect(deleted.status).toBe(200);
    // The seeds' example: the customer as it was, now deleted.
    expect(deleted.body).toMatchObject({
      id: c.id,
      name: "Test Company",
      email: c.email,
      phone_number: "+15557654321",
      status: "deleted",
    });
    expect(deleted.body.tm_delete).not.toBeNull();
    // Stored anonymized, readable by the operator, left out of the default list.
    const stored = await api("GET", `/v1.0/customers/${c.id}`, { token: admin });
    expect(stored.body).toMatchObject({ status: "deleted", name: "", email: "", phone_number: "" });
    const list = await api("GET", "/v1.0/customers", { token: admin });
    expect(list.body.result.map((x: any) => x.id)).not.toContain(c.id);
    const onlyDeleted = await api("GET", "/v1.0/customers?status=deleted", { token: admin });
    expect(onlyDeleted.body.result.map((x: any) => x.id)).toContain(c.id);
    // Deleting again is idempotent and shows the stored row.
    const again = await api("DELETE", `/v1.0/customers/${c.id}`, { token: admin });
    expect(again.body).toMatchObject({ status: "deleted", name: "" });
    expectError(await api("POST", `/v1.0/customers/${c.id}/recover`, { token: admin }), 400, "FAILED_PRECONDITION");
    expectError(await api("DELETE", `/v1.0/customers/not-a-uuid`, { token: admin }), 404, "NOT_FOUND");
  });

  it("leaves no PII of a deleted customer in any event, and the deletion runs exactly once", async () => {
    const admin = await adminLogin();
    const c = await createCustomer({ name: "Secret Name Inc" });
    await api("PUT", "/v1.0/customer", { token: c.token, body: { detail: "private detail" } });
    await Promise.all([
      api("DELETE", `/v1.0/customers/${c.id}`, { token: admin }),
      api("DELETE", `/v1.0/customers/${c.id}`, { token: admin }),
      api("POST", "/auth/unregister", {
        token: c.token,
        body: { password: c.password, immediate: true, confirmation_phrase: "DELETE" },
      }),
    ]);
    const events = await env.DB.prepare("SELECT type, data FROM customer_events WHERE customer_id = ?")
      .bind(c.id)
      .all<{ type: string; data: string }>();
    expect(events.results.map((e) => e.type)).toEqual(["customer_deleted"]);
    expect(events.results[0]!.data).not.toContain("Secret Name");
    expect(events.results[0]!.data).not.toContain(c.email);
  });
});

describe("concurrency", () => {
  it("20 concurrent unregister and cancel requests leave a consistent state", async () => {
    const c = await createCustomer();
    const key = await createAccesskey(c.token);
    const requests = Array.from({ length: 20 }, (_, i) =>
      i % 2 === 0
        ? api("POST", "/auth/unregister", { token: key, body: { confirmation_phrase: "DELETE" } })
        : api("DELETE", "/auth/unregister", { token: key }),
    );
    const results = await Promise.all(requests);
    for (const r of results) expect([200, 400]).toContain(r.status);
    const row = await customerRow(c.id);
    expect(["active", "frozen"]).toContain(row.status);
    expect(row.status === "frozen").toBe(row.tm_deletion_scheduled !== null);
    const alarm = await runInDurableObject(lifecycleStub(c.id), (_i, state) => state.storage.getAlarm());
    // The alarm agrees with the row: set exactly when frozen.
    expect(alarm).toBe(row.status === "frozen" ? row.tm_deletion_scheduled : null);
    await login(c.username, c.password);
  });
});

describe("brute force by client address", () => {
  it("limits a client that keeps failing on one account, and only that (account, client) pair", async () => {
    const ip = { "CF-Connecting-IP": "203.0.113.7" };
    const [victim, other] = await Promise.all([createCustomer(), createCustomer()]);
    for (let i = 0; i < 10; i++) {
      expect(
        (await api("POST", "/auth/unregister", { token: victim.token, body: { password: `nope-${i}` }, headers: ip }))
          .status,
      ).toBe(401);
    }
    expectError(
      await api("POST", "/auth/unregister", { token: victim.token, body: { password: victim.password }, headers: ip }),
      429,
      "RESOURCE_EXHAUSTED",
    );
    // Another account from the same address, and the same account from elsewhere, are fine.
    expect(
      (await api("POST", "/auth/unregister", { token: other.token, body: { password: other.password }, headers: ip }))
        .status,
    ).toBe(200);
    expect(
      (await api("POST", "/auth/unregister", { token: victim.token, body: { password: victim.password } })).status,
    ).toBe(200);
  });
});

describe("rejected transitions", () => {
  it("an unverified signup cannot be frozen; a deleted customer cannot be frozen, recovered or verified", async () => {
    const { signup } = await import("../helpers/lifecycle");
    const s = await signup();
    const token = await login(s.email, s.password);
    expectError(
      await api("POST", "/auth/unregister", { token, body: { password: s.password } }),
      400,
      "FAILED_PRECONDITION",
      "ACCOUNT_NOT_ACTIVE",
    );
    const admin = await adminLogin();
    expectError(
      await api("POST", `/v1.0/customers/${s.body.customer.id}/freeze`, { token: admin }),
      400,
      "FAILED_PRECONDITION",
      "ACCOUNT_NOT_ACTIVE",
    );
    expect((await customerRow(s.body.customer.id)).status).toBe("initial");

    const c = await createCustomer();
    await api("DELETE", `/v1.0/customers/${c.id}`, { token: admin });
    expectError(await api("POST", `/v1.0/customers/${c.id}/freeze`, { token: admin }), 400, "FAILED_PRECONDITION");
    expectError(await api("POST", `/v1.0/customers/${c.id}/recover`, { token: admin }), 400, "FAILED_PRECONDITION");
    expectError(
      await api("PUT", `/v1.0/customers/${c.id}`, { token: admin, body: { name: "back from the dead" } }),
      400,
      "FAILED_PRECONDITION",
      "ACCOUNT_CLOSED",
    );
    expect((await customerRow(c.id)).status).toBe("deleted");
    expect((await customerRow(c.id)).name).toBe("");
  });
});
