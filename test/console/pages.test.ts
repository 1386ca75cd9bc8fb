import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import worker from "../../src/index";
import {
  adminLogin,
  api,
  BASE,
  createAccesskey,
  createAgent,
  createCustomer,
  expectError,
  readResponse,
} from "../helpers";

// The console's pages as the Worker serves them (their behaviour in a browser is
// test/browser/console.test.ts): security headers, who gets which page, the login cookie, sign-out,
// and the refusal of cross-site writes.

const page = (path: string, headers: Record<string, string> = {}) =>
  SELF.fetch(`${BASE}${path}`, { headers: { "CF-Connecting-IP": "198.51.100.9", ...headers }, redirect: "manual" });
const withCookie = (token: string) => ({ Cookie: `token=${token}` });

let operator: string;
let customerAdmin: string;
let customerId: string;

beforeAll(async () => {
  operator = await adminLogin();
  const c = await createCustomer({ name: "Console Pages" });
  customerAdmin = c.token;
  customerId = c.id;
});

describe("console pages", () => {
  it("are served with a strict CSP: nothing from elsewhere, no inline code, never framed", async () => {
    for (const [path, headers] of [
      ["/console/login", {}],
      ["/console/customers", withCookie(operator)],
      ["/console/account", withCookie(operator)], // the refusal page
      ["/console/no-such-page", {}],
    ] as const) {
      const res = await page(path, headers);
      expect([200, 403, 404], path).toContain(res.status);
      expect(res.headers.get("Content-Type"), path).toMatch(/^text\/html/);
      const csp = (res.headers.get("Content-Security-Policy") ?? "").split(/;\s*/);
      expect(csp, path).toEqual(
        expect.arrayContaining([
          "default-src 'none'",
          "script-src 'self'",
          "style-src 'self'",
          "connect-src 'self'",
          "form-action 'self'",
          "base-uri 'none'",
          "frame-ancestors 'none'",
        ]),
      );
      expect(csp.join(";"), path).not.toMatch(/unsafe|https?:|\*|data:/);
      expect(res.headers.get("X-Frame-Options"), path).toBe("DENY");
      expect(res.headers.get("X-Content-Type-Options"), path).toBe("nosniff");
      expect(res.headers.get("Cache-Control"), path).toBe("no-store");
      const html = await res.text();
      // Scripts only by src, from this origin; no inline style or event handler attributes.
      const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]);
      expect(scripts.length, path).toBe(1);
      expect(scripts[0], path).toMatch(/\bsrc="\/console-assets\/main\.js"/);
      expect(html, path).not.toMatch(/<style|\sstyle=|\son[a-z]+=|(src|href)="(https?:)?\/\//i);
    }
  });

  it("send a visitor who is not signed in to the sign-in page, and back afterwards", async () => {
    for (const path of ["/console", "/console/", "/console/customers", `/console/customers/${customerId}/deletion`]) {
      const res = await page(path);
      expect(res.status, path).toBe(303);
      const location = new URL(res.headers.get("Location") ?? "", BASE);
      expect(location.pathname, path).toBe("/console/login");
      if (path.length > "/console/".length) expect(location.searchParams.get("next"), path).toBe(path);
    }
    // A credential that no longer works is no sign-in either.
    const stale = await page("/console/account", withCookie("not-a-token"));
    expect(stale.status).toBe(303);
  });

  it("give the operator its pages and refuse it the customer admin's", async () => {
    const home = await page("/console", withCookie(operator));
    expect(home.status).toBe(303);
    expect(home.headers.get("Location")).toBe("/console/customers");
    expect((await page("/console/login", withCookie(operator))).headers.get("Location")).toBe("/console/customers");
    for (const path of [
      "/console/customers",
      `/console/customers/${customerId}`,
      `/console/customers/${customerId}/deletion`,
    ]) {
      const res = await page(path, withCookie(operator));
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toMatch(/data-view="(customers|customer|deletion)"/);
    }
    const refused = await page("/console/account/keys", withCookie(operator));
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("Not for this account");
  });

  it("give a customer admin its pages and refuse it the operator's (the API refuses it too)", async () => {
    const home = await page("/console", withCookie(customerAdmin));
    expect(home.headers.get("Location")).toBe("/console/account");
    for (const path of [
      "/console/account",
      "/console/account/keys",
      "/console/account/webhooks",
      "/console/account/close",
    ]) {
      expect((await page(path, withCookie(customerAdmin))).status, path).toBe(200);
    }
    for (const path of [
      "/console/customers",
      `/console/customers/${customerId}`,
      `/console/customers/${customerId}/deletion`,
    ]) {
      const res = await page(path, withCookie(customerAdmin));
      expect(res.status, path).toBe(403);
      const html = await res.text();
      expect(html).toContain("is for the platform operator");
      expect(html).toContain('href="/console/account"');
    }
    expectError(await api("GET", "/v1.0/customers", { headers: withCookie(customerAdmin) }), 403, "PERMISSION_DENIED");
    // An access key acts as the customer's admin here as everywhere.
    const key = await createAccesskey(customerAdmin);
    expect((await page("/console/account", { Cookie: `accesskey=${key}` })).status).toBe(200);
  });

  it("refuse agents without a console role every page but sign-in", async () => {
    const agent = await createAgent(customerId, 16);
    for (const path of ["/console/account", "/console/customers"]) {
      const res = await page(path, withCookie(agent.token));
      expect(res.status, path).toBe(403);
      expect(await res.text()).toContain("an account that has no console");
    }
    expect((await page("/console/login", withCookie(agent.token))).status).toBe(200);
  });
});

