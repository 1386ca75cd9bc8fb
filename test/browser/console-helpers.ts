// What the console's browser tests share: the API as a plain client (to make test data), a browser
// context that refuses and records every request leaving the origin, sign-in, the axe scan and
// screenshots.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";

export const OUTPUT = join(import.meta.dirname, "output");

/** The super admin the dev server runs with: .dev.vars (made by `npm run dev`), else the defaults. */
export function devAdmin(): { username: string; password: string } {
  const file = join(import.meta.dirname, "..", "..", ".dev.vars");
  const vars: Record<string, string> = {};
  if (existsSync(file)) {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const [, name, value] = /^\s*([A-Z_]+)\s*=\s*"?(.*?)"?\s*$/.exec(line) ?? [];
      if (name && value !== undefined) vars[name] = value;
    }
  }
  return { username: vars.ADMIN_USERNAME ?? "admin@localhost", password: vars.ADMIN_PASSWORD ?? "admin-password" };
}

export interface Answer {
  status: number;
  body: any;
}

/** One API call as a plain client would make it (no Origin, no cookie). */
export async function call(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed };
}

export async function ok(answer: Promise<Answer>): Promise<any> {
  const { status, body } = await answer;
  expect(status, JSON.stringify(body)).toBeLessThan(300);
  return body;
}

export const tokenOf = async (base: string, username: string, password: string) =>
  (await ok(call(base, "POST", "/auth/login", undefined, { username, password }))).token as string;

export interface Tenant {
  id: string;
  name: string;
  email: string;
  username: string;
  password: string;
  token: string;
  billingAccount: string;
}

/** A customer made by the operator, its admin signed in, with a default billing account and some tags. */
export async function makeTenant(base: string, operator: string, label: string, tags = 3): Promise<Tenant> {
  const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const username = `console-${label}-${suffix}`;
  const password = `pw-${suffix}-long-enough`;
  const name = `Console ${label} ${suffix}`;
  const email = `${username}@example.com`;
  const customer = await ok(call(base, "POST", "/v1.0/customers", operator, { username, password, name, email }));
  const token = await tokenOf(base, username, password);
  const account = await ok(call(base, "POST", "/v1.0/billing_accounts", token, { name: "main" }));
  await ok(call(base, "PUT", "/v1.0/customer/billing_account_id", token, { billing_account_id: account.id }));
  for (let i = 0; i < tags; i++) await ok(call(base, "POST", "/v1.0/tags", token, { name: `tag ${i}` }));
  return { id: customer.id, name, email, username, password, token, billingAccount: account.id };
}

export interface Watched {
  context: BrowserContext;
  page: Page;
  /** Every URL the pages asked for. */
  requested: string[];
  /** Requests for anything but the origin under test: refused and recorded. */
  external: string[];
  /** Page errors and CSP violations. */
  problems: string[];
  /** Answers of 400 and above, for the report of a failed flow. */
  refusals: string[];
}

/** A context whose pages may reach `base` only; everything else is refused and recorded. */
export async function watchedContext(browser: Browser, base: string, width = 1280): Promise<Watched> {
  const origin = new URL(base).origin;
  const context = await browser.newContext({ viewport: { width, height: 900 }, serviceWorkers: "block" });
  const watched: Watched = {
    context,
    page: undefined as unknown as Page,
    requested: [],
    external: [],
    problems: [],
    refusals: [],
  };
  await context.route("**/*", (route) => {
    const url = route.request().url();
    const { protocol } = new URL(url);
    if (new URL(url).origin === origin || protocol === "data:" || protocol === "blob:" || protocol === "about:") {
      return route.continue();
    }
    watched.external.push(url);
    return route.abort("blockedbyclient");
  });
  context.on("page", (page) => {
    page.on("request", (req) => watched.requested.push(req.url()));
    page.on("response", (res) => {
      if (res.status() >= 400) watched.refusals.push(`${res.status()} ${res.request().method()} ${res.url()}`);
    });
    page.on("websocket", (ws) => watched.external.push(ws.url()));
    page.on("pageerror", (err) => watched.problems.push(`page error: ${err.message}`));
    page.on("console", (msg) => {
      // A CSP violation is reported as a console error ("Refused to load/execute/apply …").
      if (msg.type() === "error" && /Content Security Policy|Refused to/i.test(msg.text())) {
        watched.problems.push(`console: ${msg.text()}`);
      }
    });
  });
  watched.page = await context.newPage();
  return watched;
}

/** Nothing left the origin, the pages made requests at all, and no CSP violation or script error. */
export function expectOnlyTheOrigin(watched: Watched, base: string) {
  expect(watched.external, "requests that left the origin").toEqual([]);
  expect(watched.requested.filter((url) => !url.startsWith(base) && !/^(data|blob|about):/.test(url))).toEqual([]);
  expect(watched.requested).toEqual(expect.arrayContaining([`${base}/console-assets/main.js`]));
  expect(watched.problems, "CSP violations or page errors").toEqual([]);
}

export async function signIn(page: Page, base: string, username: string, password: string) {
  await page.goto(`${base}/console/login`);
  await page.getByLabel("Username or email").fill(username);
  await page.getByLabel("Password").fill(password);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.endsWith("/login")),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
}

/** Pages the axe scan covered, by name (the test checks at the end that every console page is in it). */
export const scanned = new Set<string>();

/** axe-core: no serious or critical violation; and a full-page screenshot for a reviewer. */
export async function checkPage(page: Page, name: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(bad, `axe on ${name}`).toEqual([]);
  scanned.add(name);
  await page.screenshot({ path: join(OUTPUT, `console-${name}.png`), fullPage: true });
}

/** Where a failed flow stood, saved next to the other screenshots. */
export async function failureShot(page: Page, name: string, watched?: Watched) {
  if (watched) console.log(`${name}: answers of 400 and above:\n${watched.refusals.join("\n")}`);
  await page.screenshot({ path: join(OUTPUT, `console-FAILED-${name}.png`), fullPage: true }).catch(() => undefined);
}
