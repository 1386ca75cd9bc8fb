import { and, asc, eq, gt, lte, sql } from "drizzle-orm";
import { changesOf, d1Batch } from "../db/batch";
import { getDb } from "../db/client";
import { customers, sweepCursors } from "../db/schema";
import type { Env } from "../env";
import { resendStalledCascades } from "./cascade";
import { sweepOrphanObjects } from "../storage/objects";
import { IDEMPOTENCY_TTL_MS } from "../middleware/idempotency";
import { dispatchPendingEvents, DISPATCH_BATCH } from "../webhooks/dispatch";
import { configOf } from "../config";
import { lifecycleOf } from "./customer-lifecycle-client";

/** Customers looked at per category and run: bounded work at any table size. */
export const SWEEP_LIMIT = 100;

export interface ReconcileReport {
  deleted: number;
  expired: number;
  alarmsChecked: number;
  cascadesResent: number;
  /** File objects in R2 with no row (a crashed upload or delete), removed this run. */
  orphanObjectsDeleted: number;
  eventsDispatched: number;
  eventsPruned: number;
}

/** Customer events and delivery attempts are kept this long. */
export const EVENT_RETENTION_MS = 30 * 24 * 3600 * 1000;
const PRUNE_LIMIT = 5000;

/**
 * The cron's safety net under the per-customer alarms. Every action goes through the customer's
 * Durable Object, which re-checks the state, so a sweep racing an alarm or a cancel is harmless.
 */
export async function reconcile(env: Env, now = Date.now()): Promise<ReconcileReport> {
  const db = getDb(env.DB);
  const expiryMs = configOf(env).signupExpiryMs;

  const [overdueFrozen, overdueSignups] = await db.batch([
    db
      .select({ id: customers.id })
      .from(customers)
      .where(and(eq(customers.status, "frozen"), lte(customers.tmDeletionScheduled, now)))
      .orderBy(asc(customers.tmDeletionScheduled))
      .limit(SWEEP_LIMIT),
    db
      .select({ id: customers.id })
      .from(customers)
      .where(and(eq(customers.status, "initial"), lte(customers.tmCreate, now - expiryMs)))
      .orderBy(asc(customers.tmCreate))
      .limit(SWEEP_LIMIT),
  ]);
  for (const { id } of overdueFrozen) await lifecycleOf(env, id).deleteIfOverdue(id);
  for (const { id } of overdueSignups) await lifecycleOf(env, id).expireIfOverdue(id);

  // Frozen customers not yet due: make sure each still has its alarm, a page per run, round robin.
  const [cursor] = await db.select().from(sweepCursors).where(eq(sweepCursors.name, "frozen_alarms")).limit(1);
  const page = await db
    .select({ id: customers.id })
    .from(customers)
    .where(and(eq(customers.status, "frozen"), gt(customers.id, cursor?.value ?? "")))
    .orderBy(asc(customers.id))
    .limit(SWEEP_LIMIT);
  for (const { id } of page) await lifecycleOf(env, id).deleteIfOverdue(id);
  const next = page.length === SWEEP_LIMIT ? page[page.length - 1]!.id : "";
  await db
    .insert(sweepCursors)
    .values({ name: "frozen_alarms", value: next })
    .onConflictDoUpdate({ target: sweepCursors.name, set: { value: next } });

  const cascadesResent = await resendStalledCascades(env, now);
  const orphanObjectsDeleted = await sweepOrphanObjects(env, now);

  // Events whose hand-off to the webhook queue was missed or whose claim's lease ran out (the
  // message died with its process), then the 30-day retention.
  let eventsDispatched = 0;
  for (let i = 0; i < 10; i++) {
    const n = await dispatchPendingEvents(env);
    eventsDispatched += n;
    if (n < DISPATCH_BATCH) break;
  }
  const cutoff = now - EVENT_RETENTION_MS;
  const pruned = await d1Batch(env.DB, [
    sql`DELETE FROM customer_events WHERE rowid IN (SELECT rowid FROM customer_events WHERE tm_create < ${cutoff} LIMIT ${PRUNE_LIMIT})`,
    sql`DELETE FROM webhook_deliveries WHERE rowid IN (SELECT rowid FROM webhook_deliveries WHERE tm_create < ${cutoff} LIMIT ${PRUNE_LIMIT})`,
    sql`DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys WHERE tm_create < ${now - IDEMPOTENCY_TTL_MS} LIMIT ${PRUNE_LIMIT})`,
    // Reset links are useless once expired (one hour).
    sql`DELETE FROM password_resets WHERE rowid IN (SELECT rowid FROM password_resets WHERE tm_expire < ${now} LIMIT ${PRUNE_LIMIT})`,
  ]);
  return {
    deleted: overdueFrozen.length,
    expired: overdueSignups.length,
    alarmsChecked: page.length,
    cascadesResent,
    orphanObjectsDeleted,
    eventsDispatched,
    eventsPruned: changesOf(pruned, 0),
  };
}
