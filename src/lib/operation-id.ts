/**
 * The operationId a route gets: the HTTP method and the path after /v1.0, each segment in
 * PascalCase, path parameters by their name (`GET /v1.0/customers/{id}` → `GetCustomersId`,
 * `PUT /v1.0/agents/{id}/tag_ids` → `PutAgentsIdTagIds`). It is how the platform's Go SDK
 * (oapi-codegen over the platform's document) names its operations, so a client generated from
 * this document has the method names users of that SDK already know.
 *
 * Routes declare their operationId literally; routes made by a factory (one per kind, alias or
 * action) derive it with this function.
 */
export function operationIdOf(method: string, path: string): string {
  const words = path
    .replace(/^\/v1\.0(?=\/|$)/, "")
    .split(/[/{}_.-]+/)
    .filter(Boolean);
  // `GET /` would be plain "Get".
  if (words.length === 0) words.push("root");
  return [method.toLowerCase(), ...words].map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("");
}
