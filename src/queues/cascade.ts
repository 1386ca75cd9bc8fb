import { and, eq, inArray, lt, sql } from "drizzle-orm";
import { getTableConfig } from "drizzle-orm/sqlite-core";
import { changesOf, d1Batch } from "../db/batch";
import { getDb, type Db } from "../db/client";
import { ownedTables, resourceKinds, zeroCounts, type ResourceKind } from "../db/owned";
import { customers, deletionJobs } from "../db/schema";
import type { Env } from "../env";

export interface CascadeMessage {
  customerId: string;
}

/** Rows per DELETE: short statements, so other tenants' queries interleave with a big cascade. */
export const CASCADE_CHUNK_ROWS = 500;
/** Chunks per queue delivery before handing over to a continuation message. */
export const CASCADE_CHUNKS_PER_MESSAGE = 50;
/** A job with no progress for this long is re-sent by the cron reconciliation. */
export const CASCADE_STALL_MS = 5 * 60 * 1000;

const tableName = (kind: ResourceKind) => getTableConfig(ownedTables[kind]).name;

export function recordDeletionJob(db: Db, customerId: string, now: number) {
  return db
    .insert(deletionJobs)
    .values({ customerId, status: "pending", deleted: zeroCounts(), tmStart: now, tmProgress: now })
    .onConflictDoNothing();
}

/**
 * Adds the row count of the DELETE just before it in the same batch (changes()) to the job's
 * receipt: the deletion and its count commit together or not at all.
 */
export function countDeleted(customerId: string, kind: ResourceKind, now: number) {
  const path = `$.${kind}`;
  return sql`UPDATE deletion_jobs
      SET deleted = json_set(deleted, ${path}, coalesce(json_extract(deleted, ${path}), 0) + changes()),
          tm_progress = ${now}
      WHERE customer_id = ${customerId}`;
}

export async function startCascade(env: Env, customerId: string) {
  await env.CASCADE_QUEUE.send({ customerId });
}

/**
 * Deletes one chunk of one kind and adds the number deleted to the job's receipt in the same
 * transaction (changes() is the DELETE's row count), so a crash or a duplicate message can
 * neither lose a count nor count a row twice. Returns how many rows went.
 */
async function deleteChunk(db: Db, customerId: string, kind: ResourceKind, now: number): Promise<number> {
  const table = sql.identifier(tableName(kind));
  const results = await d1Batch(db.$client, [
    sql`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE customer_id = ${customerId} LIMIT ${CASCADE_CHUNK_ROWS})`,
    countDeleted(customerId, kind, now),
    db.update(deletionJobs).set({ status: "running" }).where(and(eq(deletionJobs.customerId, customerId), eq(deletionJobs.status, "pending"))),
  ]);
  return changesOf(results, 0);
}

export type CascadeOutcome = "finished" | "continued" | "skipped";

/** One delivery's worth of cascade work for a customer. */
export async function runCascade(env: Env, customerId: string, chunkBudget = CASCADE_CHUNKS_PER_MESSAGE): Promise<CascadeOutcome> {
  const db = getDb(env.DB);
  const [job] = await db
    .select({ status: deletionJobs.status, customerStatus: customers.status })
    .from(deletionJobs)
    .innerJoin(customers, eq(customers.id, deletionJobs.customerId))
    .where(eq(deletionJobs.customerId, customerId))
    .limit(1);
  // Never touch a customer that is not deleted, whatever a stray message says.
  if (!job || job.customerStatus !== "deleted" || job.status === "finished") return "skipped";

  let budget = chunkBudget;
  for (const kind of resourceKinds) {
    while (budget > 0) {
      budget--;
      const n = await deleteChunk(db, customerId, kind, Date.now());
      if (n < CASCADE_CHUNK_ROWS) break;
    }
    if (budget === 0) {
      await env.CASCADE_QUEUE.send({ customerId });
      return "continued";
    }
  }
  // The audit trail stays (it has no names or emails), but client IPs are personal data.
  while (budget > 0) {
    budget--;
    const results = await d1Batch(db.$client, [
      sql`UPDATE audit_log SET ip = '' WHERE rowid IN (SELECT rowid FROM audit_log WHERE customer_id = ${customerId} AND ip <> '' LIMIT ${CASCADE_CHUNK_ROWS})`,
    ]);
    if (changesOf(results, 0) < CASCADE_CHUNK_ROWS) break;
  }
  if (budget === 0) {
    await env.CASCADE_QUEUE.send({ customerId });
    return "continued";
  }
  await db
    .update(deletionJobs)
    .set({ status: "finished", tmFinish: Date.now(), tmProgress: Date.now(), error: "" })
    .where(and(eq(deletionJobs.customerId, customerId), inArray(deletionJobs.status, ["pending", "running", "failed"])));
  return "finished";
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
      .where(and(eq(deletionJobs.customerId, message.body.customerId), inArray(deletionJobs.status, ["pending", "running"])));
    message.ack();
  }
}

/** Cron: re-send every unfinished job that has made no progress for a while. */
export async function resendStalledCascades(env: Env, now: number, limit = 100): Promise<number> {
  const db = getDb(env.DB);
  const stalled = await db
    .select({ customerId: deletionJobs.customerId })
    .from(deletionJobs)
    .where(and(inArray(deletionJobs.status, ["pending", "running", "failed"]), lt(deletionJobs.tmProgress, now - CASCADE_STALL_MS)))
    .limit(limit);
  if (stalled.length) await env.CASCADE_QUEUE.sendBatch(stalled.map((j) => ({ body: { customerId: j.customerId } })));
  return stalled.length;
}
