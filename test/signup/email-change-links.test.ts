import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { seamD1, writesTo } from "../helpers/d1-seam";
import { adminLogin, api, createCustomer, expectError, login, unique } from "../helpers";
import { callAndSettle, mailbox } from "../helpers/mail";

// Issue 21, defect 11: an email change revokes the reset and "set your password" links mailed
// under the old address, as it revokes its verification links.

let box: ReturnType<typeof mailbox> | undefined;
afterEach(() => {
  box?.stop();
  box = undefined;
});

const resetLinks = (address: string) =>
  box!.to(address).flatMap((l) => [...l.matchAll(/\/auth\/password-reset\?token=([0-9a-f]{64})/g)].map((m) => m[1]!));

describe("an email change revokes the pending reset and set-password links", () => {
  it("the welcome link mailed to X stops working once the email is Y", async () => {
    box = mailbox();
    const x = `${unique("x")}@example.com`;
    const created = await callAndSettle("POST", "/v1.0/customers", { token: await adminLogin(), body: { email: x } });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    await vi.waitFor(() => expect(resetLinks(x)).toHaveLength(1));
    const y = `${unique("y")}@example.com`;
    const moved = await api("PUT", `/v1.0/customers/${created.body.id}`, {
      token: await adminLogin(),
      body: { email: y },
    });
    expect(moved.status).toBe(200);
    expectError(
      await api("POST", "/auth/password-reset", { body: { token: resetLinks(x)[0], password: "taken-over-pw-1" } }),
      400,
      "INVALID_ARGUMENT",
      "INVALID_RESET_TOKEN",
    );
  });

  it("a forgot-password link mailed to the old address stops working after the customer's own change", async () => {
    const c = await createCustomer();
    box = mailbox();
    expect((await callAndSettle("POST", "/auth/password-forgot", { body: { username: c.username } })).status).toBe(200);
    await vi.waitFor(() => expect(resetLinks(c.email)).toHaveLength(1));
    const moved = await api("PUT", "/v1.0/customer", {
      token: c.token,
      body: { email: `${unique("new")}@example.com` },
    });
    expect(moved.status).toBe(200);
    expectError(
      await api("POST", "/auth/password-reset", {
        body: { token: resetLinks(c.email)[0], password: "old-mailbox-pw-1" },
      }),
      400,
      "INVALID_ARGUMENT",
      "INVALID_RESET_TOKEN",
    );
    await login(c.username, c.password);
  });

  it("a change landing between a forgot request's lookup and its link makes no link for the old address", async () => {
    const c = await createCustomer();
    box = mailbox();
    const newEmail = `${unique("raced")}@example.com`;
    let injected = 0;
    const DB = seamD1(async (sqls) => {
      if (injected === 0 && writesTo("password_resets")(sqls)) {
        injected++;
        const res = await api("PUT", "/v1.0/customer", { token: c.token, body: { email: newEmail } });
        expect(res.status).toBe(200);
      }
    });
    const res = await callAndSettle("POST", "/auth/password-forgot", { body: { username: c.username }, env: { DB } });
    expect(res.status).toBe(200);
    expect(injected).toBe(1);
    expect(resetLinks(c.email)).toEqual([]);
    const rows = await env.DB.prepare(
      "SELECT count(*) AS n FROM password_resets WHERE customer_id = ? AND tm_used IS NULL",
    )
      .bind(c.id)
      .first<{ n: number }>();
    expect(rows!.n).toBe(0);
  });
});
