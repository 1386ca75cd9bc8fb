import { and, asc, eq, inArray, isNull, lte, or } from "drizzle-orm";
import { getDb } from "../db/client";
import { customerEvents } from "../db/schema";
import type { Env } from "../env";

export interface WebhookMessage {
  eventId: string;
}

export const DISPATCH_BATCH = 100;
/**
 * How long a dispatcher's claim on an event lasts. The queue takes a message at once and its
 * consumer extends the lease over each retry's delay, so an expired lease on a pending event
 * means its message died (with the process that claimed it): the next dispatch takes it over.
 */
export const CLAIM_LEASE_MS = 60 * 1000;

/**
 * The outbox: hands events that have a webhook target to the delivery queue. Each event is
 * claimed with a short lease in one conditional UPDATE (so concurrent dispatchers, after a
 * request and in the Durable Object, do not send the same event twice) and released if the
 * send fails. A claim whose lease ran out is taken over, under the same webhook-id (the event id).
 */
export async function dispatchPendingEvents(env: Env, limit = DISPATCH_BATCH, now = Date.now()): Promise<number> {
  const db = getDb(env.DB);
  const leaseExpire = now + CLAIM_LEASE_MS;
  const claimable = and(
    eq(customerEvents.deliveryStatus, "pending"),
    or(isNull(customerEvents.tmLeaseExpire), lte(customerEvents.tmLeaseExpire, now)),
  );
  const claimed = await db
    .update(customerEvents)
    .set({ tmDispatched: now, tmLeaseExpire: leaseExpire })
    .where(
      and(
        claimable,
        inArray(
          customerEvents.id,
          db
            .select({ id: customerEvents.id })
            .from(customerEvents)
            .where(claimable)
            .orderBy(asc(customerEvents.tmCreate))
            .limit(limit),
        ),
      ),
    )
    .returning({ id: customerEvents.id });
  if (claimed.length === 0) return 0;
  try {
    await env.WEBHOOK_QUEUE.sendBatch(claimed.map((e) => ({ body: { eventId: e.id } })));
  } catch (err) {
    // Only this claim is released: another dispatcher may already hold a newer one.
    await db
      .update(customerEvents)
      .set({ tmLeaseExpire: null })
      .where(
        and(
          inArray(
            customerEvents.id,
            claimed.map((e) => e.id),
          ),
          eq(customerEvents.tmLeaseExpire, leaseExpire),
        ),
      );
    throw err;
  }
  return claimed.length;
}

/** The queue holds the event until its next attempt: nobody takes it over before then. */
export async function extendLease(env: Env, eventId: string, delaySeconds: number, now = Date.now()): Promise<void> {
  await getDb(env.DB)
    .update(customerEvents)
    .set({ tmLeaseExpire: now + delaySeconds * 1000 + CLAIM_LEASE_MS })
    .where(and(eq(customerEvents.id, eventId), eq(customerEvents.deliveryStatus, "pending")));
}

// Writes that cannot record an event still take over expired leases, at most once a lease
// period per isolate: a stranded event goes out within about a minute of any activity, at the
// cost of one statement a minute, not one per write.
let lastTakeoverAt = 0;

/** Test seam: forget when this isolate last looked for expired leases. */
export const resetTakeoverThrottle = () => {
  lastTakeoverAt = 0;
};

/** After a successful write: dispatch if it may have recorded an event, or if a lease may have run out since the last look. */
export function shouldDispatchAfterWrite(mayRecordEvent: boolean, now = Date.now()): boolean {
  if (!mayRecordEvent && now - lastTakeoverAt < CLAIM_LEASE_MS) return false;
  lastTakeoverAt = now;
  return true;
}
