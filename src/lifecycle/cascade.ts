import { and, eq, inArray, lt, sql } from "drizzle-orm";
import { getTableConfig } from "drizzle-orm/sqlite-core";
import { getDb } from "../db/client";
import { ownedTables, resourceKinds, type ResourceKind } from "../db/owned";
import { customers, deletionJobs } from "../db/schema";
import type { Env } from "../env";
import { deleteCustomerObjectsChunk } from "../storage/objects";
import { DEFAULT_PACER, ScavengerPacer } from "./cascade-pacer";

/** Rows of a delivery's first chunk; later chunks grow or shrink with the pacer. */
export const CASCADE_CHUNK_ROWS = DEFAULT_PACER.startRows;

export interface CascadeMessage {
  customerId: string;
}

/**
 * Wall time one queue delivery works before handing over to a continuation message: long
 * enough that a large customer rarely waits for a redelivery, far below the consumer's limit.
 */
export const CASCADE_DELIVERY_BUDGET_MS = 20_000;
/** A job with no progress for this long is re-sent by the cron reconciliation. */
export const CASCADE_STALL_MS = 5 * 60 * 1000;

const tableName = (kind: ResourceKind) => getTableConfig(ownedTables[kind]).name;

/**
 * The job row, written in the deletion batch before anything is deleted, with the number of
 * rows of each kind the customer owns at that moment. Nothing can add rows afterwards (its
 * credentials are revoked in the same batch), so these are exactly the rows the deletion
 * removes: the receipt needs no bookkeeping per chunk, and no retry or duplicate can skew it.
 */
export function recordDeletionJob(customerId: string, now: number) {
  const counts = sql.join(
    [
      ...resourceKinds.map(
        (kind) =>
          sql`${kind}, (SELECT count(*) FROM ${sql.identifier(tableName(kind))} WHERE customer_id = ${customerId})`,
      ),
      // R2 objects cannot be counted from SQL: the cascade adds them as it deletes them.
      sql`'storage_objects', 0`,
    ],
    sql`, `,
  );
  return sql`INSERT INTO deletion_jobs (customer_id, status, deleted, error, tm_start, tm_progress)
      VALUES (${customerId}, 'pending', json_object(${counts}), '', ${now}, ${now})
      ON CONFLICT DO NOTHING`;
}

export async function startCascade(env: Env, customerId: string) {
  await env.CASCADE_QUEUE.send({ customerId });
}

/**
 * One step of the cascade: something done in chunks (`chunk(rows)` does up to `rows` and says
 * how many it did; fewer means the step is finished). The deletion of each kind's rows is one;
 * another kind of cleanup (say, stored objects) is another entry in `cascadeSteps`.
 */
export interface CascadeStep {
  name: string;
  chunk(rows: number): Promise<number>;
  /** Called once the step is finished (progress is recorded here). */
  done?(): Promise<unknown>;
  /** False for a step whose chunks are not D1 rows (the pacer learns nothing from their timing). */
  paced?: boolean;
}

const deleteSql = (table: string) =>
  `DELETE FROM "${table}" WHERE rowid IN (SELECT rowid FROM "${table}" WHERE customer_id = ? LIMIT ?)`;
const deleteStatements = Object.fromEntries(resourceKinds.map((kind) => [kind, deleteSql(tableName(kind))])) as Record<
  ResourceKind,
  string
>;
// The audit trail stays (it has no names or emails), but client IPs are personal data.
const SCRUB_AUDIT_IPS =
  "UPDATE audit_log SET ip = '' WHERE rowid IN (SELECT rowid FROM audit_log WHERE customer_id = ? AND ip <> '' LIMIT ?)";

const changes = async (statement: D1PreparedStatement) => (await statement.run()).meta.changes ?? 0;

/** What a deleted customer's cascade does, in order. */
export function cascadeSteps(env: Env, customerId: string, touch: () => Promise<unknown>): CascadeStep[] {
  return [
    ...resourceKinds.map((kind) => ({
      name: kind,
      chunk: (rows: number) => changes(env.DB.prepare(deleteStatements[kind]).bind(customerId, rows)),
      done: touch,
    })),
    // The customer's file bytes in R2, by key prefix, counted into the receipt as they go.
    { name: "storage_objects", chunk: () => deleteCustomerObjectsChunk(env, customerId), done: touch, paced: false },
    { name: "audit_ip", chunk: (rows: number) => changes(env.DB.prepare(SCRUB_AUDIT_IPS).bind(customerId, rows)) },
  ];
}

