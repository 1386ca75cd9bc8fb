import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { adminLogin, api, createAccesskey, createCustomer, expectError, type TestCustomer } from "../helpers";

// The operator's read views of one customer (GET /v1.0/customers/{id}/events, …/webhook_deliveries,
// …/accesskeys): the same items, in the same shape and order, as the customer's own views, for the
// project super admin only.

const VIEWS = [
  { operator: "events", own: "/v1.0/customer/events" },
  { operator: "webhook_deliveries", own: "/v1.0/customer/webhook_deliveries" },
  { operator: "accesskeys", own: "/v1.0/accesskeys" },
] as const;

/** Delivery attempts as the webhook consumer records them, written straight to D1 as fixtures. */
async function recordDeliveries(customerId: string, count: number) {
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    await env.DB.prepare(
      "INSERT INTO webhook_deliveries (id, customer_id, event_id, attempt, status_code, error, tm_create) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
      .bind(
        crypto.randomUUID(),
        customerId,
        crypto.randomUUID(),
        i + 1,
        i === 0 ? 0 : 503,
        i === 0 ? "timeout" : "",
        now - i,
      )
      .run();
  }
}

let superAdmin: string;
let a: TestCustomer;
let b: TestCustomer;

beforeAll(async () => {
  superAdmin = await adminLogin();
  a = await createCustomer({ name: "Read Views A" });
  b = await createCustomer({ name: "Read Views B" });
  for (const c of [a, b]) {
    await createAccesskey(c.token, { name: `key of ${c.id}` });
    await createAccesskey(c.token, { name: "second" });
    await recordDeliveries(c.id, 3);
    const update = await api("PUT", "/v1.0/customer", { token: c.token, body: { detail: "changed for an event" } });
    expect(update.status).toBe(200);
  }
});

describe("operator read views of one customer", () => {
  for (const view of VIEWS) {
    it(`GET /v1.0/customers/{id}/${view.operator} answers what ${view.own} shows the customer`, async () => {
      const operator = await api("GET", `/v1.0/customers/${a.id}/${view.operator}`, { token: superAdmin });
      expect(operator.status, JSON.stringify(operator.body)).toBe(200);
      const own = await api("GET", view.own, { token: a.token });
      expect(own.status).toBe(200);
      expect(operator.body.result.length).toBeGreaterThanOrEqual(2);
      expect(operator.body).toEqual(own.body);
      // Only A's items: B's never show up under A.
      const otherIds = new Set(
        (await api("GET", `/v1.0/customers/${b.id}/${view.operator}`, { token: superAdmin })).body.result.map(
          (item: { id: string }) => item.id,
        ),
      );
      expect(otherIds.size).toBeGreaterThanOrEqual(2);
      for (const item of operator.body.result) expect(otherIds.has(item.id)).toBe(false);
    });

    it(`GET /v1.0/customers/{id}/${view.operator} pages with next_page_token, newest first`, async () => {
      const all = (await api("GET", `/v1.0/customers/${a.id}/${view.operator}`, { token: superAdmin })).body.result;
      const seen: string[] = [];
      let token = "";
      do {
        const page = await api(
          "GET",
          `/v1.0/customers/${a.id}/${view.operator}?page_size=1${token ? `&page_token=${token}` : ""}`,
          { token: superAdmin },
        );
        expect(page.status).toBe(200);
        expect(page.body.result.length).toBeLessThanOrEqual(1);
        seen.push(...page.body.result.map((item: { id: string }) => item.id));
        token = page.body.next_page_token;
      } while (token);
      expect(seen).toEqual(all.map((item: { id: string }) => item.id));
    });

    it(`GET /v1.0/customers/{id}/${view.operator} is for the project super admin only`, async () => {
      expectError(await api("GET", `/v1.0/customers/${a.id}/${view.operator}`), 401, "UNAUTHENTICATED");
      expectError(
        await api("GET", `/v1.0/customers/${a.id}/${view.operator}`, { token: a.token }),
        403,
        "PERMISSION_DENIED",
      );
      expectError(
        await api("GET", `/v1.0/customers/${b.id}/${view.operator}`, { token: a.token }),
        403,
        "PERMISSION_DENIED",
      );
      const key = await createAccesskey(a.token);
      expectError(
        await api("GET", `/v1.0/customers/${a.id}/${view.operator}?accesskey=${key}`),
        403,
        "PERMISSION_DENIED",
      );
    });

    it(`GET /v1.0/customers/{id}/${view.operator} of an unknown or malformed id is a 404; a bad page token a 400`, async () => {
      for (const id of [crypto.randomUUID(), "not-a-uuid", "00000000-0000-0000-0000-000000000000"]) {
        expectError(
          await api("GET", `/v1.0/customers/${id}/${view.operator}`, { token: superAdmin }),
          404,
          "NOT_FOUND",
        );
      }
      expectError(
        await api("GET", `/v1.0/customers/${a.id}/${view.operator}?page_token=%%%`, { token: superAdmin }),
        400,
        "INVALID_ARGUMENT",
        "INVALID_PAGE_TOKEN",
      );
    });
  }

  it("access keys: names and prefixes, never the key itself", async () => {
    const token = await createAccesskey(a.token, { name: "shown once" });
    const res = await api("GET", `/v1.0/customers/${a.id}/accesskeys`, { token: superAdmin });
    const key = res.body.result.find((k: { name: string }) => k.name === "shown once");
    expect(key.token_prefix).toBe(token.slice(0, 11));
    expect(key).not.toHaveProperty("token");
    expect(JSON.stringify(res.body)).not.toContain(token);
    expect(JSON.stringify(res.body)).not.toContain(token.slice(11));
  });

  it("events: the lifecycle as the timeline reads it, frozen with its scheduled deletion, then recovered", async () => {
    const c = await createCustomer({ name: "Timeline" });
    expect((await api("POST", `/v1.0/customers/${c.id}/freeze`, { token: superAdmin })).status).toBe(200);
    expect((await api("POST", `/v1.0/customers/${c.id}/recover`, { token: superAdmin })).status).toBe(200);
    const res = await api("GET", `/v1.0/customers/${c.id}/events`, { token: superAdmin });
    const types = res.body.result.map((e: { type: string }) => e.type);
    expect(types).toEqual(["customer_recovered", "customer_frozen", "customer_created"]);
    const frozen = res.body.result[1];
    expect(frozen.data.status).toBe("frozen");
    expect(Date.parse(frozen.data.tm_deletion_scheduled)).toBeGreaterThan(Date.now());
    expect(frozen.data).not.toHaveProperty("webhook_secret");
  });

  it("a deleted customer's views: its customer_deleted event, no access keys", async () => {
    const c = await createCustomer({ name: "Gone" });
    await createAccesskey(c.token);
    expect((await api("DELETE", `/v1.0/customers/${c.id}`, { token: superAdmin })).status).toBe(200);
    const events = await api("GET", `/v1.0/customers/${c.id}/events`, { token: superAdmin });
    expect(events.body.result.map((e: { type: string }) => e.type)).toEqual(["customer_deleted"]);
    const keys = await api("GET", `/v1.0/customers/${c.id}/accesskeys`, { token: superAdmin });
    expect(keys.body).toEqual({ result: [], next_page_token: "" });
  });
});

