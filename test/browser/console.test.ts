// The console (/console) in a real browser, through the real Worker (`npm run dev`): the operator's
// and the customer admin's flows of issue 19, the page and API refusals, CSRF, the origin-only rule,
// an axe-core scan of every page, keyboard use and a 390 px wide screen. Screenshots go to
// test/browser/output/ (git-ignored).
import type { Browser, Page } from "playwright-core";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./chromium";
import {
  call,
  checkPage,
  devAdmin,
  expectOnlyTheOrigin,
  makeTenant,
  OUTPUT,
  ok,
  scanned,
  failureShot,
  signIn,
  tokenOf,
  watchedContext,
} from "./console-helpers";
import { type DevServer, startDevServer } from "./dev-server";

const FLOW_MS = 180_000;

let server: DevServer | undefined;
let base = "";
let browser: Browser;
let operator = "";
const admin = devAdmin();
/**
 * TEMPORARY(plans): GET /v1.0/customer/usage and PUT /v1.0/billing_accounts/{id}/plan_type are built
 * on another branch. Until it is merged the steps that need them check the console's "not available"
 * message instead; once merged, this is true and they run in full. Remove the switch after the merge.
 */
let plansMerged = false;

const statusOf = async (id: string) => (await ok(call(base, "GET", `/v1.0/customers/${id}`, operator))).status;
const statusRegion = (page: Page) => page.locator("#status");
/** expect.poll with the patience of a page that waits on the API (vitest's default is one second). */
const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });

