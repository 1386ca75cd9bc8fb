import { and, asc, eq, inArray, isNull, lt, notExists, sql } from "drizzle-orm";
import { getDb } from "../db/client";
import { customerEvents, webhookDeliveries } from "../db/schema";
import type { Env } from "../env";

export interface WebhookMessage {
  eventId: string;
}

export const DISPATCH_BATCH = 100;
/** A claimed event with no delivery attempt after this long was lost between claim and send. */
export const STRANDED_AFTER_MS = 15 * 60 * 1000;

/**
 * The outbox: hands events that have a webhook target to the delivery queue. Events are claimed
 * first (so concurrent dispatchers, after a request and in the Durable Object, do not send the
 * same event twice), and released again if the send fails; the cron releases events stranded by
 * a crash between claim and send.
 */
export async function dispatchPendingEvents(env: Env, limit = DISPATCH_BATCH): Promise<number> {
  const db = getDb(env.DB);
  const now = Date.now();
  const unclaimed = and(eq(customerEvents.deliveryStatus, "pending"), isNull(customerEvents.tmDispatched));
  const claimed = await db
    .update(customerEvents)
    .set({ tmDispatched: now })
    .where(
      and(
        unclaimed,
        inArray(
          customerEvents.id,
          db.select({ id: customerEvents.id }).from(customerEvents).where(unclaimed).orderBy(asc(customerEvents.tmCreate)).limit(limit),
        ),
      ),
    )
    .returning({ id: customerEvents.id });
  if (claimed.length === 0) return 0;
  try {
    await env.WEBHOOK_QUEUE.sendBatch(claimed.map((e) => ({ body: { eventId: e.id } })));
  } catch (err) {
    await db.update(customerEvents).set({ tmDispatched: null }).where(inArray(customerEvents.id, claimed.map((e) => e.id)));
    throw err;
  }
  return claimed.length;
}

/** Cron: claimed long ago, still pending, never attempted: release them to be dispatched again. */
export async function releaseStrandedEvents(env: Env, now = Date.now()): Promise<number> {
  const db = getDb(env.DB);
  const released = await db
    .update(customerEvents)
    .set({ tmDispatched: null })
    .where(
      and(
        eq(customerEvents.deliveryStatus, "pending"),
        lt(customerEvents.tmDispatched, now - STRANDED_AFTER_MS),
        notExists(db.select({ one: sql`1` }).from(webhookDeliveries).where(eq(webhookDeliveries.eventId, customerEvents.id))),
      ),
    )
    .returning({ id: customerEvents.id });
  return released.length;
}
