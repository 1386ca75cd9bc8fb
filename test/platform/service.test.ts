import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { version } from "../../package.json";
import { fetchWithDb, seamD1 } from "../helpers/d1-seam";
import { api, BASE } from "../helpers";

describe("service endpoints", () => {
  it("GET /health answers 200 with the build's version after a D1 query, uncached", async () => {
    const res = await api("GET", "/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok", version, checks: { database: "ok" } });
    expect(res.headers.get("Cache-Control")).toBe("no-store");
  });

  it("GET /health answers 503 when D1 does not answer", async () => {
    const failing = seamD1(() => {
      throw new Error("D1 is down (injected)");
    });
    const res = await fetchWithDb(failing, "GET", "/health");
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: "unavailable", version, checks: { database: "unavailable" } });
  });

  it("GET /health needs no credential and is in the OpenAPI document as public", async () => {
    const doc = await api("GET", "/openapi.json");
    expect(doc.body.paths["/health"].get.security).toEqual([]);
  });

  it("GET / points to the reference, the document, the console and the health check", async () => {
    const res = await api("GET", "/");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ docs: "/docs", openapi: "/openapi.json", console: "/console", health: "/health" });
  });

  it("GET /docs/ redirects to /docs", async () => {
    const res = await SELF.fetch(`${BASE}/docs/`, { redirect: "manual" });
    expect(res.status).toBe(301);
    expect(new URL(res.headers.get("Location") ?? "", BASE).pathname).toBe("/docs");
  });
});
