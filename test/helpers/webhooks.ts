import { env } from "cloudflare:test";
import { expect, vi } from "vitest";

/** Until a customer's events have all left the outbox (the background dispatch sent them). */
export async function waitForNoPendingEvents(customerId: string): Promise<void> {
  await vi.waitFor(
    async () => {
      const row = await env.DB.prepare(
        "SELECT count(*) AS n FROM customer_events WHERE customer_id = ? AND delivery_status = 'pending'",
      )
        .bind(customerId)
        .first<{ n: number }>();
      expect(row?.n).toBe(0);
    },
    { timeout: 10_000, interval: 50 },
  );
}
