import { describe, expect, it } from "vitest";
import { operationIdOf } from "../../src/lib/operation-id";
import { api } from "../helpers";
import { GO_SDK_OPERATIONS } from "./go-sdk-operations";

/**
 * Every call the clients' replays make (./cli*.test.ts, ./go-sdk*.test.ts, ./mcp.test.ts,
 * ./contract-auth.test.ts) is described by the service's own OpenAPI document.
 */

const item = (kinds: string[], methods: string, byId: string) =>
  kinds.flatMap((k) => [
    ...methods.split(" ").map((m) => `${m} /v1.0/${k}`),
    ...byId.split(" ").map((m) => `${m} /v1.0/${k}/{}`),
  ]);

const CALLS = [
  "POST /auth/login",
  "POST /auth/signup",
  "POST /auth/email-verify",
  "POST /auth/password-forgot",
  "GET /auth/password-reset",
  "POST /auth/password-reset",
  "POST /auth/unregister",
  "DELETE /auth/unregister",
  "GET /v1.0/me",
  "GET /v1.0/customer",
  "PUT /v1.0/customer",
  "PUT /v1.0/customer/metadata",
  "PUT /v1.0/customer/billing_account_id",
  "PUT /v1.0/customers/{}/billing_account_id",
  ...item(["customers", "accesskeys"], "GET POST", "GET PUT DELETE"),
  ...item(
    ["agents", "numbers", "flows", "queues", "trunks", "extensions", "billing_accounts", "tags", "contacts"],
    "GET POST",
    "GET PUT DELETE",
  ),
  ...item(["storage_files", "files", "transcribes", "transcriptions"], "GET POST", "GET DELETE"),
  "GET /v1.0/storage_files/{}/file",
  "GET /v1.0/storage_account",
  ...item(["storage_accounts"], "GET POST", "GET DELETE"),
  "PUT /v1.0/agents/{}/addresses",
  "PUT /v1.0/agents/{}/tag_ids",
  "PUT /v1.0/agents/{}/permission",
  "PUT /v1.0/agents/{}/status",
  "PUT /v1.0/agents/{}/password",
  "PUT /v1.0/queues/{}/routing_method",
  "PUT /v1.0/queues/{}/tag_ids",
  "PUT /v1.0/numbers/{}/flow_ids",
  "GET /v1.0/contacts/lookup",
  "POST /v1.0/contacts/{}/addresses",
  "PUT /v1.0/contacts/{}/addresses/{}",
  "DELETE /v1.0/contacts/{}/addresses/{}",
  "POST /v1.0/contacts/{}/tags",
  "DELETE /v1.0/contacts/{}/tags/{}",
  "PUT /v1.0/billing_accounts/{}/payment_info",
  "POST /v1.0/billing_accounts/{}/balance_add_force",
  "POST /v1.0/billing_accounts/{}/balance_subtract_force",
  // The Go SDK's /service_agents/* calls this service serves (./go-sdk-service-agents.test.ts).
  "GET /v1.0/service_agents/me",
  "PUT /v1.0/service_agents/me",
  "PUT /v1.0/service_agents/me/addresses",
  "PUT /v1.0/service_agents/me/status",
  "PUT /v1.0/service_agents/me/password",
  "GET /v1.0/service_agents/customer",
  ...["agents", "extensions", "files"].flatMap((k) => [
    `GET /v1.0/service_agents/${k}`,
    `GET /v1.0/service_agents/${k}/{}`,
  ]),
  "POST /v1.0/service_agents/files",
  "DELETE /v1.0/service_agents/files/{}",
  // The contract's other in-scope service_agents paths (test/service-agents/).
  "GET /v1.0/service_agents/files/{}/file",
  "GET /v1.0/service_agents/tags",
  "GET /v1.0/service_agents/tags/{}",
  "GET /v1.0/service_agents/transcribes",
  "GET /v1.0/service_agents/contacts/lookup",
  ...["GET", "POST"].map((m) => `${m} /v1.0/service_agents/contacts`),
  ...["GET", "PUT", "DELETE"].map((m) => `${m} /v1.0/service_agents/contacts/{}`),
  "POST /v1.0/service_agents/contacts/{}/addresses",
  "PUT /v1.0/service_agents/contacts/{}/addresses/{}",
  "DELETE /v1.0/service_agents/contacts/{}/addresses/{}",
  "POST /v1.0/service_agents/contacts/{}/tags",
  "DELETE /v1.0/service_agents/contacts/{}/tags/{}",
];

