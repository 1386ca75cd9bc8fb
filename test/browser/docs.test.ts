// GET /docs in a real browser: the local dev server (`npm run dev`) and Chrome or Chromium (see
// ./chromium.ts for which one), driven by playwright-core. Checks that the API reference renders every
// operation of /openapi.json and that the page loads nothing from anywhere but this server.
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./chromium";
import { type DevServer, startDevServer } from "./dev-server";

// Git-ignored: the whole page, and the first screenful as a person sees it.
const SCREENSHOT = join(import.meta.dirname, "output", "docs.png");
const SCREENSHOT_TOP = join(import.meta.dirname, "output", "docs-top.png");

const isLocal = (url: string) => {
  const { protocol, hostname } = new URL(url);
  if (protocol === "data:" || protocol === "blob:" || protocol === "about:") return true;
  return hostname === "localhost" || hostname === "127.0.0.1" || hostname === "[::1]";
};

let server: DevServer | undefined;
let base = "";
let browser: Browser | undefined;

describe("GET /docs in Chromium", () => {
  beforeAll(async () => {
    // The browser first: without one the suite fails at once, saying how to get one (never a skip).
    const launched = await launchChromium();
    browser = launched.browser;
    console.log(`browser tests: ${launched.source} (${browser.version()})`);
    server = await startDevServer();
    base = server.base;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("serves the page and its assets with a strict CSP, from this Worker", async () => {
    const res = await fetch(`${base}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/https?:|\*|'unsafe-eval'/);
    const html = await res.text();
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);

    for (const asset of [
      "/docs-assets/swagger-ui-bundle.js",
      "/docs-assets/swagger-initializer.js",
      "/docs-assets/swagger-ui.css",
    ]) {
      const a = await fetch(`${base}${asset}`);
      expect(a.status, asset).toBe(200);
      expect(a.headers.get("content-type"), asset).toMatch(asset.endsWith(".css") ? /^text\/css/ : /javascript/);
      expect(a.headers.get("x-content-type-options"), asset).toBe("nosniff");
      await a.arrayBuffer();
    }
  });

  it("renders every operation of /openapi.json, loading nothing from outside", async () => {
    const document = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { summary?: string }>>;
    };
    const summaries = Object.values(document.paths).flatMap((ops) =>
      Object.values(ops).flatMap((op) => (op.summary ? [op.summary] : [])),
    );
    expect(summaries).toEqual(expect.arrayContaining(["List customers", "Create a customer", "Get your own customer"]));

    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: "block" });
    const requested: string[] = [];
    const external: string[] = [];
    const failed: string[] = [];
    const problems: string[] = [];
    // Every request of the page goes through here: anything not for this machine is recorded and refused.
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (isLocal(url)) return route.continue();
      external.push(url);
      return route.abort("blockedbyclient");
    });
    const page = await context.newPage();
    page.on("request", (req) => requested.push(req.url()));
    page.on("requestfailed", (req) => failed.push(`${req.url()}: ${req.failure()?.errorText}`));
    page.on("websocket", (ws) => (isLocal(ws.url()) ? undefined : external.push(ws.url())));
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    // A CSP violation shows up as a console error ("Refused to load/execute/apply ...").
    // The Try-it-out call's expected 401 is logged too; that one is not a problem.
    page.on("console", (msg) => {
      if (msg.type() !== "error") return;
      if (msg.location().url.startsWith(`${base}/v1.0/customers`) && msg.text().includes("status of 401")) return;
      problems.push(`console: ${msg.text()}`);
    });

    try {
      const response = await page.goto(`${base}/docs`, { waitUntil: "load" });
      expect(response?.status()).toBe(200);
      await page.getByText("List customers", { exact: true }).first().waitFor({ timeout: 30_000 });
      await page.waitForLoadState("networkidle");

      // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText (rendered text), not the DOM property
      const text = await page.locator("#swagger-ui").innerText();
      for (const summary of summaries) expect(text, `operation "${summary}" not rendered`).toContain(summary);

      await page.screenshot({ path: SCREENSHOT_TOP });

      // It is interactive: an operation opens to show its parameters and responses.
      await page.getByText("List customers", { exact: true }).first().click();
      const operation = page.locator(".opblock.is-open").first();
      await operation.locator(".responses-wrapper").waitFor({ timeout: 10_000 });
      // "Try it out" calls this API from the page (connect-src 'self'): without credentials, a 401.
      await operation.getByRole("button", { name: "Try it out" }).click();
      await operation.getByRole("button", { name: "Execute" }).click();
      await operation
        .locator(".live-responses-table .response-col_status", { hasText: "401" })
        .waitFor({ timeout: 10_000 });

      await page.screenshot({ path: SCREENSHOT, fullPage: true });
    } finally {
      await context.close();
    }

    expect(external, "requests that left localhost").toEqual([]);
    expect(requested.filter((u) => !isLocal(u))).toEqual([]);
    expect(requested).toEqual(
      expect.arrayContaining([`${base}/openapi.json`, `${base}/docs-assets/swagger-ui-bundle.js`]),
    );
    expect(failed, "failed requests").toEqual([]);
    expect(problems, "console errors, CSP violations or page errors").toEqual([]);
  });
});
