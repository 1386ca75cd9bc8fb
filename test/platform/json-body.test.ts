import { describe, expect, it } from "vitest";
import { findUnstorable, jsonNestingDepth, MAX_JSON_DEPTH } from "../../src/middleware/json-body";
import { api, createCustomer, expectError } from "../helpers";

const nestedArrays = (n: number) => "[".repeat(n) + "]".repeat(n);

describe("JSON nesting depth", () => {
  it.each([
    ["{}", 1],
    ['{"a":[1,{"b":[]}]}', 4],
    ['"[[[[{{{"', 0],
    ['{"a":"\\"[[[["}', 1],
    ['["\\\\", [[]]]', 3],
    [nestedArrays(40), 40],
  ])("%s nests %i deep", (text, depth) => {
    expect(jsonNestingDepth(text)).toBe(depth);
  });

  it("the storability walk is iterative: a 100,000-deep value does not exhaust the stack", () => {
    const deep = JSON.parse(nestedArrays(100_000));
    expect(findUnstorable(deep)).toBeNull();
    const deepWithSurrogate = JSON.parse(`${"[".repeat(50_000)}{"x":"\\ud800"}${"]".repeat(50_000)}`);
    expect(findUnstorable(deepWithSurrogate)).toMatch(/x$/);
  });
});

describe("deeply nested bodies answer 400 in the envelope", () => {
  // 5,000 nested arrays fit in a 10 KB body, far under the 64 KB limit.
  const deep = nestedArrays(5_000);
  const deepInField = (field: string) => `{"${field}":${deep}}`;

  it("on an unauthenticated route", async () => {
    for (const rawBody of [deep, deepInField("username")]) {
      const res = await api("POST", "/auth/login", { rawBody, headers: { "Content-Type": "application/json" } });
      expectError(res, 400, "INVALID_ARGUMENT", "JSON_TOO_DEEP");
    }
  });

  it("on an authenticated route, and a body at the limit still goes through", async () => {
    const c = await createCustomer();
    const res = await api("PUT", "/v1.0/customer", {
      token: c.token,
      rawBody: deepInField("name"),
      headers: { "Content-Type": "application/json" },
    });
    expectError(res, 400, "INVALID_ARGUMENT", "JSON_TOO_DEEP");
    const tooDeep = await api("PUT", "/v1.0/customer", {
      token: c.token,
      rawBody: `{"name":${nestedArrays(MAX_JSON_DEPTH)}}`,
      headers: { "Content-Type": "application/json" },
    });
    expectError(tooDeep, 400, "INVALID_ARGUMENT", "JSON_TOO_DEEP");
    // At the limit the body is parsed and validated as usual: a wrong type, not a depth error.
    const atLimit = await api("PUT", "/v1.0/customer", {
      token: c.token,
      rawBody: `{"name":${nestedArrays(MAX_JSON_DEPTH - 1)}}`,
      headers: { "Content-Type": "application/json" },
    });
    expectError(atLimit, 400, "INVALID_ARGUMENT", "VALIDATION_FAILED");
    expect((await api("GET", "/v1.0/customer", { token: c.token })).body.name).toBe("Test Company");
  });
});
