import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../../src";
import { webhookRetryDelaySeconds } from "../../src/webhooks/deliver";
import { CLAIM_LEASE_MS, resetTakeoverThrottle } from "../../src/webhooks/dispatch";
import { checkUriSyntax, classifyIp } from "../../src/webhooks/ssrf";
import { adminLogin, api, createCustomer, expectError, type TestCustomer } from "../helpers";
import { runCron } from "../helpers/lifecycle";
import { waitForNoPendingEvents } from "../helpers/webhooks";

// ---- An independent implementation of both signature schemes (not the service's code). ----
const enc = new TextEncoder();
async function hmac(key: Uint8Array, message: string): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, enc.encode(message)));
}
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
const unb64 = (s: string) => Uint8Array.from(atob(s), (ch) => ch.charCodeAt(0));

/** Over the body, or a GET's query string (its event id and timestamp). */
async function expectVoipbinSignature(secret: string, req: Captured) {
  const signed = req.method === "GET" ? new URL(req.url).search.slice(1) : req.body;
  expect(req.headers["x-voipbin-signature"]).toBe(`sha256=${hex(await hmac(enc.encode(secret), signed))}`);
}
async function standardSignatures(secret: string, req: Captured) {
  return `v1,${b64(await hmac(unb64(secret.replace(/^whsec_/, "")), `${req.headers["webhook-id"]}.${req.headers["webhook-timestamp"]}.${req.body}`))}`;
}

// ---- The outside world, mocked: webhook receivers and DNS over HTTPS. ----
interface Captured {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}
type Reply = number | "timeout" | "network";
let received: Captured[] = [];
let replies: Reply[] = [];
const dns: Record<string, string[]> = {
  "hooks.example.com": ["93.184.216.34"],
  "rebind.example.com": ["93.184.216.35"],
  "evil.example.com": ["10.0.0.5"],
  "six.example.com": ["2606:4700::1111", "fd00::1"],
};

beforeEach(() => {
  received = [];
  replies = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname === "cloudflare-dns.com") {
      const name = url.searchParams.get("name")!;
      const type = url.searchParams.get("type") === "AAAA" ? 28 : 1;
      const answers = (dns[name] ?? [])
        .filter((a) => (type === 28) === a.includes(":"))
        .map((data) => ({ type, data }));
      return Response.json({ Status: 0, Answer: answers });
    }
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => {
      headers[k] = v;
    });
    received.push({
      method: init?.method ?? "GET",
      url: url.toString(),
      headers,
      body: typeof init?.body === "string" ? init.body : "",
    });
    const reply = replies.shift() ?? 200;
    if (reply === "timeout") throw new DOMException("The operation was aborted due to timeout", "TimeoutError");
    if (reply === "network") throw new TypeError("Network connection lost.");
    return new Response("ok", { status: reply });
  });
});
afterEach(() => vi.restoreAllMocks());

async function customerWithWebhook(
  method = "POST",
  uri = "https://hooks.example.com/voipbin",
): Promise<TestCustomer & { secret: string }> {
  const c = await createCustomer({ webhook_method: method, webhook_uri: uri });
  const me = await api("GET", "/v1.0/customer", { token: c.token });
  return { ...c, secret: me.body.webhook_secret };
}

async function events(c: TestCustomer) {
  return (await api("GET", "/v1.0/customer/events", { token: c.token })).body.result as any[];
}

