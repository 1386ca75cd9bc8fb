import { describe, expect, it } from "vitest";
import { ifMatchHolds, parseIfMatch } from "../../src/lib/etag";
import { api, createCustomer, expectError } from "../helpers";
import { createResource } from "../helpers/resources";

// RFC 9110 §13.1.1: "*" or a list of entity-tags, compared strongly.
describe("If-Match parsing and strong comparison", () => {
  const current = 3; // the representation's ETag is "3"
  it.each([
    ['"3"', true],
    ['"2"', false],
    ['"stale-etag"', false],
    ['"1", "3"', true],
    ['"1","2"', false],
    ['"1" ,\t"3" ', true],
    [', "3",', true],
    ['W/"3"', false],
    ['W/"3", "3"', true],
    ['"03"', false],
    ['""', false],
    ["*", true],
    [" * ", true],
    ["", false],
  ])("%j matches version 3: %s", (header, matches) => {
    const condition = parseIfMatch(header);
    expect(condition).not.toBeNull();
    expect(ifMatchHolds(condition!, current)).toBe(matches);
  });

  it.each(["3", "stale", '"3', '3"', 'w/"3"', 'W/ "3"', '"3" "4"', '"a"b', '*, "3"', '"3";', '"with"quote"'])(
    "%j is malformed",
    (header) => {
      expect(parseIfMatch(header)).toBeNull();
    },
  );
});

describe("If-Match over HTTP", () => {
  it("customers: an unissued tag or a weak one is 412, a list with the current tag or * applies, garbage is 400", async () => {
    const c = await createCustomer();
    const etag = (await api("GET", "/v1.0/customer", { token: c.token })).headers.get("ETag")!;
    const put = (ifMatch: string, name: string) =>
      api("PUT", "/v1.0/customer", { token: c.token, body: { name }, headers: { "If-Match": ifMatch } });

    expectError(await put('"stale-etag"', "a"), 412, "FAILED_PRECONDITION", "ETAG_MISMATCH");
    expectError(await put(`W/${etag}`, "b"), 412, "FAILED_PRECONDITION", "ETAG_MISMATCH");
    expectError(await put("not-an-etag", "c"), 400, "INVALID_ARGUMENT", "INVALID_IF_MATCH");
    const listed = await put(`"stale-etag", ${etag}`, "listed");
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    expect(listed.body.name).toBe("listed");
    const any = await put("*", "any");
    expect(any.status).toBe(200);
    expect(any.body.name).toBe("any");
  });

  it("resources: the same rules", async () => {
    const c = await createCustomer();
    const tag = await createResource(c.token, "tags");
    const etag = (await api("GET", `/v1.0/tags/${tag.id}`, { token: c.token })).headers.get("ETag")!;
    const put = (ifMatch: string, name: string) =>
      api("PUT", `/v1.0/tags/${tag.id}`, { token: c.token, body: { name }, headers: { "If-Match": ifMatch } });

    expectError(await put('"stale-etag"', "a"), 412, "FAILED_PRECONDITION", "ETAG_MISMATCH");
    expectError(await put(`W/${etag}`, "b"), 412, "FAILED_PRECONDITION", "ETAG_MISMATCH");
    expectError(await put('"1', "c"), 400, "INVALID_ARGUMENT", "INVALID_IF_MATCH");
    const listed = await put(`"0", ${etag}`, "listed");
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    expect(listed.body.name).toBe("listed");
    expect((await put("*", "any")).status).toBe(200);
  });
});