describe("GET /v1.0/customers?name=", () => {
  it("finds customers whose name contains the text, in any ASCII case, combined with status", async () => {
    const marker = `Zebra${Date.now().toString(36)}`;
    const one = await createCustomer({ name: `Acme ${marker} One` });
    const two = await createCustomer({ name: `${marker.toUpperCase()} two` });
    await createCustomer({ name: "Unrelated Inc" });
    const ids = async (query: string) => {
      const res = await api("GET", `/v1.0/customers?${query}`, { token: superAdmin });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.result.map((c: { id: string }) => c.id);
    };
    expect(await ids(`name=${marker.toLowerCase()}`)).toEqual([two.id, one.id]);
    expect(await ids(`name=${encodeURIComponent(` ${marker} `)}`)).toEqual([two.id, one.id]);
    expect((await api("POST", `/v1.0/customers/${one.id}/freeze`, { token: superAdmin })).status).toBe(200);
    expect(await ids(`name=${marker}&status=frozen`)).toEqual([one.id]);
    expect(await ids(`name=${marker}&status=active`)).toEqual([two.id]);
    expect(await ids(`name=${marker}&email=${encodeURIComponent(two.email)}`)).toEqual([two.id]);
    // LIKE's wildcards are plain text here.
    expect(await ids("name=%25")).toEqual([]);
    expect(await ids("name=_")).toEqual([]);
    // Empty means any name.
    expect((await ids("name=&page_size=3")).length).toBe(3);
  });

  it("pages a name search with next_page_token", async () => {
    const marker = `Paged${Date.now().toString(36)}`;
    const made = [];
    for (let i = 0; i < 3; i++) made.push((await createCustomer({ name: `${marker} ${i}` })).id);
    const first = await api("GET", `/v1.0/customers?name=${marker}&page_size=2`, { token: superAdmin });
    expect(first.body.result.map((c: { id: string }) => c.id)).toEqual([made[2], made[1]]);
    const second = await api(
      "GET",
      `/v1.0/customers?name=${marker}&page_size=2&page_token=${first.body.next_page_token}`,
      { token: superAdmin },
    );
    expect(second.body).toMatchObject({ next_page_token: "" });
    expect(second.body.result.map((c: { id: string }) => c.id)).toEqual([made[0]]);
  });

  it("a name longer than 100 characters is a 400", async () => {
    expectError(
      await api("GET", `/v1.0/customers?name=${"x".repeat(101)}`, { token: superAdmin }),
      400,
      "INVALID_ARGUMENT",
    );
  });
});