async function deliver(eventId: string, attempts = 1, queue = "customer-webhooks") {
  const batch = createMessageBatch(queue, [
    { id: crypto.randomUUID(), timestamp: Date.now(), attempts, body: { eventId } },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<any>, env, ctx);
  return getQueueResult(batch, ctx);
}

/** Waits for the background queue to deliver an event of this type to the mock receiver. */
async function delivered(type: string) {
  let hit: Captured | undefined;
  await vi.waitFor(
    () => {
      hit = received.find((r) => r.body && JSON.parse(r.body).type === type);
      expect(hit).toBeDefined();
    },
    { timeout: 10_000, interval: 50 },
  );
  return hit!;
}

/**
 * An event waiting for delivery that no queue message carries: claimed by a dispatcher whose
 * message never reached the queue, its lease running for `leaseMs`. Written straight to D1, so
 * no background dispatch races the test for it.
 */
async function pendingEvent(c: TestCustomer, leaseMs = 24 * 3600_000) {
  // The customer's earlier events (created, updated) go out in the background first; then the
  // receiver's log starts empty for the test.
  await waitForNoPendingEvents(c.id);
  received = [];
  const me = (await api("GET", "/v1.0/customer", { token: c.token })).body;
  const { webhook_secret, ...data } = me;
  const id = crypto.randomUUID();
  const now = Date.now();
  await env.DB.prepare(
    `INSERT INTO customer_events (id, customer_id, type, data, webhook_method, webhook_uri, signing_secrets, delivery_status, tm_dispatched, tm_lease_expire, tm_create)
     VALUES (?, ?, 'customer_updated', ?, ?, ?, '[]', 'pending', ?, ?, ?)`,
  )
    .bind(id, c.id, JSON.stringify(data), me.webhook_method, me.webhook_uri, now, now + leaseMs, now)
    .run();
  return id;
}

/** Waits for the background queue to deliver this event to the mock receiver. */
async function deliveredEvent(id: string) {
  await vi.waitFor(() => expect(received.find((r) => r.headers["webhook-id"] === id)).toBeDefined(), {
    timeout: 10_000,
    interval: 50,
  });
  return received.find((r) => r.headers["webhook-id"] === id)!;
}

describe("event log", () => {
  it("records every change with its event, newest first, only the caller's own", async () => {
    const c = await createCustomer();
    const other = await createCustomer();
    await api("PUT", "/v1.0/customer", { token: c.token, body: { name: "Renamed" } });
    await api("PUT", `/v1.0/customers/${c.id}/identity_verification_status`, {
      token: await adminLogin(),
      body: { identity_verification_status: "verified" },
    });
    await api("POST", "/auth/unregister", { token: c.token, body: { password: c.password } });
    await api("DELETE", "/auth/unregister", { token: c.token });
    // A refused change records nothing.
    await api("PUT", "/v1.0/customer", { token: c.token, body: { email: other.email } });
    const list = await events(c);
    expect(list.map((e) => e.type)).toEqual([
      "customer_recovered",
      "customer_frozen",
      "customer_identity_verification_updated",
      "customer_updated",
      "customer_created",
    ]);
    expect(list[3].data.name).toBe("Renamed");
    for (const e of list) {
      expect(Object.keys(e).sort()).toEqual(["data", "id", "tm_create", "type"]);
      expect(e.data).not.toHaveProperty("webhook_secret");
      expect(e.data.id).toBe(c.id);
    }
    const paged = await api("GET", "/v1.0/customer/events?page_size=2", { token: c.token });
    expect(paged.body.result.map((e: any) => e.id)).toEqual(list.slice(0, 2).map((e) => e.id));
    expect(paged.body.next_page_token).not.toBe("");
  });

  it("the cron prunes events older than 30 days", async () => {
    const c = await createCustomer();
    await env.DB.prepare("UPDATE customer_events SET tm_create = ? WHERE customer_id = ?")
      .bind(Date.now() - 31 * 86400_000, c.id)
      .run();
    await api("PUT", "/v1.0/customer", { token: c.token, body: { name: "fresh" } });
    await runCron();
    expect((await events(c)).map((e) => e.type)).toEqual(["customer_updated"]);
  });
});

describe("webhook delivery", () => {
  it("delivers customer_updated signed with both schemes, verified independently", async () => {
    const c = await customerWithWebhook();
    await api("PUT", "/v1.0/customer", {
      token: c.token,
      body: { name: "Acme Corporation Inc.", detail: "Updated enterprise account" },
    });
    const req = await delivered("customer_updated");
    expect(req.method).toBe("POST");
    expect(req.url).toBe("https://hooks.example.com/voipbin");
    expect(req.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(req.body);
    expect(body.data).toMatchObject({ id: c.id, name: "Acme Corporation Inc." });
    expect(body.data).not.toHaveProperty("webhook_secret");
    expect(req.body).not.toContain(c.secret);
    await expectVoipbinSignature(c.secret, req);
    expect(req.headers["webhook-signature"]).toBe(await standardSignatures(c.secret, req));
    const [latest] = await events(c);
    expect(req.headers["webhook-id"]).toBe(latest.id);
    expect(Math.abs(Number(req.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(60);
    await vi.waitFor(async () => {
      const attempts = (await api("GET", "/v1.0/customer/webhook_deliveries", { token: c.token })).body.result;
      expect(attempts.find((a: any) => a.event_id === latest.id)).toMatchObject({
        attempt: 1,
        status_code: 200,
        error: "",
      });
    });
  });

  it("hands each event to the queue once, though a request and the Durable Object both dispatch", async () => {
    const c = await customerWithWebhook();
    await api("POST", "/auth/unregister", { token: c.token, body: { password: c.password } });
    await delivered("customer_frozen");
    await new Promise((r) => setTimeout(r, 1500));
    expect(received.filter((r) => r.body.includes('"customer_frozen"')).length).toBe(1);
  });

  it("the cron re-dispatches an event stranded between claim and send", async () => {
    const c = await customerWithWebhook();
    const id = await pendingEvent(c);
    await env.DB.prepare("UPDATE customer_events SET tm_lease_expire = ? WHERE id = ?")
      .bind(Date.now() - 1, id)
      .run();
    await runCron();
    const req = await delivered("customer_updated");
    expect(req.headers["webhook-id"]).toBe(id);
  });

  describe("a dispatcher's claim is a one-minute lease", () => {
    const leaseOf = async (id: string) =>
      (await env.DB.prepare("SELECT tm_dispatched, tm_lease_expire FROM customer_events WHERE id = ?")
        .bind(id)
        .first<{ tm_dispatched: number; tm_lease_expire: number }>())!;

    it("a claim whose lease still runs is not taken over, by the cron or a write", async () => {
      const c = await customerWithWebhook();
      // Claimed just now; its message is on its way (it never arrives here).
      const id = await pendingEvent(c, CLAIM_LEASE_MS);
      const before = await leaseOf(id);
      await runCron();
      resetTakeoverThrottle();
      const write = await api("PUT", "/v1.0/customer", { token: c.token, body: { name: "a write that dispatches" } });
      expect(write.status).toBe(200);
      await deliveredEvent((await events(c))[0].id); // the write's own event went out: a dispatch ran
      expect(await leaseOf(id)).toEqual(before);
      expect(received.some((r) => r.headers["webhook-id"] === id)).toBe(false);
    });

    it("an event whose message died goes out again at the next write after the lease, with the same webhook-id", async () => {
      const c = await customerWithWebhook();
      // (pendingEvent waits until the setup's own events went out: no dispatch of theirs is left.)
      const id = await pendingEvent(c, CLAIM_LEASE_MS);
      // A minute later: the lease has run out, the event is still pending, never attempted.
      await env.DB.prepare("UPDATE customer_events SET tm_lease_expire = ? WHERE id = ?")
        .bind(Date.now() - 1, id)
        .run();
      // Any write, even one that records no event (a tag), takes it over.
      resetTakeoverThrottle();
      expect((await api("POST", "/v1.0/tags", { token: c.token, body: { name: "activity" } })).status).toBe(200);
      const req = await deliveredEvent(id);
      expect(JSON.parse(req.body).type).toBe("customer_updated");
    });

    it("a delivery the queue retries keeps its lease over the backoff", async () => {
      const c = await customerWithWebhook();
      const id = await pendingEvent(c, CLAIM_LEASE_MS);
      replies = [503];
      // The tenth attempt waits at least 0.8 × 5 s × 2⁹ ≈ 34 minutes.
      expect((await deliver(id, 10)).retryMessages.length).toBe(1);
      expect((await leaseOf(id)).tm_lease_expire).toBeGreaterThan(Date.now() + 2000 * 1000);
    });
  });

  it("with GET: no body, the event id and time in the query, the legacy signature over the query", async () => {
    const c = await customerWithWebhook("GET");
    const id = await pendingEvent(c);
    expect((await deliver(id)).explicitAcks.length).toBe(1);
    const [req] = received;
    expect(req!.method).toBe("GET");
    expect(new URL(req!.url).searchParams.get("event_id")).toBe(id);
    expect(new URL(req!.url).searchParams.get("timestamp")).toBe(req!.headers["webhook-timestamp"]);
    expect(req!.body).toBe("");
    await expectVoipbinSignature(c.secret, req!);
    expect(req!.headers["webhook-signature"]).toBe(await standardSignatures(c.secret, req!));
  });

  it("retries 5xx, timeouts and network errors with the same webhook-id, then succeeds", async () => {
    const c = await customerWithWebhook();
    const id = await pendingEvent(c);
    replies = [503, "timeout", "network", 200];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const result = await deliver(id, attempt);
      expect(result.retryMessages.length, `attempt ${attempt}`).toBe(1);
      expect(result.explicitAcks).toEqual([]);
    }
    expect((await deliver(id, 4)).explicitAcks.length).toBe(1);
    expect(received.map((r) => r.headers["webhook-id"])).toEqual([id, id, id, id]);
    const attempts = (await api("GET", "/v1.0/customer/webhook_deliveries", { token: c.token })).body.result.filter(
      (a: any) => a.event_id === id,
    );
    expect(attempts.map((a: any) => [a.attempt, a.status_code]).reverse()).toEqual([
      [1, 503],
      [2, 0],
      [3, 0],
      [4, 200],
    ]);
    expect(attempts.find((a: any) => a.attempt === 2).error).toMatch(/5000 ms/);
    // Delivered: a late duplicate of the message sends nothing more.
    await deliver(id, 5);
    expect(received.length).toBe(4);
  });

  it("does not retry other 4xx answers", async () => {
    const c = await customerWithWebhook();
    const id = await pendingEvent(c);
    replies = [400];
    expect((await deliver(id)).explicitAcks.length).toBe(1);
    const row = await env.DB.prepare("SELECT delivery_status FROM customer_events WHERE id = ?")
      .bind(id)
      .first<{ delivery_status: string }>();
    expect(row!.delivery_status).toBe("failed");
  });

  it("after the retries are exhausted the dead-letter queue marks the delivery failed", async () => {
    const c = await customerWithWebhook();
    const id = await pendingEvent(c);
    await deliver(id, 15, "customer-webhooks-dlq");
    const row = await env.DB.prepare("SELECT delivery_status FROM customer_events WHERE id = ?")
      .bind(id)
      .first<{ delivery_status: string }>();
    expect(row!.delivery_status).toBe("failed");
    expect(received).toEqual([]);
  });

  it("410 Gone disables the endpoint until a webhook_uri is set again", async () => {
    const c = await customerWithWebhook();
    const id = await pendingEvent(c);
    replies = [410];
    expect((await deliver(id)).explicitAcks.length).toBe(1);
    await api("PUT", "/v1.0/customer", { token: c.token, body: { detail: "while disabled" } });
    const [disabledEvent] = await events(c);
    const stored = await env.DB.prepare("SELECT delivery_status FROM customer_events WHERE id = ?")
      .bind(disabledEvent.id)
      .first<{ delivery_status: string }>();
    expect(stored!.delivery_status).toBe("none");

    received = [];
    await api("PUT", "/v1.0/customer", { token: c.token, body: { webhook_uri: "https://hooks.example.com/v2" } });
    const req = await delivered("customer_updated");
    expect(req.url).toBe("https://hooks.example.com/v2");
  });

  it("rotating the secret signs with both secrets for 24 hours (the legacy header with the previous one)", async () => {
    const c = await customerWithWebhook();
    const rotated = await api("POST", "/v1.0/customer/webhook_secret", { token: c.token });
    expect(rotated.status).toBe(200);
    expect(rotated.body).not.toHaveProperty("webhook_secret");
    const fresh = (await api("GET", "/v1.0/customer", { token: c.token })).body.webhook_secret as string;
    expect(fresh).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(fresh).not.toBe(c.secret);
    const id = await pendingEvent(c);
    await deliver(id);
    const [req] = received;
    expect(req!.headers["webhook-signature"]).toBe(
      `${await standardSignatures(fresh, req!)} ${await standardSignatures(c.secret, req!)}`,
    );
    await expectVoipbinSignature(c.secret, req!);

    await env.DB.prepare("UPDATE customers SET tm_webhook_secret_rotated = ? WHERE id = ?")
      .bind(Date.now() - 25 * 3600_000, c.id)
      .run();
    const later = await pendingEvent(c);
    await deliver(later);
    expect(received[0]!.headers["webhook-signature"]).toBe(await standardSignatures(fresh, received[0]!));
    await expectVoipbinSignature(fresh, received[0]!);
  });

  it("customer_deleted reaches the address the customer had, with anonymized data", async () => {
    const c = await customerWithWebhook();
    await api("DELETE", `/v1.0/customers/${c.id}`, { token: await adminLogin() });
    const req = await delivered("customer_deleted");
    expect(req.url).toBe("https://hooks.example.com/voipbin");
    const data = JSON.parse(req.body).data;
    expect(data).toMatchObject({ id: c.id, status: "deleted", name: "", email: "", webhook_uri: "" });
    await expectVoipbinSignature(c.secret, req);
    // Once sent, no copy of the signing secret or the address stays behind.
    await vi.waitFor(async () => {
      const row = await env.DB.prepare(
        "SELECT signing_secrets, delivery_status FROM customer_events WHERE customer_id = ?",
      )
        .bind(c.id)
        .first<any>();
      expect(row).toMatchObject({ signing_secrets: "[]", delivery_status: "delivered" });
    });
  });

  it("re-checks the address before each send: a name now resolving privately is not called", async () => {
    const c = await customerWithWebhook("POST", "https://rebind.example.com/hook");
    const id = await pendingEvent(c);
    dns["rebind.example.com"] = ["169.254.169.254"];
    expect((await deliver(id)).explicitAcks.length).toBe(1);
    expect(received).toEqual([]);
    const row = await env.DB.prepare("SELECT delivery_status FROM customer_events WHERE id = ?")
      .bind(id)
      .first<{ delivery_status: string }>();
    expect(row!.delivery_status).toBe("failed");
  });
});

describe("webhook_uri safety", () => {
  const refused = [
    "http://127.0.0.1/hook",
    "http://127.1/hook",
    "http://2130706433/hook",
    "http://0x7f000001/hook",
    "http://0x7f.0.0.1/hook",
    "http://0177.0.0.1/hook",
    "http://[::1]/hook",
    "http://[0:0:0:0:0:0:0:1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[::ffff:7f00:1]/hook",
    "http://[::ffff:a9fe:a9fe]/hook",
    "http://[64:ff9b::a00:1]/hook",
    "http://[2002:a00:1::]/hook",
    "http://10.1.2.3/hook",
    "http://172.16.5.4/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/hook",
    "http://0.0.0.0/hook",
    "http://224.0.0.1/hook",
    "http://255.255.255.255/hook",
    "http://[fe80::1]/hook",
    "http://[fc00::1]/hook",
    "http://[fd12:3456::1]/hook",
    "http://[ff02::1]/hook",
    "http://[::]/hook",
    "http://localhost/hook",
    "http://LOCALHOST./hook",
    "http://api.localhost/hook",
    "http://metadata.google.internal/hook",
    "http://printer.local/hook",
    "http://intranet/hook",
    "https://evil.example.com/hook",
    "https://six.example.com/hook",
    "https://user:pass@hooks.example.com/hook",
  ];

  it.each(refused)("refuses %s when it is set", async (uri) => {
    const c = await createCustomer();
    const res = await api("PUT", "/v1.0/customer", { token: c.token, body: { webhook_uri: uri } });
    expectError(res, 400, "INVALID_ARGUMENT", "WEBHOOK_URI_NOT_ALLOWED");
    expect(res.body.error.details[0].field).toBe("webhook_uri");
    expect((await api("GET", "/v1.0/customer", { token: c.token })).body.webhook_uri).toBe("");
  });

  it("refuses them in operator create and update and in signup too", async () => {
    const admin = await adminLogin();
    expectError(
      await api("POST", "/v1.0/customers", {
        token: admin,
        body: { username: "ssrf-user", password: "long-password", webhook_uri: "http://10.0.0.1/" },
      }),
      400,
      "INVALID_ARGUMENT",
      "WEBHOOK_URI_NOT_ALLOWED",
    );
    const c = await createCustomer();
    expectError(
      await api("PUT", `/v1.0/customers/${c.id}`, { token: admin, body: { webhook_uri: "http://[::1]/" } }),
      400,
      "INVALID_ARGUMENT",
      "WEBHOOK_URI_NOT_ALLOWED",
    );
    expectError(
      await api("POST", "/auth/signup", {
        body: {
          email: "ssrf@example.com",
          password: "long-password",
          accepted_tos: true,
          webhook_uri: "http://169.254.169.254/",
        },
      }),
      400,
      "INVALID_ARGUMENT",
      "WEBHOOK_URI_NOT_ALLOWED",
    );
  });

  it("accepts public addresses", async () => {
    const c = await createCustomer();
    for (const uri of ["https://hooks.example.com/x", "http://93.184.216.34:8080/x", "https://[2606:4700::1111]/x"]) {
      expect((await api("PUT", "/v1.0/customer", { token: c.token, body: { webhook_uri: uri } })).status, uri).toBe(
        200,
      );
    }
  });

  it("WEBHOOK_ALLOW_LOOPBACK lets 127.0.0.0/8 and ::1 through, and nothing else", () => {
    for (const uri of ["http://127.0.0.1:8788/", "http://127.9.9.9/", "http://[::1]:8788/", "http://localhost:8788/"]) {
      expect(checkUriSyntax(uri, true).ok, uri).toBe(true);
      expect(checkUriSyntax(uri, false).ok, uri).toBe(false);
    }
    for (const uri of [
      "http://10.0.0.1/",
      "http://169.254.169.254/",
      "http://[fe80::1]/",
      "http://[::ffff:10.0.0.1]/",
    ]) {
      expect(checkUriSyntax(uri, true).ok, uri).toBe(false);
    }
  });

  it("classifies addresses", () => {
    expect(classifyIp("8.8.8.8")).toBe("public");
    expect(classifyIp("172.32.0.1")).toBe("public");
    expect(classifyIp("172.31.255.255")).toBe("blocked");
    expect(classifyIp("::ffff:8.8.8.8")).toBe("public");
    expect(classifyIp("2001:db8::1")).toBe("blocked");
    expect(classifyIp("2001:4860:4860::8888")).toBe("public");
    expect(classifyIp("not-an-ip")).toBeNull();
  });
});

describe("webhookRetryDelaySeconds", () => {
  it("retries first within 10 s, grows exponentially with jitter, and spans about a day", () => {
    expect(webhookRetryDelaySeconds(1, () => 0)).toBe(4);
    expect(webhookRetryDelaySeconds(1, () => 1)).toBe(6);
    expect(webhookRetryDelaySeconds(2, () => 0.5)).toBe(10);
    const total = Array.from({ length: 14 }, (_, i) => webhookRetryDelaySeconds(i + 1, () => 0.5)).reduce(
      (a, b) => a + b,
      0,
    );
    expect(total).toBeGreaterThan(20 * 3600);
    expect(total).toBeLessThan(30 * 3600);
  });
});
