// GET /docs in a real browser: the local dev server (`npm run dev`) and Chrome or Chromium (see
// ./chromium.ts for which one), driven by playwright-core. Checks that every operation of /openapi.json
// can be reached in the API reference (./docs-page.ts: tag by tag, scrolling, as Swagger UI may
// virtualize the list), also for a synthetic document of several hundred operations, and that the page
// loads nothing from anywhere but this server. BROWSER_TEST_PORT pins the dev server's port (its
// inspector: the port + 1000); by default both are free ports.
import { join } from "node:path";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./chromium";
import { type DevServer, startDevServer } from "./dev-server";
import { type OpenApiDocument, operationsByTag, operationsOf, reachOperations, syntheticDocument } from "./docs-page";

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
// One context for every page: the bundled Chromium runs --single-process, and closing its last
// context (or page) can take the whole browser down. A blank page keeps it alive.
let context: BrowserContext | undefined;

describe("GET /docs in Chromium", () => {
  beforeAll(async () => {
    // The browser first: without one the suite fails at once, saying how to get one (never a skip).
    const launched = await launchChromium();
    browser = launched.browser;
    console.log(`browser tests: ${launched.source} (${browser.version()})`);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: "block" });
    await context.newPage();
    server = await startDevServer("/openapi.json");
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

  /** A page of /docs that records every request and refuses any that leaves this machine. */
  async function openDocs(serve?: OpenApiDocument) {
    const page = await context!.newPage();
    const seen = {
      requested: [] as string[],
      external: [] as string[],
      failed: [] as string[],
      problems: [] as string[],
    };
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (!isLocal(url)) {
        seen.external.push(url);
        return route.abort("blockedbyclient");
      }
      // The synthetic document stands in for this server's own.
      if (serve && new URL(url).pathname === "/openapi.json") return route.fulfill({ json: serve });
      return route.continue();
    });
    page.on("request", (req) => seen.requested.push(req.url()));
    page.on("requestfailed", (req) => seen.failed.push(`${req.url()}: ${req.failure()?.errorText}`));
    page.on("websocket", (ws) => (isLocal(ws.url()) ? undefined : seen.external.push(ws.url())));
    page.on("pageerror", (err) => seen.problems.push(`page error: ${err.message}`));
    // A CSP violation shows up as a console error ("Refused to load/execute/apply ...").
    // The Try-it-out call's expected 401 is logged too; that one is not a problem.
    page.on("console", (msg) => {
      if (msg.type() !== "error") return;
      if (msg.location().url.startsWith(`${base}/v1.0/customers`) && msg.text().includes("status of 401")) return;
      seen.problems.push(`console: ${msg.text()}`);
    });
    const response = await page.goto(`${base}/docs`, { waitUntil: "load" });
    expect(response?.status()).toBe(200);
    await page.locator("h3.opblock-tag").first().waitFor({ timeout: 30_000 });
    await page.waitForLoadState("networkidle");
    return { page, seen };
  }

  function expectOnlyLocal(seen: Awaited<ReturnType<typeof openDocs>>["seen"]) {
    expect(seen.external, "requests that left localhost").toEqual([]);
    expect(seen.requested.filter((u) => !isLocal(u))).toEqual([]);
    expect(seen.requested).toEqual(
      expect.arrayContaining([`${base}/openapi.json`, `${base}/docs-assets/swagger-ui-bundle.js`]),
    );
    expect(seen.failed, "failed requests").toEqual([]);
    expect(seen.problems, "console errors, CSP violations or page errors").toEqual([]);
  }

  it("reaches every operation of /openapi.json, loading nothing from outside", { timeout: 300_000 }, async () => {
    const document = (await (await fetch(`${base}/openapi.json`)).json()) as OpenApiDocument;
    const operations = operationsOf(document);
    expect(operations.map((op) => op.operationId)).toEqual(
      expect.arrayContaining(["GET /v1.0/customers", "POST /v1.0/customers", "GET /v1.0/customer"]),
    );
    const { page, seen } = await openDocs();
    try {
      // It opens on the list of tags, in the document's order, each with its description.
      const headers = page.locator("h3.opblock-tag");
      expect(await headers.evaluateAll((els) => els.map((e) => e.getAttribute("data-tag")))).toEqual(
        document.tags?.length ? document.tags.map((t) => t.name) : [...operationsByTag(document).keys()],
      );
      expect(await page.locator(".opblock").count(), "operations shown before a tag is opened").toBe(0);
      await page.screenshot({ path: SCREENSHOT_TOP });

      const reach = await reachOperations(page, document);
      expect(reach.missingTags, "tags not on the page").toEqual([]);
      expect(reach.missingOperations, "operations not reached").toEqual([]);

      // It is interactive: an operation opens to show its parameters and responses.
      await page.locator('h3.opblock-tag[data-tag="Customers (admin)"]').click();
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
      await page.close();
    }
    expectOnlyLocal(seen);
  });

  it("reaches every operation of a document with hundreds of them (Swagger UI virtualizing)", {
    timeout: 600_000,
  }, async () => {
    const real = (await (await fetch(`${base}/openapi.json`)).json()) as OpenApiDocument;
    const document = syntheticDocument(real);
    const operations = operationsOf(document);
    expect(operations.length).toBeGreaterThanOrEqual(300);
    expect(operations.length + (document.tags?.length ?? 0)).toBeGreaterThanOrEqual(150 * 2);

    const { page, seen } = await openDocs(document);
    try {
      const reach = await reachOperations(page, document);
      expect(reach.missingTags, "tags not on the page").toEqual([]);
      expect(reach.missingOperations, "operations not reached").toEqual([]);
      // The check itself works when only part of the list is in the DOM.
      expect(reach.virtualizedTags).toContain("Synthetic bulk");
    } finally {
      await page.close();
    }
    expectOnlyLocal(seen);
  });
});
