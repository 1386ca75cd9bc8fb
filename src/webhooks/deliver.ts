import { and, eq } from "drizzle-orm";
import { getDb, type Db } from "../db/client";
import { customerEvents, customers, webhookDeliveries } from "../db/schema";
import type { Env } from "../env";
import { extendLease, type WebhookMessage } from "./dispatch";
import { checkBeforeSend } from "./policy";
import { activeSecrets } from "./secrets";
import { signDelivery } from "./signature";

export const DELIVERY_TIMEOUT_MS = 5000;

/**
 * Exponential backoff with ±20% jitter: about 5 s before the first retry, doubling up to
 * 12 hours, so the 14 retries of the queue span about a day.
 */
export function webhookRetryDelaySeconds(attempts: number, random = Math.random): number {
  const base = Math.min(5 * 2 ** Math.max(0, attempts - 1), 12 * 3600);
  return Math.max(1, Math.round(base * (0.8 + 0.4 * random())));
}

type Outcome =
  | { kind: "delivered" }
  | { kind: "gone" }
  | { kind: "retry"; error: string }
  | { kind: "failed"; error: string };

async function recordAttempt(
  db: Db,
  customerId: string,
  eventId: string,
  attempt: number,
  statusCode: number,
  error: string,
) {
  await db.insert(webhookDeliveries).values({
    id: crypto.randomUUID(),
    customerId,
    eventId,
    attempt,
    statusCode,
    error: error.slice(0, 500),
    tmCreate: Date.now(),
  });
}

/** One delivery attempt of one event. */
export async function deliverEvent(env: Env, eventId: string, attempt: number): Promise<Outcome | null> {
  const db = getDb(env.DB);
  const [row] = await db
    .select({ event: customerEvents, customer: customers })
    .from(customerEvents)
    .innerJoin(customers, eq(customers.id, customerEvents.customerId))
    .where(eq(customerEvents.id, eventId))
    .limit(1);
  // Gone (pruned, or the customer deleted) or already settled by an earlier copy of the message.
  if (!row || row.event.deliveryStatus !== "pending") return null;
  const { event, customer } = row;
  if (customer.webhookDisabled && event.type !== "customer_deleted") {
    await settle(db, eventId, "disabled");
    return null;
  }

  const target = await checkBeforeSend(env, event.webhookUri);
  if (!target.ok) {
    await recordAttempt(db, customer.id, eventId, attempt, 0, `WEBHOOK_URI_NOT_ALLOWED: ${target.reason}`);
    return target.retryable ? { kind: "retry", error: target.reason } : { kind: "failed", error: target.reason };
  }

  const secrets = event.signingSecrets.length ? event.signingSecrets : activeSecrets(customer);
  const method = event.webhookMethod || "POST";
  const body = method === "GET" ? "" : JSON.stringify({ type: event.type, data: event.data });
  const url = new URL(target.url);
  const timestamp = Math.floor(Date.now() / 1000);
  // A GET has no body: its query carries the event id and the time, and the legacy signature
  // covers that query, so no signature verifies another delivery.
  if (method === "GET") {
    url.searchParams.set("event_id", event.id);
    url.searchParams.set("timestamp", String(timestamp));
  }
  const legacySigned = method === "GET" ? url.search.slice(1) : body;
  const headers = await signDelivery(secrets, { id: event.id, timestamp, body, legacySigned });

  let status = 0;
  try {
    const res = await fetch(url.toString(), {
      method,
      headers: {
        ...headers,
        ...(body ? { "Content-Type": "application/json" } : {}),
        "User-Agent": "VoIPBIN-Webhooks/1.0",
      },
      body: body || undefined,
      // A redirect could lead anywhere, past the address check: it is not followed.
      redirect: "manual",
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    status = res.status;
    await res.body?.cancel();
  } catch (err) {
    const error =
      err instanceof Error && err.name === "TimeoutError"
        ? `no answer within ${DELIVERY_TIMEOUT_MS} ms`
        : `network error: ${err instanceof Error ? err.message : String(err)}`;
    await recordAttempt(db, customer.id, eventId, attempt, 0, error);
    return { kind: "retry", error };
  }

  if (status >= 200 && status < 300) {
    await recordAttempt(db, customer.id, eventId, attempt, status, "");
    return { kind: "delivered" };
  }
  if (status === 410) {
    await recordAttempt(
      db,
      customer.id,
      eventId,
      attempt,
      status,
      "endpoint gone: webhooks disabled until a webhook_uri is set again",
    );
    // Only if the address is still the one that answered: a new address stays enabled.
    await db
      .update(customers)
      .set({ webhookDisabled: true })
      .where(and(eq(customers.id, customer.id), eq(customers.webhookUri, event.webhookUri)));
    return { kind: "gone" };
  }
  const error = `HTTP ${status}`;
  await recordAttempt(db, customer.id, eventId, attempt, status, error);
  return status >= 500 || status === 429 || status === 408 ? { kind: "retry", error } : { kind: "failed", error };
}

/** Final state of an event's delivery; its signing secrets are no longer needed. */
async function settle(db: Db, eventId: string, status: "delivered" | "failed" | "disabled") {
  await db
    .update(customerEvents)
    .set({ deliveryStatus: status, signingSecrets: [] })
    .where(and(eq(customerEvents.id, eventId), eq(customerEvents.deliveryStatus, "pending")));
}

/** Back to the queue with backoff; the event's lease covers the wait, so no dispatcher sends it meanwhile. */
async function retryLater(env: Env, message: Message<WebhookMessage>) {
  const delaySeconds = webhookRetryDelaySeconds(message.attempts);
  message.retry({ delaySeconds });
  // Should this fail, the event may be sent again after a minute: same webhook-id, receivers dedupe.
  await extendLease(env, message.body.eventId, delaySeconds).catch((err) =>
    console.error("webhook lease not extended", message.body.eventId, err instanceof Error ? err.message : String(err)),
  );
}

export async function handleWebhookBatch(batch: MessageBatch<WebhookMessage>, env: Env): Promise<void> {
  const db = getDb(env.DB);
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        const outcome = await deliverEvent(env, message.body.eventId, message.attempts);
        if (outcome?.kind === "retry") {
          await retryLater(env, message);
          return;
        }
        if (outcome)
          await settle(
            db,
            message.body.eventId,
            outcome.kind === "delivered" ? "delivered" : outcome.kind === "gone" ? "disabled" : "failed",
          );
        message.ack();
      } catch (err) {
        console.error(
          "webhook delivery step failed",
          message.body.eventId,
          err instanceof Error ? err.message : String(err),
        );
        await retryLater(env, message);
      }
    }),
  );
}

/** Deliveries that exhausted their retries (about a day): marked failed. */
export async function handleWebhookDeadLetters(batch: MessageBatch<WebhookMessage>, env: Env): Promise<void> {
  const db = getDb(env.DB);
  for (const message of batch.messages) {
    await settle(db, message.body.eventId, "failed");
    message.ack();
  }
}
