import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import { getDb } from "../db/client";
import { customerEvents } from "../db/schema";
import type { Env } from "../env";

export interface WebhookMessage {
  eventId: string;
}

export const DISPATCH_BATCH = 100;

/**
 * The outbox: hands events that have a webhook target to the delivery queue. Sent first, marked
 * after, so a crash in between repeats a send (same webhook-id, which receivers deduplicate)
 * rather than losing one. Runs after writes and from the cron.
 */
export async function dispatchPendingEvents(env: Env, limit = DISPATCH_BATCH): Promise<number> {
  const db = getDb(env.DB);
  const pending = await db
    .select({ id: customerEvents.id })
    .from(customerEvents)
    .where(and(eq(customerEvents.deliveryStatus, "pending"), isNull(customerEvents.tmDispatched)))
    .orderBy(asc(customerEvents.tmCreate))
    .limit(limit);
  if (pending.length === 0) return 0;
  await env.WEBHOOK_QUEUE.sendBatch(pending.map((e) => ({ body: { eventId: e.id } })));
  await db
    .update(customerEvents)
    .set({ tmDispatched: Date.now() })
    .where(inArray(customerEvents.id, pending.map((e) => e.id)));
  return pending.length;
}