describe("GET /openapi.json describes the clients' calls", () => {
  it("has every path and method the replays use", async () => {
    const doc = (await api("GET", "/openapi.json")).body as { paths: Record<string, Record<string, unknown>> };
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{[^}]+\}/g, "{}")}`),
      ),
    );
    expect(CALLS.filter((c) => !documented.has(c))).toEqual([]);
  });

  it("documents the access key's token_prefix and tm_delete", async () => {
    const doc = (await api("GET", "/openapi.json")).body as { components: { schemas: Record<string, any> } };
    const withPrefix = Object.values(doc.components.schemas).filter((s) => s?.properties?.token_prefix);
    expect(withPrefix.length).toBeGreaterThan(0);
    expect(withPrefix.some((s) => s.properties.tm_delete)).toBe(true);
  });
});

interface Operation {
  operationId?: string;
  tags?: string[];
  security?: unknown[];
}
const document = (await api("GET", "/openapi.json")).body as {
  servers?: { url: string }[];
  security?: unknown[];
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
};
const operations = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
);

describe("GET /openapi.json is a document generators can use", () => {
  it("names every operation, uniquely, as the platform's Go SDK names its operations", () => {
    expect(operations.length).toBeGreaterThan(100);
    const missing = operations.filter(({ op }) => !op.operationId).map(({ method, path }) => `${method} ${path}`);
    expect(missing, "operations without an operationId").toEqual([]);
    const ids = operations.map(({ op }) => op.operationId);
    expect(
      ids.filter((id, i) => ids.indexOf(id) !== i),
      "duplicate operationIds",
    ).toEqual([]);
    // The SDK's rule (method + path after /v1.0 in PascalCase) holds for all, so new routes follow it too.
    const off = operations
      .filter(({ method, path, op }) => op.operationId !== operationIdOf(method, path))
      .map(({ method, path, op }) => `${method} ${path}: ${op.operationId}`);
    expect(off).toEqual([]);
  });

  it("uses the Go SDK's own name wherever the SDK has the operation", () => {
    // The SDK's paths are relative to its base .../v1.0 (its login example uses the bare host).
    const byCall = new Map(
      operations.map(({ method, path, op }) => [
        `${method} ${path.replace(/^\/v1\.0(?=\/)/, "").replace(/\{[^}]+\}/g, "{}")}`,
        op.operationId,
      ]),
    );
    const compared = GO_SDK_OPERATIONS.map((line) => line.split(" ")).filter(([m, p]) => byCall.has(`${m} ${p}`));
    const differ = compared
      .filter(([m, p, name]) => byCall.get(`${m} ${p}`) !== name)
      .map(([m, p, name]) => `${m} ${p}: SDK ${name}, here ${byCall.get(`${m} ${p}`)}`);
    expect(differ).toEqual([]);
    // Every customer-level call of the SDK is among them, but the two this service leaves out
    // (README: renewing numbers and stopping a live transcription are other services' work).
    const notServed = ["POST /numbers/renew", "POST /transcribes/{}/stop"];
    const customerLevel = GO_SDK_OPERATIONS.filter((l) => !l.includes(" /service_agents"));
    expect(customerLevel.filter((l) => !byCall.has(l.split(" ").slice(0, 2).join(" ")))).toEqual(
      customerLevel.filter((l) => notServed.some((call) => l.startsWith(`${call} `))),
    );
  });

  it("has servers, a described tag for every tag in use, and says which operations need no credential", () => {
    expect(document.servers?.length).toBeGreaterThan(0);
    const described = new Map((document.tags ?? []).map((t) => [t.name, t.description ?? ""]));
    for (const { method, path, op } of operations)
      for (const tag of op.tags ?? []) expect(described.get(tag), `${method} ${path}: tag ${tag}`).toBeTruthy();
    // A credential everywhere by default; the public operations say `security: []`.
    expect(document.security?.length).toBeGreaterThan(0);
    const open = operations
      .filter(({ op }) => op.security?.length === 0)
      .map(({ method, path }) => `${method} ${path}`);
    expect(open.sort()).toEqual(
      [
        "GET /auth/email-verify",
        "GET /auth/password-reset",
        "POST /auth/email-verify",
        "POST /auth/login",
        "POST /auth/password-forgot",
        "POST /auth/password-reset",
        "POST /auth/signup",
        "POST /auth/logout",
        "GET /",
        "GET /health",
      ].sort(),
    );
  });

  it("documents the multipart upload of POST /v1.0/files and the number type vn sends", () => {
    const files = document.paths["/v1.0/files"]!.post as { requestBody: { content: Record<string, unknown> } };
    expect(Object.keys(files.requestBody.content).sort()).toEqual(["application/json", "multipart/form-data"]);
    const schemas = (document as unknown as { components: { schemas: Record<string, any> } }).components.schemas;
    expect(schemas.NumberCreate.properties.type.enum).toEqual(["normal", "virtual"]);
  });
});
