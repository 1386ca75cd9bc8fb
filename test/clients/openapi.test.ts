import { describe, expect, it } from "vitest";
import { api } from "../helpers";

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
