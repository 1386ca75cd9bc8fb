import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { resourceKinds, type ResourceKind } from "../../src/db/owned";
import type { Env } from "../../src/env";
import worker from "../../src";
import { toD1 } from "../../src/db/batch";
import { CASCADE_CHUNK_ROWS, cascadeRetryDelaySeconds, recordDeletionJob, runCascade } from "../../src/lifecycle/cascade";
import { adminLogin, api, createCustomer } from "../helpers";
import { countRows, runCron } from "../helpers/lifecycle";
import { createResource, seedRows, validBody } from "../helpers/resources";

const PER_KIND = 300; // 3,300 rows across the eleven kinds

async function remainingRows(customerId: string) {
  const out = {} as Record<ResourceKind, number>;
  for (const kind of resourceKinds) out[kind] = await countRows(kind, customerId);
  return out;
}

async function waitForFinished(customerId: string) {
  const admin = await adminLogin();
  let receipt: any;
  await vi.waitFor(
    async () => {
      receipt = (await api("GET", `/v1.0/customers/${customerId}/deletion`, { token: admin })).body;
      expect(receipt.status).toBe("finished");
    },
    { timeout: 20_000, interval: 100 },
  );
  return receipt;
}

/** Marks a customer deleted with its pending job, as the lifecycle does, but sends no message. */
async function deletedWithoutMessage(customerId: string) {
  await env.DB.batch([
    toD1(env.DB, recordDeletionJob(customerId, Date.now())),
    env.DB.prepare("UPDATE customers SET status = 'deleted', email = '', name = '' WHERE id = ?").bind(customerId),
    env.DB.prepare("DELETE FROM accesskeys WHERE customer_id = ?").bind(customerId),
  ]);
}

const message = (customerId: string, attempts = 1) => ({
  id: crypto.randomUUID(),
  timestamp: Date.now(),
  attempts,
  body: { customerId },
});

async function deliver(queue: string, messages: ReturnType<typeof message>[], withEnv: Env = env) {
  const batch = createMessageBatch(queue, messages);
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<any>, withEnv, ctx);
  return getQueueResult(batch, ctx);
}

