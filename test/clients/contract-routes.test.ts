import { describe, expect, it } from "vitest";
import { api, type ApiResponse, createCustomer, expectError } from "../helpers";
import { goMultipartFile } from "./replay";

/**
 * A path (or method) no route serves answers 404 ROUTE_NOT_FOUND before anything looks at the
 * request: not its size, media type, bookmark or credential. The platform answers so too, and
 * a client that calls a path this service does not have learns exactly that.
 */

const notFound = (res: ApiResponse, method: string, path: string) => {
  expectError(res, 404, "NOT_FOUND", "ROUTE_NOT_FOUND");
  expect(res.body.error.message).toBe(`No route for ${method} ${path}.`);
};

describe("unknown routes: 404 ROUTE_NOT_FOUND first", () => {
  it("POST /v1.0/auth/login (login is /auth/login): 404, not 401", async () => {
    const res = await api("POST", "/v1.0/auth/login", { body: { username: "a@example.com", password: "x" } });
    notFound(res, "POST", "/v1.0/auth/login");
  });

  it("a multipart upload to a path not served here (the SDK's talk chats): 404, not 415 or 401", async () => {
    const { contentType, body } = goMultipartFile("a.txt", new TextEncoder().encode("hello"));
    const res = await api("POST", "/v1.0/service_agents/talk_chats", {
      rawBody: body,
      headers: { "Content-Type": contentType },
    });
    notFound(res, "POST", "/v1.0/service_agents/talk_chats");
  });

  it("whatever the body: too large, not JSON, no Content-Type, a bad bookmark header", async () => {
    const path = "/v1.0/no_such_things";
    notFound(
      await api("POST", path, { rawBody: "x".repeat(200 * 1024), headers: { "Content-Type": "application/json" } }),
      "POST",
      path,
    );
    notFound(await api("PUT", path, { rawBody: "<a/>", headers: { "Content-Type": "text/xml" } }), "PUT", path);
    notFound(await api("POST", path, { rawBody: new TextEncoder().encode("{}") }), "POST", path);
    notFound(await api("GET", path, { headers: { "x-d1-bookmark": "\u0001bad" } }), "GET", path);
  });

  it("with or without a credential; a known path with another method is unknown too", async () => {
    const c = await createCustomer();
    notFound(await api("GET", "/v1.0/no_such_things", { token: c.token }), "GET", "/v1.0/no_such_things");
    notFound(await api("GET", "/v1.0/no_such_things?accesskey=nope"), "GET", "/v1.0/no_such_things");
    notFound(await api("PATCH", "/v1.0/customer", { body: { name: "x" } }), "PATCH", "/v1.0/customer");
    notFound(await api("POST", "/v1.0/customers/x/y/z"), "POST", "/v1.0/customers/x/y/z");
    notFound(await api("GET", "/v1.0/customers/"), "GET", "/v1.0/customers/");
  });

  it("known routes keep their checks: no credential is 401, a wrong media type 415", async () => {
    expectError(await api("GET", "/v1.0/customer"), 401, "UNAUTHENTICATED");
    const c = await createCustomer();
    expectError(
      await api("PUT", "/v1.0/customer", { token: c.token, rawBody: "<a/>", headers: { "Content-Type": "text/xml" } }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    // HEAD is served by the GET route, as in Hono itself.
    expect((await api("HEAD", "/openapi.json")).status).toBe(200);
  });
});