beforeAll(async () => {
  const launched = await launchChromium();
  browser = launched.browser;
  console.log(`browser tests: ${launched.source} (${browser.version()})`);
  server = await startDevServer("/console/login");
  base = server.base;
  operator = await tokenOf(base, admin.username, admin.password);
  const probe = await makeTenant(base, operator, "probe", 0);
  plansMerged = (await call(base, "GET", "/v1.0/customer/usage", probe.token)).status !== 404;
  console.log(`console tests: plans ${plansMerged ? "present" : "not merged yet: usage steps check the fallback"}`);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("the console in Chromium", () => {
  it("serves every page with a strict CSP, no inline script or style, and frame-ancestors 'none'", async () => {
    for (const path of ["/console/login", "/console/customers", "/console/account/keys"]) {
      // Signed in, except for the sign-in page (which sends the signed-in home).
      const headers: Record<string, string> = path.endsWith("/login") ? {} : { Authorization: `Bearer ${operator}` };
      const res = await fetch(`${base}${path}`, { headers, redirect: "manual" });
      expect(res.status, path).toBe(path.includes("/account") ? 403 : 200);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp, path).toContain("default-src 'none'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).not.toMatch(/unsafe|https?:|\*/);
      const html = await res.text();
      expect(html, path).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html, path).not.toMatch(/\sstyle=|\son[a-z]+=/i);
    }
  });

  it("the operator finds a customer by email, freezes, recovers, sets its plan, deletes it and watches the cascade finish", {
    timeout: FLOW_MS,
  }, async () => {
    const target = await makeTenant(base, operator, "target", 4);
    const key = await ok(call(base, "POST", "/v1.0/accesskeys", target.token, { name: "ci of target" }));
    const watched = await watchedContext(browser, base);
    const { page } = watched;
    try {
      await signIn(page, base, admin.username, admin.password);
      expect(new URL(page.url()).pathname).toBe("/console/customers");
      await checkPage(page, "login-done-customers");

      // Find it by email.
      await page.getByLabel("Email or name").fill(target.email);
      await page.getByRole("button", { name: "Search" }).click();
      await page.waitForURL(/q=/);
      const link = page.getByRole("link", { name: target.name });
      await eventually(() => link.count()).toBe(1);
      await eventually(() => page.locator("tbody tr").count()).toBe(1);
      await checkPage(page, "customers");
      await link.click();
      await page.getByRole("heading", { level: 1, name: target.name }).waitFor();
      await page.getByRole("heading", { name: "Audit trail" }).waitFor();
      // Every field, the timeline, keys without their secret, deliveries and the audit trail.
      const text = await page.locator("main").innerText();
      for (const field of ["id", "email", "billing_account_id", "identity_verification_status", "tm_create"]) {
        expect(text).toContain(field);
      }
      expect(text).toContain(target.id);
      expect(await page.locator('[data-event="customer_created"]').count()).toBe(1);
      expect(text).toContain(key.token_prefix);
      expect(text).not.toContain(key.token);
      expect(text).toContain("Recent webhook deliveries");
      expect(text).toContain("POST /v1.0/accesskeys");
      await checkPage(page, "customer");

      // Freeze: the timeline shows when it is to be deleted.
      await page.getByRole("button", { name: "Freeze" }).click();
      await eventually(() => statusRegion(page).innerText()).toMatch(/^Frozen: deletion scheduled for/);
      expect(await statusOf(target.id)).toBe("frozen");
      await eventually(() => page.locator('[data-event="customer_frozen"]').innerText()).toMatch(
        /deletion scheduled for/,
      );
      // The first screenful, as the README shows it (docs/console.png is a copy of this file).
      await page.screenshot({
        path: join(OUTPUT, "console-readme.png"),
        clip: { x: 0, y: 0, width: 1280, height: 720 },
      });

      // Recover.
      await page.getByRole("button", { name: "Recover" }).click();
      await eventually(() => statusRegion(page).innerText()).toMatch(/^Recovered/);
      expect(await statusOf(target.id)).toBe("active");
      await page.locator('[data-event="customer_recovered"]').waitFor();

      // Identity verification and balance.
      await page.getByRole("combobox", { name: "Identity verification" }).selectOption("verified");
      await page.getByRole("button", { name: "Save verification" }).click();
      await eventually(() => statusRegion(page).innerText()).toBe("Identity verification set to verified.");
      expect((await ok(call(base, "GET", `/v1.0/customers/${target.id}`, operator))).identity_verification_status).toBe(
        "verified",
      );
      await page.getByRole("spinbutton", { name: "Amount" }).fill("25");
      await page.getByRole("button", { name: "Add to balance" }).click();
      await eventually(() => statusRegion(page).innerText()).toMatch(/^Added 25: the balance is now 25/);

      // The plan (TEMPORARY(plans): the fallback message until plans is merged).
      if (plansMerged) {
        await page.getByRole("combobox", { name: "Plan type" }).selectOption("professional");
        await page.getByRole("button", { name: "Set plan" }).click();
        await eventually(() => statusRegion(page).innerText()).toBe("Plan set to professional.");
        const usage = await ok(call(base, "GET", `/v1.0/customers/${target.id}/usage`, operator));
        expect(usage.plan_type).toBe("professional");
        await eventually(() => page.locator("[data-plan]").innerText()).toBe("professional");
      } else {
        await page.getByText("Plans are not available on this server yet.").first().waitFor();
      }

      // Delete: only the customer's exact name unlocks the button.
      const remove = page.getByRole("button", { name: "Delete permanently" });
      expect(await remove.isDisabled()).toBe(true);
      const confirm = page.getByLabel(`Type “${target.name}” to confirm`);
      await confirm.fill(target.name.toUpperCase());
      expect(await remove.isDisabled()).toBe(true);
      await confirm.fill(target.name);
      expect(await remove.isEnabled()).toBe(true);
      await remove.click();
      await page.waitForURL(`${base}/console/customers/${target.id}/deletion`);
      await page.locator('[data-status="finished"]').waitFor({ timeout: 90_000 });
      const receipt = await ok(call(base, "GET", `/v1.0/customers/${target.id}/deletion`, operator));
      expect(receipt.status).toBe("finished");
      expect(receipt.deleted.tags).toBe(4);
      const tagsRow = page.locator("tbody tr", { hasText: "Tags" });
      expect((await tagsRow.locator("td").allInnerTexts()).slice(0, 3)).toEqual(["Tags", "4", "0"]);
      await checkPage(page, "deletion");
      expect(await statusOf(target.id)).toBe("deleted");
    } catch (error) {
      await failureShot(page, "operator", watched);
      throw error;
    } finally {
      await watched.context.close();
    }
    expectOnlyTheOrigin(watched, base);
    expect(watched.requested).toEqual(expect.arrayContaining([`${base}/v1.0/customers/${target.id}/deletion`]));
  });

  it("the customer admin signs in by keyboard, reads usage bars, creates a key seen once, revokes it, and unregisters then cancels", {
    timeout: FLOW_MS,
  }, async () => {
    const tenant = await makeTenant(base, operator, "admin", 2);
    const watched = await watchedContext(browser, base);
    const { page, context } = watched;
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
    try {
      // Keyboard only: the username field has the focus, Tab leads to the password, Enter signs in.
      await page.goto(`${base}/console/login`);
      await page.getByLabel("Username or email").waitFor();
      expect(await page.evaluate("document.activeElement?.name")).toBe("username");
      await page.keyboard.type(tenant.username);
      await page.keyboard.press("Tab");
      await page.keyboard.type(tenant.password);
      await Promise.all([page.waitForURL(`${base}/console/account`), page.keyboard.press("Enter")]);
      // On every page the first Tab reaches "Skip to content", which moves the focus to the page's main part.
      await page.getByRole("heading", { name: "Profile" }).waitFor();
      await page.keyboard.press("Tab");
      expect(await page.evaluate("document.activeElement?.textContent")).toBe("Skip to content");
      await page.keyboard.press("Enter");
      expect(await page.evaluate("document.activeElement?.id")).toBe("main");

      // Plan and usage, as bars matching GET /v1.0/customer/usage.
      await page.getByRole("heading", { name: "Plan and usage" }).waitFor();
      if (plansMerged) {
        const usage = await ok(call(base, "GET", "/v1.0/customer/usage", tenant.token));
        expect(await page.locator("[data-plan]").innerText()).toBe(usage.plan_type);
        for (const [kind, { count, limit }] of Object.entries(
          usage.resources as Record<string, { count: number; limit: number }>,
        )) {
          const row = page.locator(`[data-resource="${kind}"]`);
          if (limit > 0) {
            const meter = row.locator("meter");
            expect([await meter.getAttribute("value"), await meter.getAttribute("max")], kind).toEqual([
              String(count),
              String(limit),
            ]);
          } else {
            expect(await row.innerText(), kind).toContain(`${count} (no limit)`);
          }
        }
        expect(await page.locator('[data-resource="tags"] meter, [data-resource="tags"] output').count()).toBe(1);
      } else {
        // TEMPORARY(plans): the fallback until the usage endpoint is merged.
        await page.locator('[data-usage="unavailable"]').waitFor();
      }
      await checkPage(page, "account");

      // An API error shows as the envelope's message, never as JSON.
      const refusedUri = "https://10.0.0.1/hook";
      const expected = await call(base, "PUT", "/v1.0/customer", tenant.token, { webhook_uri: refusedUri });
      expect(expected.status).toBe(400);
      await page.getByRole("textbox", { name: "Webhook address" }).fill(refusedUri);
      await page.getByRole("button", { name: "Save webhook settings" }).click();
      const alert = page.getByRole("alert");
      await alert.waitFor();
      expect(await alert.innerText()).toBe(expected.body.error.message);
      expect(await alert.innerText()).not.toMatch(/[{}"]/);

      // A key: created, shown once with a copy button, works; gone from the page once dismissed.
      await page.getByRole("link", { name: "Access keys" }).click();
      await page.getByLabel("Name", { exact: true }).fill("ci key");
      await page.getByRole("button", { name: "Create access key" }).click();
      const shown = page.getByLabel("Access key", { exact: true });
      await shown.waitFor();
      const token = await shown.inputValue();
      expect(token).toMatch(/^vb_[A-Za-z0-9]{32}$/);
      expect((await call(base, "GET", `/v1.0/customer?accesskey=${token}`)).status).toBe(200);
      await page.getByRole("button", { name: "Copy" }).click();
      expect(await page.evaluate("navigator.clipboard.readText()")).toBe(token);
      await checkPage(page, "keys-created");
      await page.getByRole("button", { name: "Done, hide it" }).click();
      expect(await page.content()).not.toContain(token);
      await page.reload();
      await page.getByRole("button", { name: "Revoke “ci key”" }).waitFor();
      expect(await page.content()).not.toContain(token);
      expect(await page.locator("main").innerText()).toContain(token.slice(0, 11));
      await checkPage(page, "keys");

      // Revoke, with the second step.
      await page.getByRole("button", { name: "Revoke “ci key”" }).click();
      await page.getByRole("button", { name: "Yes, revoke “ci key”" }).click();
      await eventually(() => statusRegion(page).innerText()).toBe("Revoked “ci key”: it no longer works.");
      expect(await page.getByRole("button", { name: "Revoke “ci key”" }).count()).toBe(0);
      expect((await call(base, "GET", `/v1.0/customer?accesskey=${token}`)).status).toBe(401);

      // Webhooks: deliveries and the secret's rotation.
      await page.getByRole("link", { name: "Webhooks" }).click();
      await page.getByRole("heading", { name: "Deliveries" }).waitFor();
      const before = (await ok(call(base, "GET", "/v1.0/customer", tenant.token))).webhook_secret;
      await page.getByRole("button", { name: "Rotate the secret" }).click();
      await eventually(() => statusRegion(page).innerText()).toMatch(/^Rotated/);
      const after = (await ok(call(base, "GET", "/v1.0/customer", tenant.token))).webhook_secret;
      expect(after).not.toBe(before);
      expect(await page.getByRole("textbox", { name: "Signing secret" }).inputValue()).toBe(after);
      await checkPage(page, "webhooks");

      // Unregister: the grace countdown, then cancel.
      await page.getByRole("link", { name: "Close account" }).click();
      await page.getByLabel("Your password").first().fill(tenant.password);
      await page.getByRole("button", { name: "Unregister" }).click();
      await page.getByRole("timer").waitFor();
      expect(await statusOf(tenant.id)).toBe("frozen");
      const first = await page.getByRole("timer").innerText();
      expect(first).toMatch(/^(29|30) days/);
      await checkPage(page, "close-frozen");
      await page.getByRole("button", { name: "Cancel unregister" }).click();
      await eventually(() => statusRegion(page).innerText()).toMatch(/^Unregister cancelled/);
      expect(await statusOf(tenant.id)).toBe("active");
      await checkPage(page, "close");

      // Immediate deletion, with the phrase.
      await page.getByLabel("Your password").nth(1).fill(tenant.password);
      await page.getByLabel("Type DELETE to confirm").fill("DELETE");
      await page.getByRole("button", { name: "Delete the account now" }).click();
      await page.getByText("The account is deleted").waitFor();
      expect(await statusOf(tenant.id)).toBe("deleted");
    } catch (error) {
      await failureShot(page, "admin", watched);
      throw error;
    } finally {
      await context.close();
    }
    expectOnlyTheOrigin(watched, base);
  });

  it("a customer admin cannot open operator pages: the page refuses, and so does the API", async () => {
    const tenant = await makeTenant(base, operator, "refused", 0);
    const watched = await watchedContext(browser, base);
    const { page } = watched;
    try {
      await signIn(page, base, tenant.username, tenant.password);
      for (const path of [
        "/console/customers",
        `/console/customers/${tenant.id}`,
        `/console/customers/${tenant.id}/deletion`,
      ]) {
        const response = await page.goto(`${base}${path}`);
        expect(response?.status(), path).toBe(403);
        await page.getByRole("heading", { name: "Not for this account" }).waitFor();
      }
      await checkPage(page, "refused");
      const api = (await page.evaluate(
        `fetch("/v1.0/customers/${tenant.id}").then(async (res) => ({ status: res.status, body: await res.json() }))`,
      )) as { status: number; body: { error: { status: string } } };
      expect(api.status).toBe(403);
      expect(api.body.error.status).toBe("PERMISSION_DENIED");
      // And the operator cannot open the customer admin's pages either.
      const other = await browser.newContext();
      const operatorPage = await other.newPage();
      await signIn(operatorPage, base, admin.username, admin.password);
      expect((await operatorPage.goto(`${base}/console/account/keys`))?.status()).toBe(403);
      await other.close();
    } catch (error) {
      await failureShot(page, "refused");
      throw error;
    } finally {
      await watched.context.close();
    }
    expectOnlyTheOrigin(watched, base);
  });

  it("a cross-site form post is refused, and the signed-in operator's cookie does not go with it", async () => {
    const victim = await makeTenant(base, operator, "csrf", 0);
    const port = new URL(base).port;
    // Another site: 127.0.0.1 is not the same site as localhost. Its page is made up here.
    const evil = `http://127.0.0.1:${port}/prize`;
    const context = await browser.newContext();
    await context.route(evil, (route) =>
      route.fulfill({
        contentType: "text/html",
        body: `<!doctype html><html lang="en"><title>Prize</title><form method="post" action="${base}/v1.0/customers/${victim.id}/freeze"><input type="hidden" name="x" value="1"><button>Claim your prize</button></form>`,
      }),
    );
    const page = await context.newPage();
    try {
      await signIn(page, base, admin.username, admin.password);
      await page.goto(evil);
      const [response] = await Promise.all([
        page.waitForResponse((res) => res.url().endsWith("/freeze")),
        page.getByRole("button", { name: "Claim your prize" }).click(),
      ]);
      expect(response.status()).toBe(403);
      expect((await response.json()).error.reason).toBe("CROSS_SITE_REQUEST_REFUSED");
      const sent = await response.request().allHeaders();
      expect(sent.origin).toBe(`http://127.0.0.1:${port}`);
      expect(sent.cookie ?? "").not.toContain("token=");
      // A no-cors fetch from that site gets nowhere either.
      await page.goto(evil);
      // (The browser may refuse to send it at all; either way nothing may change.)
      await page.evaluate(
        `fetch("${base}/v1.0/customers/${victim.id}/freeze", { method: "POST", mode: "no-cors", credentials: "include" }).catch(() => null)`,
      );
      expect(await statusOf(victim.id)).toBe("active");
    } catch (error) {
      await failureShot(page, "csrf");
      throw error;
    } finally {
      await context.close();
    }
  });

  it("is readable at 390 px: no page scrolls sideways", { timeout: FLOW_MS }, async () => {
    const tenant = await makeTenant(base, operator, "narrow", 1);
    const operatorContext = await watchedContext(browser, base, 390);
    const adminContext = await watchedContext(browser, base, 390);
    try {
      const pages: [Page, string][] = [
        [operatorContext.page, "/console/customers"],
        [operatorContext.page, `/console/customers/${tenant.id}`],
        [adminContext.page, "/console/account"],
        [adminContext.page, "/console/account/keys"],
        [adminContext.page, "/console/account/webhooks"],
        [adminContext.page, "/console/account/close"],
      ];
      await signIn(operatorContext.page, base, admin.username, admin.password);
      await signIn(adminContext.page, base, tenant.username, tenant.password);
      for (const [page, path] of pages) {
        await page.goto(`${base}${path}`);
        await page.waitForLoadState("networkidle");
        expect(await page.locator("#app").innerText(), path).not.toBe("Loading…");
        const overflow = (await page.evaluate(
          "document.documentElement.scrollWidth - document.documentElement.clientWidth",
        )) as number;
        expect(overflow, `${path} scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(0);
      }
      await operatorContext.page.goto(`${base}/console/customers/${tenant.id}`);
      await operatorContext.page.getByRole("heading", { name: "Audit trail" }).waitFor();
      await checkPage(operatorContext.page, "customer-390");
      await adminContext.page.goto(`${base}/console/account`);
      await adminContext.page.getByRole("heading", { name: "Profile" }).waitFor();
      await checkPage(adminContext.page, "account-390");
    } catch (error) {
      await failureShot(operatorContext.page, "narrow");
      throw error;
    } finally {
      await operatorContext.context.close();
      await adminContext.context.close();
    }
    expectOnlyTheOrigin(operatorContext, base);
    expectOnlyTheOrigin(adminContext, base);
  });

  it("every console page had its axe scan", () => {
    // One name per view of src/console/pages.ts, plus the refusal page.
    const views = ["customers", "customer", "deletion", "account", "keys", "webhooks", "close", "refused"];
    for (const view of views) expect(scanned, view).toContain(view);
    expect([...scanned].some((name) => name.startsWith("login"))).toBe(true);
  });
});
