import { describe, expect, it } from "vitest";
import { isReadMethod } from "../../src/lib/route";
import { routes } from "../../src/routes";
import { ADMIN, api, createCustomer } from "../helpers";
import { validBody } from "../helpers/resources";

const key = (r: (typeof routes)[number]) => `${r.route.method.toUpperCase()} ${r.route.path}`;

describe("route properties are declared on the route definitions", () => {
  it("each method and path is defined once, so its properties are unambiguous", () => {
    const keys = routes.map(key);
    expect(keys.length).toBe(new Set(keys).size);
  });

  it("reads declare none; every creating POST of a kind, under its name and its aliases, is idempotent", () => {
    for (const r of routes) {
      if (isReadMethod(r.route.method.toUpperCase())) expect(r.properties, key(r)).toEqual({});
    }
    const creates = routes.filter((r) => r.route.method === "post" && /^\/v1\.0\/[a-z_]+$/.test(r.route.path));
    expect(creates.map(key)).toContain("POST /v1.0/transcribes");
    for (const r of creates) {
      const upload = r.route.path === "/v1.0/storage_files";
      expect(upload ? r.properties.upload : r.properties.idempotent, key(r)).toBe(true);
    }
  });

  it("one isReadMethod for every middleware: OPTIONS and HEAD change nothing", () => {
    expect(["GET", "HEAD", "OPTIONS"].every(isReadMethod)).toBe(true);
    expect(["POST", "PUT", "PATCH", "DELETE"].some(isReadMethod)).toBe(false);
  });
});

describe("the properties take effect through the HTTP API", () => {
  it("an alias's create replays under the same Idempotency-Key", async () => {
    const { token } = await createCustomer();
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    const body = validBody("transcriptions");
    const first = await api("POST", "/v1.0/transcribes", { token, body, headers });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const second = await api("POST", "/v1.0/transcribes", { token, body, headers });
    expect(second.headers.get("Idempotent-Replayed")).toBe("true");
    expect(second.body).toEqual(first.body);
  });

  it("a POST that is not declared idempotent ignores the key", async () => {
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    const first = await api("POST", "/auth/login", { body: ADMIN, headers });
    const second = await api("POST", "/auth/login", { body: ADMIN, headers });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.headers.get("Idempotent-Replayed")).toBeNull();
    expect(second.body.token).not.toBe(undefined);
  });
});
