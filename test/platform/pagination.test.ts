import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { adminLogin, api, type ApiResponse, createCustomer, CUSTOMER_KEYS, expectError, unique } from "../helpers";

// ---------------------------------------------------------------------------------------------
// GET /v1.0/customers pagination over more customers than a page, with many ties on tm_create.
// Storage is per test file: every customer in this file's D1 is in `model` below.
// ---------------------------------------------------------------------------------------------

interface ModelRow {
  id: string;
  tm: number;
  status: "active" | "initial" | "deleted";
  email: string;
}

// Five creation instants on whole seconds (so the seeds' "…:00Z" timestamp format names them exactly).
const BASE = Date.UTC(2024, 0, 15, 10, 30, 0);
const T = [0, 1, 2, 3, 4].map((k) => BASE - k * 60_000);
const iso = (ms: number) => new Date(ms).toISOString();

const model: ModelRow[] = [];
let admin: string;

async function insertCustomers(rows: ModelRow[]) {
  const stmts = rows.map((r) =>
    env.DB.prepare(
      `INSERT INTO customers (id, name, email, status, webhook_secret, tm_create, tm_update, tm_delete)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).bind(
      r.id,
      `Bulk ${r.id.slice(0, 8)}`,
      r.email,
      r.status,
      `whsec_${r.id}`,
      r.tm,
      r.tm,
      r.status === "deleted" ? r.tm + 1000 : null,
    ),
  );
  await env.DB.batch(stmts);
  model.push(...rows);
}

const visible = () => model.filter((r) => r.status !== "deleted");

/** Follows next_page_token (from `startToken`, if given) to the end; returns every item and every page's length. */
async function walk(
  query: string,
  startToken = "",
  maxPages = 500,
): Promise<{ items: any[]; sizes: number[]; pages: ApiResponse[] }> {
  const items: any[] = [];
  const sizes: number[] = [];
  const pages: ApiResponse[] = [];
  let token = startToken;
  for (let i = 0; i < maxPages; i++) {
    const sep = query ? "&" : "";
    const url = `/v1.0/customers?${query}${token ? `${sep}page_token=${encodeURIComponent(token)}` : ""}`;
    const res = await api("GET", url, { token: admin });
    expect(res.status, `${url}: ${JSON.stringify(res.body).slice(0, 300)}`).toBe(200);
    pages.push(res);
    items.push(...res.body.result);
    sizes.push(res.body.result.length);
    token = res.body.next_page_token;
    if (!token) return { items, sizes, pages };
  }
  throw new Error(`no end after ${maxPages} pages`);
}

function expectNewestFirst(items: any[]) {
  const times = items.map((c) => Date.parse(c.tm_create));
  for (let i = 1; i < times.length; i++) expect(times[i], `item ${i}`).toBeLessThanOrEqual(times[i - 1]!);
}

function expectExactly(items: any[], expected: ModelRow[]) {
  const ids = items.map((c) => c.id);
  expect(new Set(ids).size, "no item repeats").toBe(ids.length);
  expect([...ids].sort(), "no item is skipped or extra").toEqual(expected.map((r) => r.id).sort());
}

beforeAll(async () => {
  admin = await adminLogin();
  const rows: ModelRow[] = [];
  const add = (n: number, tm: number, status: ModelRow["status"]) => {
    for (let i = 0; i < n; i++) {
      const id = crypto.randomUUID();
      rows.push({ id, tm, status, email: status === "deleted" ? "" : `bulk-${id}@example.com` });
    }
  };
  add(40, T[0]!, "active");
  add(60, T[1]!, "active");
  add(1, T[2]!, "active");
  add(10, T[2]!, "deleted");
  add(80, T[3]!, "active");
  add(12, T[3]!, "initial");
  add(49, T[4]!, "active");
  // one deleted customer that kept an email, for the email filter
  rows.push({ id: crypto.randomUUID(), tm: T[4]!, status: "deleted", email: "gone@example.com" });
  await insertCustomers(rows);

  // And five made through the API, then moved onto the T[1] tie.
  for (let i = 0; i < 5; i++) {
    const c = await createCustomer();
    await env.DB.prepare("UPDATE customers SET tm_create = ? WHERE id = ?").bind(T[1], c.id).run();
    model.push({ id: c.id, tm: T[1]!, status: "active", email: c.email });
  }
  expect(visible().length).toBe(247);
  const total = (await env.DB.prepare("SELECT COUNT(*) AS n FROM customers").first<{ n: number }>())!.n;
  expect(total).toBe(model.length);
});

describe("page_size", () => {
  it("defaults to 100", async () => {
    const res = await api("GET", "/v1.0/customers", { token: admin });
    expect(res.status).toBe(200);
    expect(res.body.result).toHaveLength(100);
    expect(res.body.next_page_token).not.toBe("");
    for (const item of res.body.result) expect(Object.keys(item).sort()).toEqual(CUSTOMER_KEYS);
  });

  it.each([
    ["0", 1],
    ["-5", 1],
    ["1", 1],
    ["7", 7],
    ["100", 100],
    ["101", 100],
    ["1000", 100],
  ])("page_size=%s → %i items", async (size, expected) => {
    const res = await api("GET", `/v1.0/customers?page_size=${size}`, { token: admin });
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    expect(res.body.result).toHaveLength(expected);
    expect(res.body.next_page_token).not.toBe("");
  });

  it.each(["abc", "ten", "1x", "NaN"])("page_size=%s → 400 naming page_size", async (size) => {
    const res = await api("GET", `/v1.0/customers?page_size=${size}`, { token: admin });
    expectError(res, 400, "INVALID_ARGUMENT");
    expect(res.body.error.details.map((d: any) => d.field)).toContain("page_size");
  });
});

describe("walking every page", () => {
  it("default page size: 100 + 100 + 47, newest first, no skip, no repeat, no deleted", async () => {
    const { items, sizes, pages } = await walk("");
    expect(sizes).toEqual([100, 100, 47]);
    expect(pages.at(-1)!.body.next_page_token).toBe("");
    expectNewestFirst(items);
    expectExactly(items, visible());
    for (const c of items) expect(c.status).not.toBe("deleted");
  });

  it.each([1, 2, 3, 7, 13, 40, 41, 60, 99])(
    "page_size=%i: page boundaries inside tie groups lose nothing",
    async (size) => {
      const { items, sizes } = await walk(`page_size=${size}`);
      expect(sizes.slice(0, -1).every((n) => n === size)).toBe(true);
      expect(sizes.at(-1)).toBe(247 % size === 0 ? size : 247 % size);
      expectNewestFirst(items);
      expectExactly(items, visible());
    },
  );

  it("tie groups come out whole and in time order", async () => {
    const { items } = await walk("page_size=9");
    const groups = items.map((c) => Date.parse(c.tm_create));
    const expectedCounts = new Map<number, number>();
    for (const r of visible()) expectedCounts.set(r.tm, (expectedCounts.get(r.tm) ?? 0) + 1);
    const seen = new Map<number, number>();
    for (const g of groups) seen.set(g, (seen.get(g) ?? 0) + 1);
    expect(seen).toEqual(expectedCounts);
    expect(expectedCounts.get(T[1]!)).toBe(65);
  });
});

describe("filters", () => {
  it("status=initial pages over its 12 tied customers", async () => {
    const { items, sizes } = await walk("status=initial&page_size=5");
    expect(sizes).toEqual([5, 5, 2]);
    expectExactly(
      items,
      model.filter((r) => r.status === "initial"),
    );
    for (const c of items) expect(c.status).toBe("initial");
  });

  it("status=deleted lists only the deleted ones", async () => {
    const { items } = await walk("status=deleted&page_size=4");
    expectExactly(
      items,
      model.filter((r) => r.status === "deleted"),
    );
    for (const c of items) {
      expect(c.status).toBe("deleted");
      expect(c.tm_delete).not.toBeNull();
    }
  });

  it("status=active excludes initial and deleted", async () => {
    const { items } = await walk("status=active&page_size=50");
    expectExactly(
      items,
      model.filter((r) => r.status === "active"),
    );
  });

  it("an unknown status → 400", async () => {
    expectError(await api("GET", "/v1.0/customers?status=archived", { token: admin }), 400, "INVALID_ARGUMENT");
  });

  it("email matches exactly one live customer", async () => {
    const target = model.find((r) => r.status === "initial")!;
    const res = await api("GET", `/v1.0/customers?email=${encodeURIComponent(target.email)}`, { token: admin });
    expect(res.status).toBe(200);
    expect(res.body.result.map((c: any) => c.id)).toEqual([target.id]);
    expect(res.body.next_page_token).toBe("");
  });

  it("email of a deleted customer: not in the default list, found with status=deleted", async () => {
    const gone = model.find((r) => r.email === "gone@example.com")!;
    const def = await api("GET", "/v1.0/customers?email=gone%40example.com", { token: admin });
    expect(def.status).toBe(200);
    expect(def.body.result).toEqual([]);
    const del = await api("GET", "/v1.0/customers?email=gone%40example.com&status=deleted", { token: admin });
    expect(del.body.result.map((c: any) => c.id)).toEqual([gone.id]);
  });

  it("filters combine with pagination", async () => {
    const target = model.find((r) => r.status === "active" && r.tm === T[3])!;
    const res = await api(
      "GET",
      `/v1.0/customers?status=active&page_size=1&email=${encodeURIComponent(target.email)}`,
      { token: admin },
    );
    expect(res.body.result.map((c: any) => c.id)).toEqual([target.id]);
    expect(res.body.next_page_token).toBe("");
  });
});

describe("page_token", () => {
  it("an ISO timestamp returns only strictly older customers, newest first", async () => {
    const res = await api("GET", `/v1.0/customers?page_token=${encodeURIComponent(iso(T[1]!))}`, { token: admin });
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    const older = visible().filter((r) => r.tm < T[1]!);
    expect(res.body.result).toHaveLength(Math.min(100, older.length));
    for (const c of res.body.result) expect(Date.parse(c.tm_create)).toBeLessThan(T[1]!);
    expect(Date.parse(res.body.result[0].tm_create)).toBe(T[2]);
    expectNewestFirst(res.body.result);
  });

  it("the seeds' timestamp form (no milliseconds) works too, and the walk from it ends exactly", async () => {
    const stamp = iso(T[3]!).replace(".000Z", "Z");
    expect(stamp).toBe("2024-01-15T10:27:00Z");
    const { items, sizes } = await walk("page_size=20", stamp);
    expect(sizes).toEqual([20, 20, 9]);
    expectExactly(
      items,
      visible().filter((r) => r.tm < T[3]!),
    );
    expect(items).toHaveLength(49);
  });

  it("a timestamp newer than everything returns the first page; older than everything, nothing", async () => {
    const future = await api(
      "GET",
      `/v1.0/customers?page_size=5&page_token=${encodeURIComponent(iso(Date.now() + 86_400_000))}`,
      { token: admin },
    );
    expect(future.body.result).toHaveLength(5);
    const past = await api("GET", `/v1.0/customers?page_token=${encodeURIComponent("2000-01-01T00:00:00Z")}`, {
      token: admin,
    });
    expect(past.status).toBe(200);
    expect(past.body.result).toEqual([]);
    expect(past.body.next_page_token).toBe("");
  });

  it("a malformed page_token → 400 (not a silent first page)", async () => {
    for (const bad of ["garbage!!", "not-a-token", "2024-13-45T99:99:99Z"]) {
      const res = await api("GET", `/v1.0/customers?page_token=${encodeURIComponent(bad)}`, { token: admin });
      expectError(res, 400, "INVALID_ARGUMENT");
    }
  });

  it("a cursor stays exact while newer customers are created mid-walk", async () => {
    const first = await api("GET", "/v1.0/customers?page_size=30", { token: admin });
    const before = visible();
    const newIds: string[] = [];
    for (let i = 0; i < 3; i++) newIds.push((await createCustomer({ email: `${unique("mid")}@example.com` })).id);
    const items = [...first.body.result];
    let token = first.body.next_page_token;
    while (token) {
      const res = await api("GET", `/v1.0/customers?page_size=30&page_token=${encodeURIComponent(token)}`, {
        token: admin,
      });
      expect(res.status).toBe(200);
      items.push(...res.body.result);
      token = res.body.next_page_token;
    }
    expectExactly(items, before);
    for (const id of newIds) expect(items.map((c) => c.id)).not.toContain(id);
    // and the new ones head a fresh walk
    const fresh = await api("GET", "/v1.0/customers?page_size=3", { token: admin });
    expect([...fresh.body.result.map((c: any) => c.id)].sort()).toEqual([...newIds].sort());
  });
});
