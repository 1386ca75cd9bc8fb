import { env } from "cloudflare:test";
import { afterAll, beforeAll, expect, vi } from "vitest";

// ---- The outside world -----------------------------------------------------------------------

/** Installs, for the test file that calls it, the mocks of the outside world and the final wait for webhooks. */
export function mockOutsideWorld() {
  beforeAll(() => {
    // Webhook receivers answer 200 and DNS names resolve to a public address; verification mails
    // (no EMAIL binding) are not printed.
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.hostname === "cloudflare-dns.com") {
        const type = url.searchParams.get("type") === "AAAA" ? 28 : 1;
        return Response.json({ Status: 0, Answer: [{ type, data: type === 1 ? "93.184.216.34" : "2606:4700::1111" }] });
      }
      return new Response("ok");
    });
    vi.spyOn(console, "log").mockImplementation(() => undefined);
  });
  afterAll(async () => {
    // Let the webhook queue deliver what the valid runs produced while fetch is still mocked.
    await vi.waitFor(
      async () => {
        const pending = await env.DB.prepare(
          "SELECT count(*) AS n FROM customer_events WHERE delivery_status = 'pending'",
        ).first<{ n: number }>();
        expect(pending!.n).toBe(0);
      },
      { timeout: 20_000, interval: 200 },
    );
    vi.restoreAllMocks();
  }, 30_000);
}