export type CascadeOutcome = "finished" | "continued" | "skipped";

export interface CascadeBudget {
  chunks?: number;
  ms?: number;
}

/** One delivery's worth of cascade work for a customer. */
export async function runCascade(env: Env, customerId: string, budget: CascadeBudget = {}): Promise<CascadeOutcome> {
  const db = getDb(env.DB);
  const [job] = await db
    .select({ status: deletionJobs.status, customerStatus: customers.status })
    .from(deletionJobs)
    .innerJoin(customers, eq(customers.id, deletionJobs.customerId))
    .where(eq(deletionJobs.customerId, customerId))
    .limit(1);
  // Never touch a customer that is not deleted, whatever a stray message says.
  if (!job || job.customerStatus !== "deleted" || job.status === "finished") return "skipped";
  if (job.status !== "running") {
    await db.update(deletionJobs).set({ status: "running", error: "" }).where(eq(deletionJobs.customerId, customerId));
  }

  const deadline = Date.now() + (budget.ms ?? CASCADE_DELIVERY_BUDGET_MS);
  let chunks = budget.chunks ?? Number.POSITIVE_INFINITY;
  const pacer = new ScavengerPacer();
  const touch = () =>
    db.update(deletionJobs).set({ tmProgress: Date.now() }).where(eq(deletionJobs.customerId, customerId));
  for (const step of cascadeSteps(env, customerId, touch)) {
    // Chunks until one comes back short (the step is done) or the budget is spent; their size
    // and the rests between them come from the pacer (src/lifecycle/cascade-pacer.ts).
    for (;;) {
      if (chunks <= 0 || Date.now() >= deadline) {
        await touch();
        return continueLater(env, customerId);
      }
      chunks--;
      const { rows } = pacer.next();
      const started = performance.now();
      const done = await step.chunk(rows);
      if (step.paced !== false) pacer.observe(step.name, done, performance.now() - started);
      if (done < rows) break;
      // More of this step to do: rest as the pacer says, and always through a timer, if only of
      // 0 ms: measured locally, a consumer that chained one D1 call onto the next without a
      // macrotask in between kept other tenants' requests out for its whole run (p99 ~10× idle).
      await new Promise((resolve) => setTimeout(resolve, pacer.next().restMs));
    }
    await step.done?.();
  }

  await db
    .update(deletionJobs)
    .set({ status: "finished", tmFinish: Date.now(), tmProgress: Date.now(), error: "" })
    .where(
      and(eq(deletionJobs.customerId, customerId), inArray(deletionJobs.status, ["pending", "running", "failed"])),
    );
  return "finished";
}

async function continueLater(env: Env, customerId: string): Promise<CascadeOutcome> {
  await env.CASCADE_QUEUE.send({ customerId });
  return "continued";
}

export const cascadeRetryDelaySeconds = (attempts: number) => Math.min(300, 2 ** Math.min(attempts, 9));

export async function handleCascadeBatch(batch: MessageBatch<CascadeMessage>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    try {
      await runCascade(env, message.body.customerId);
      message.ack();
    } catch (err) {
      console.error("cascade step failed", message.body.customerId, err instanceof Error ? err.message : String(err));
      message.retry({ delaySeconds: cascadeRetryDelaySeconds(message.attempts) });
    }
  }
}

/** Messages that exhausted their retries: the job is marked failed (the cron will try again later). */
export async function handleCascadeDeadLetters(batch: MessageBatch<CascadeMessage>, env: Env): Promise<void> {
  const db = getDb(env.DB);
  for (const message of batch.messages) {
    await db
      .update(deletionJobs)
      .set({ status: "failed", error: "retries exhausted; the reconciliation will resume it" })
      .where(
        and(eq(deletionJobs.customerId, message.body.customerId), inArray(deletionJobs.status, ["pending", "running"])),
      );
    message.ack();
  }
}

/** Cron: re-send every unfinished job that has made no progress for a while. */
export async function resendStalledCascades(env: Env, now: number, limit = 100): Promise<number> {
  const db = getDb(env.DB);
  const stalled = await db
    .select({ customerId: deletionJobs.customerId })
    .from(deletionJobs)
    .where(
      and(
        inArray(deletionJobs.status, ["pending", "running", "failed"]),
        lt(deletionJobs.tmProgress, now - CASCADE_STALL_MS),
      ),
    )
    .limit(limit);
  if (stalled.length) await env.CASCADE_QUEUE.sendBatch(stalled.map((j) => ({ body: { customerId: j.customerId } })));
  return stalled.length;
}