describe("sign-in cookie and sign-out", () => {
  it("POST /auth/login sets the token cookie HttpOnly, Secure and SameSite=Strict", async () => {
    const res = await api("POST", "/auth/login", {
      body: { username: env.ADMIN_USERNAME, password: env.ADMIN_PASSWORD },
    });
    const cookie = res.headers.get("Set-Cookie") ?? "";
    expect(cookie).toMatch(/^token=[\w-]+\.[\w-]+\.[\w-]+;/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("Secure");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).toContain("Path=/");
  });

  it("POST /auth/logout clears the cookie with the attributes it was set with", async () => {
    const res = await api("POST", "/auth/logout", { headers: withCookie(operator) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    const cookie = res.headers.get("Set-Cookie") ?? "";
    expect(cookie).toMatch(/^token=;/);
    expect(cookie).toContain("Max-Age=0");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).toContain("Path=/");
    // Without any credential too: signing out never fails.
    expect((await api("POST", "/auth/logout")).status).toBe(200);
  });
});

describe("cross-site writes", () => {
  const freeze = (id: string, headers: Record<string, string>) =>
    api("POST", `/v1.0/customers/${id}/freeze`, { headers: { ...withCookie(operator), ...headers } });
  const statusOf = async (id: string) => (await api("GET", `/v1.0/customers/${id}`, { token: operator })).body.status;

  it("are refused before anything runs when the browser says they come from another site", async () => {
    const c = await createCustomer();
    const crossSite: Record<string, string>[] = [
      { Origin: "https://evil.example" },
      { Origin: "null" },
      { Origin: "http://api.test.evil.example" },
      { Origin: "http://api.test:8080" },
      { "Sec-Fetch-Site": "cross-site" },
    ];
    for (const headers of crossSite) {
      expectError(await freeze(c.id, headers), 403, "PERMISSION_DENIED", "CROSS_SITE_REQUEST_REFUSED");
    }
    expect(await statusOf(c.id)).toBe("active");
  });

  it("refuse every method that writes, a form post included, and let reads through", async () => {
    const keyToken = await createAccesskey(customerAdmin, { name: "kept" });
    const keys = (await api("GET", "/v1.0/accesskeys", { token: customerAdmin })).body.result;
    const key = keys.find((k: { name: string }) => k.name === "kept");
    const evil = { Origin: "https://evil.example", ...withCookie(customerAdmin) };
    expectError(await api("DELETE", `/v1.0/accesskeys/${key.id}`, { headers: evil }), 403, "PERMISSION_DENIED");
    expectError(
      await api("PUT", "/v1.0/customer", { headers: evil, body: { name: "pwned" } }),
      403,
      "PERMISSION_DENIED",
    );
    const form = await SELF.fetch(`${BASE}/auth/unregister`, {
      method: "POST",
      headers: { ...evil, "Content-Type": "application/x-www-form-urlencoded" },
      body: "confirmation_phrase=DELETE",
    });
    expectError(await readResponse(form), 403, "PERMISSION_DENIED", "CROSS_SITE_REQUEST_REFUSED");
    expect((await api("GET", "/v1.0/customer", { headers: { Authorization: `Bearer ${keyToken}` } })).status).toBe(200);
    expect((await api("GET", "/v1.0/customer", { headers: evil })).status).toBe(200);
  });

  it("from this origin, from a configured CORS origin and from API clients are not affected", async () => {
    const c = await createCustomer();
    expect((await freeze(c.id, { Origin: BASE })).status).toBe(200);
    expect(
      (
        await api("POST", `/v1.0/customers/${c.id}/recover`, {
          token: operator,
          headers: { "Sec-Fetch-Site": "same-origin" },
        })
      ).status,
    ).toBe(200);
    expect((await api("POST", `/v1.0/customers/${c.id}/freeze`, { token: operator })).status).toBe(200);
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`${BASE}/v1.0/customers/${c.id}/recover`, {
        method: "POST",
        headers: { Origin: "https://app.example", Authorization: `Bearer ${operator}` },
      }),
      { ...(env as Env), CORS_ORIGINS: "https://app.example" },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await statusOf(c.id)).toBe("active");
  });
});