/** A D1 binding whose nth DELETE statement fails: a crash in the middle of the cascade. */
function failingOnDelete(n: number): Env {
  let deletes = 0;
  const db = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === "prepare") {
        return (query: string) => {
          const statement = target.prepare(query);
          if (!query.startsWith("DELETE FROM") || ++deletes !== n) return statement;
          return { bind: () => ({ run: () => Promise.reject(new Error("injected D1 failure")) }) };
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { ...env, DB: db };
}

describe("cascade deletion", () => {
  it("end to end: a customer with thousands of rows is emptied through the real queue", async () => {
    const c = await createCustomer();
    const other = await createCustomer();
    const seeded = await seedRows(c.id, PER_KIND);
    const otherSeeded = await seedRows(other.id, 20);
    // A few made through the API too (the admin and guest agents already exist).
    await createResource(c.token, "contacts", validBody("contacts"));
    const before = await remainingRows(c.id);
    expect(before.agents).toBe(seeded.agents + 2);
    expect(before.contacts).toBe(seeded.contacts + 1);

    const res = await api("DELETE", `/v1.0/customers/${c.id}`, { token: await adminLogin() });
    expect(res.status).toBe(200);
    const receipt = await waitForFinished(c.id);
    expect(receipt.deleted).toEqual({ ...before, storage_objects: 0 });
    expect(receipt.remaining).toEqual(Object.fromEntries(resourceKinds.map((k) => [k, 0])));
    expect(receipt.tm_finish).not.toBeNull();
    expect(await remainingRows(c.id)).toEqual(receipt.remaining);
    // Nothing else of the customer is left but its anonymized row and the job.
    for (const table of ["accesskeys", "email_verifications"]) expect(await countRows(table, c.id)).toBe(0);
    const pii = await env.DB.prepare("SELECT count(*) AS n FROM agents WHERE username = ?")
      .bind(c.username)
      .first<{ n: number }>();
    expect(pii!.n).toBe(0);
    // The other tenant is untouched.
    const otherLeft = await remainingRows(other.id);
    for (const kind of resourceKinds) expect(otherLeft[kind]).toBe(otherSeeded[kind] + (kind === "agents" ? 2 : 0));
  });

  it("in dev-sized accounts too: an immediate unregister reaches finished", async () => {
    const c = await createCustomer();
    for (const kind of ["tags", "flows", "queues", "contacts"] as ResourceKind[]) await createResource(c.token, kind);
    const res = await api("POST", "/auth/unregister", {
      token: c.token,
      body: { password: c.password, immediate: true, confirmation_phrase: "DELETE" },
    });
    expect(res.status).toBe(200);
    const receipt = await waitForFinished(c.id);
    expect(receipt.deleted).toMatchObject({ agents: 2, tags: 1, flows: 1, queues: 1, contacts: 1 });
  });

  it("a consumer that fails midway is retried with backoff and finishes with exact counts", async () => {
    const c = await createCustomer();
    const seeded = await seedRows(c.id, PER_KIND);
    const before = await remainingRows(c.id);
    await deletedWithoutMessage(c.id);

    const msg = message(c.id, 2);
    const failed = await deliver("customer-cascade", [msg], failingOnDelete(4));
    // (getQueueResult does not carry the delay; cascadeRetryDelaySeconds is unit-tested below.)
    expect(failed.retryMessages.map((m) => m.msgId)).toEqual([msg.id]);
    expect(failed.explicitAcks).toEqual([]);
    // Part of the work is done and counted, nothing is counted that was not deleted.
    const mid = (await api("GET", `/v1.0/customers/${c.id}/deletion`, { token: await adminLogin() })).body;
    expect(mid.status).toBe("running");
    for (const kind of resourceKinds) expect(mid.deleted[kind] + mid.remaining[kind]).toBe(before[kind]);
    expect(mid.remaining.agents).toBeLessThan(before.agents);

    const retried = await deliver("customer-cascade", [{ ...msg, attempts: 3 }]);
    expect(retried.explicitAcks).toEqual([msg.id]);
    const receipt = await waitForFinished(c.id);
    expect(receipt.deleted).toEqual({ ...before, storage_objects: 0 });
    expect(receipt.deleted.tags).toBe(seeded.tags);
  });

  it("a duplicated message does no harm: counts stay exact", async () => {
    const c = await createCustomer();
    await seedRows(c.id, PER_KIND);
    const before = await remainingRows(c.id);
    await deletedWithoutMessage(c.id);
    const [first, second] = await Promise.all([
      deliver("customer-cascade", [message(c.id)]),
      deliver("customer-cascade", [message(c.id)]),
    ]);
    expect(first.explicitAcks.length + second.explicitAcks.length).toBe(2);
    await deliver("customer-cascade", [message(c.id)]); // and once more, after finishing
    const receipt = await waitForFinished(c.id);
    expect(receipt.deleted).toEqual({ ...before, storage_objects: 0 });
  });

  it("works in bounded chunks and continues itself through the queue", async () => {
    const c = await createCustomer();
    await seedRows(c.id, CASCADE_CHUNK_ROWS + 10);
    const before = await remainingRows(c.id);
    await deletedWithoutMessage(c.id);
    const send = vi.spyOn(env.CASCADE_QUEUE, "send");
    // One chunk of budget: only CASCADE_CHUNK_ROWS rows go, then a continuation is sent.
    expect(await runCascade(env, c.id, { chunks: 1 })).toBe("continued");
    expect(send).toHaveBeenCalledWith({ customerId: c.id });
    send.mockRestore();
    const after = await remainingRows(c.id);
    expect(before.agents - after.agents).toBe(CASCADE_CHUNK_ROWS);
    const receipt = await waitForFinished(c.id);
    expect(receipt.deleted).toEqual({ ...before, storage_objects: 0 });
  });

  it("never touches a customer that is not deleted, whatever a message says", async () => {
    const c = await createCustomer();
    await seedRows(c.id, 5);
    const result = await deliver("customer-cascade", [message(c.id)]);
    expect(result.explicitAcks.length).toBe(1);
    expect((await remainingRows(c.id)).tags).toBe(5);
  });

  it("dead letters mark the job failed, and the cron resumes it", async () => {
    const c = await createCustomer();
    await seedRows(c.id, 50);
    const before = await remainingRows(c.id);
    await deletedWithoutMessage(c.id);
    await deliver("customer-cascade-dlq", [message(c.id, 10)]);
    const failed = (await api("GET", `/v1.0/customers/${c.id}/deletion`, { token: await adminLogin() })).body;
    expect(failed.status).toBe("failed");
    // Stalled long enough: the reconciliation sends it again.
    await env.DB.prepare("UPDATE deletion_jobs SET tm_progress = ? WHERE customer_id = ?")
      .bind(Date.now() - 3600_000, c.id)
      .run();
    await runCron();
    const receipt = await waitForFinished(c.id);
    expect(receipt.deleted).toEqual({ ...before, storage_objects: 0 });
  });
});

describe("cascadeRetryDelaySeconds", () => {
  it("backs off exponentially from 2 s and caps at 5 minutes", () => {
    expect([1, 2, 3, 4, 8, 9, 20].map(cascadeRetryDelaySeconds)).toEqual([2, 4, 8, 16, 256, 300, 300]);
  });
});
