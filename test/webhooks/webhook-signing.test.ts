import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { api, createCustomer } from "../helpers";
import { waitForNoPendingEvents } from "../helpers/webhooks";

// Issue 21 #15 and #16: a GET delivery's legacy signature covers its query (event id and
// timestamp), so no signature verifies another delivery; after a rotation the legacy header
// stays on the previous secret until the overlap ends.

const enc = new TextEncoder();
async function hmac(key: Uint8Array, message: string) {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, enc.encode(message)));
}
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
const unb64 = (s: string) => Uint8Array.from(atob(s), (ch) => ch.charCodeAt(0));

interface Captured {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
}
/** What a receiver checking only the legacy header verifies: HMAC of the body, or of a GET's raw query. */
const legacyOk = async (secret: string, req: Captured) =>
  req.headers["x-voipbin-signature"] ===
  `sha256=${hex(await hmac(enc.encode(secret), req.method === "GET" ? req.url.search.slice(1) : req.body))}`;
const standardOk = async (secret: string, req: Captured) => {
  const expected = `v1,${b64(await hmac(unb64(secret.slice("whsec_".length)), `${req.headers["webhook-id"]}.${req.headers["webhook-timestamp"]}.${req.body}`))}`;
  return req.headers["webhook-signature"]!.split(" ").includes(expected);
};

let received: Captured[] = [];
beforeEach(() => {
  received = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname === "cloudflare-dns.com") {
      const type = url.searchParams.get("type") === "AAAA" ? 28 : 1;
      return Response.json({ Status: 0, Answer: type === 1 ? [{ type, data: "93.184.216.34" }] : [] });
    }
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => {
      headers[k] = v;
    });
    received.push({
      method: init?.method ?? "GET",
      url,
      headers,
      body: typeof init?.body === "string" ? init.body : "",
    });
    return new Response("ok");
  });
});
afterEach(() => vi.restoreAllMocks());

async function hookedCustomer(method: "GET" | "POST", uri = "https://hooks.example.com/voipbin?tenant=acme") {
  const c = await createCustomer({ webhook_method: method, webhook_uri: uri });
  // The creation's own event goes out in the background: wait for it, then start clean.
  await waitForNoPendingEvents(c.id);
  received = [];
  return c;
}

/** An event waiting for delivery, written straight to D1 so no background dispatch races the test. */
async function pendingEvent(customerId: string, method: string, uri: string) {
  const id = crypto.randomUUID();
  const now = Date.now();
  await env.DB.prepare(
    `INSERT INTO customer_events (id, customer_id, type, data, webhook_method, webhook_uri, signing_secrets, delivery_status, tm_dispatched, tm_lease_expire, tm_create)
     VALUES (?, ?, 'customer_updated', '{}', ?, ?, '[]', 'pending', ?, ?, ?)`,
  )
    .bind(id, customerId, method, uri, now, now + 24 * 3600_000, now)
    .run();
  return id;
}

async function deliver(eventId: string): Promise<Captured> {
  const batch = createMessageBatch("customer-webhooks", [
    { id: crypto.randomUUID(), timestamp: Date.now(), attempts: 1, body: { eventId } },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<any>, env, ctx);
  await getQueueResult(batch, ctx);
  const req = received.find((r) => r.headers["webhook-id"] === eventId);
  expect(req).toBeDefined();
  return req!;
}

const secretOf = async (token: string) => (await api("GET", "/v1.0/customer", { token })).body.webhook_secret as string;

describe("GET deliveries: the legacy signature covers the query", () => {
  it("carries event_id and timestamp in the query, signs that query, and keeps the customer's own parameters", async () => {
    const uri = "https://hooks.example.com/voipbin?tenant=acme";
    const c = await hookedCustomer("GET", uri);
    const secret = await secretOf(c.token);
    const id = await pendingEvent(c.id, "GET", uri);
    const req = await deliver(id);
    expect(req.method).toBe("GET");
    expect(req.body).toBe("");
    expect(req.url.searchParams.get("tenant")).toBe("acme");
    expect(req.url.searchParams.get("event_id")).toBe(id);
    expect(req.url.searchParams.get("timestamp")).toBe(req.headers["webhook-timestamp"]);
    expect(await legacyOk(secret, req)).toBe(true);
    // Standard Webhooks headers on every delivery.
    expect(req.headers["webhook-id"]).toBe(id);
    expect(await standardOk(secret, req)).toBe(true);
  });

  it("no legacy signature of one GET delivery verifies another (40 deliveries, all distinct)", async () => {
    const uri = "https://hooks.example.com/voipbin";
    const c = await hookedCustomer("GET", uri);
    const secret = await secretOf(c.token);
    const deliveries: Captured[] = [];
    for (let i = 0; i < 40; i++) deliveries.push(await deliver(await pendingEvent(c.id, "GET", uri)));
    const signatures = new Set(deliveries.map((d) => d.headers["x-voipbin-signature"]));
    expect(signatures.size).toBe(deliveries.length);
    // A captured signature replayed on another delivery's query does not verify.
    for (let i = 1; i < deliveries.length; i++) {
      const forged = {
        ...deliveries[i]!,
        headers: { ...deliveries[i]!.headers, "x-voipbin-signature": deliveries[0]!.headers["x-voipbin-signature"]! },
      };
      expect(await legacyOk(secret, forged)).toBe(false);
      expect(await legacyOk(secret, deliveries[i]!)).toBe(true);
    }
  });

  it("POST deliveries keep the legacy signature over the body, with the Standard Webhooks headers", async () => {
    const uri = "https://hooks.example.com/voipbin";
    const c = await hookedCustomer("POST", uri);
    const secret = await secretOf(c.token);
    const req = await deliver(await pendingEvent(c.id, "POST", uri));
    expect(req.url.search).toBe("");
    expect(await legacyOk(secret, req)).toBe(true);
    expect(await standardOk(secret, req)).toBe(true);
  });
});

describe("secret rotation: the legacy header has an overlap too", () => {
  it.each(["POST", "GET"] as const)(
    "%s: during the 24 hours the legacy header verifies with the previous secret, after them with the new one",
    async (method) => {
      const uri = "https://hooks.example.com/voipbin";
      const c = await hookedCustomer(method, uri);
      const previous = await secretOf(c.token);
      expect((await api("POST", "/v1.0/customer/webhook_secret", { token: c.token })).status).toBe(200);
      const current = await secretOf(c.token);
      expect(current).not.toBe(previous);

      const during = await deliver(await pendingEvent(c.id, method, uri));
      expect(await legacyOk(previous, during)).toBe(true);
      expect(await legacyOk(current, during)).toBe(false);
      expect(await standardOk(previous, during)).toBe(true);
      expect(await standardOk(current, during)).toBe(true);

      await env.DB.prepare("UPDATE customers SET tm_webhook_secret_rotated = ? WHERE id = ?")
        .bind(Date.now() - 25 * 3600_000, c.id)
        .run();
      const after = await deliver(await pendingEvent(c.id, method, uri));
      expect(await legacyOk(current, after)).toBe(true);
      expect(await legacyOk(previous, after)).toBe(false);
      expect(await standardOk(current, after)).toBe(true);
      expect(await standardOk(previous, after)).toBe(false);
    },
  );
});
