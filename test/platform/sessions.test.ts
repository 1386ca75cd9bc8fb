import { describe, expect, it } from "vitest";
import { adminLogin, api, createCustomer, expectError } from "../helpers";

// D1 read replication (src/middleware/d1-session.ts): every response carries the session's
// bookmark in x-d1-bookmark, and a read that sends it back is at least that fresh. Locally there
// is one database and no replica, so these check the protocol: the header is issued, it only
// moves forward, and a read that carries a write's bookmark sees the write.
const BOOKMARK = "x-d1-bookmark";
const bookmarkOf = (res: { headers: Headers }) => {
  const b = res.headers.get(BOOKMARK);
  expect(b, "response without a bookmark").toBeTruthy();
  return b!;
};

describe("D1 session bookmarks", () => {
  it("a read returns a bookmark, and sending it back returns one at least as new", async () => {
    const c = await createCustomer();
    const first = await api("GET", "/v1.0/customer", { token: c.token });
    expect(first.status).toBe(200);
    const b1 = bookmarkOf(first);
    const again = await api("GET", "/v1.0/customer", { token: c.token, headers: { [BOOKMARK]: b1 } });
    expect(again.status).toBe(200);
    expect(bookmarkOf(again) >= b1).toBe(true);
  });

  it("read-after-write: a write's bookmark is after the read before it, and a read with it sees the write", async () => {
    const c = await createCustomer();
    const before = bookmarkOf(await api("GET", "/v1.0/customer", { token: c.token }));
    const write = await api("PUT", "/v1.0/customer", { token: c.token, body: { name: "Renamed With Bookmark" } });
    expect(write.status, JSON.stringify(write.body)).toBe(200);
    const written = bookmarkOf(write);
    expect(written > before).toBe(true);
    const read = await api("GET", "/v1.0/customer", { token: c.token, headers: { [BOOKMARK]: written } });
    expect(read.status).toBe(200);
    expect(read.body.name).toBe("Renamed With Bookmark");
    expect(bookmarkOf(read) >= written).toBe(true);
  });

  it("a lifecycle transition (written by the customer's Durable Object) returns a bookmark that covers it", async () => {
    const c = await createCustomer();
    const admin = await adminLogin();
    const before = bookmarkOf(await api("GET", `/v1.0/customers/${c.id}`, { token: admin }));
    const frozen = await api("POST", `/v1.0/customers/${c.id}/freeze`, { token: admin });
    expect(frozen.status, JSON.stringify(frozen.body)).toBe(200);
    const after = bookmarkOf(frozen);
    expect(after > before).toBe(true);
    const read = await api("GET", `/v1.0/customers/${c.id}`, { token: admin, headers: { [BOOKMARK]: after } });
    expect(read.body.status).toBe("frozen");
  });

  it("errors carry a bookmark too, and a malformed one is a 400", async () => {
    const c = await createCustomer();
    const missing = await api("GET", "/v1.0/customers/00000000-0000-4000-8000-000000000000", {
      token: await adminLogin(),
    });
    expect(missing.status).toBe(404);
    bookmarkOf(missing);
    const bad = await api("GET", "/v1.0/customer", { token: c.token, headers: { [BOOKMARK]: "not a bookmark" } });
    expectError(bad, 400, "INVALID_ARGUMENT", "INVALID_BOOKMARK");
  });
});
