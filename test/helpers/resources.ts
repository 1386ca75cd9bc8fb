import { env } from "cloudflare:test";
import { expect } from "vitest";
import type { ResourceKind } from "../../src/db/owned";
import { resourceKinds } from "../../src/db/owned";
import { adminLogin, api, unique } from ".";

export const kinds = resourceKinds;

let seq = 0;
/** A valid creation body for a kind, unique where the kind needs it. */
export function validBody(kind: ResourceKind): Record<string, unknown> {
  seq++;
  const n = `${Date.now() % 1_000_000}${seq}`.padStart(9, "0").slice(-9);
  const base = { name: `${kind} ${seq}`, detail: "made by a test" };
  switch (kind) {
    case "agents":
      return { ...base, username: `${unique("agent")}@example.com`, password: "agent-password-1", permission: 16 };
    case "numbers":
      return { ...base, number: `+899${n}` };
    case "flows":
      return { ...base, actions: [{ type: "answer" }] };
    case "queues":
      return { ...base, routing_method: "round_robin", tag_ids: [], wait_timeout: 1000 };
    case "trunks":
      return { ...base, domain_name: `trunk-${seq}`, allowed_ips: ["203.0.113.5"] };
    case "extensions":
      return { ...base, extension: `x${seq}`, password: "sip-password-1" };
    case "files":
      return { ...base, filename: "a.wav", content_type: "audio/wav" };
    case "billing_accounts":
      return { ...base, currency: "EUR", payment_type: "postpaid" };
    case "tags":
      return base;
    case "transcriptions":
      return { ...base, reference_type: "call", reference_id: crypto.randomUUID(), language: "en-US" };
    case "contacts":
      return {
        ...base,
        first_name: "Jane",
        last_name: "Doe",
        email: "jane@example.com",
        phone_number: "+15559876543",
        company: "X",
      };
  }
}

/** Fields that are write-only: they must never come back. */
// Extension and trunk passwords are SIP credentials: sealed, and answered to the customer's admins.
export const secretFields: Partial<Record<ResourceKind, string[]>> = { agents: ["password"] };

export async function createResource(token: string, kind: ResourceKind, body = validBody(kind)) {
  const res = await api("POST", `/v1.0/${kind}`, { token, body });
  expect(res.status, `${kind}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
}

export async function verifyIdentity(customerId: string) {
  const res = await api("PUT", `/v1.0/customers/${customerId}/identity_verification_status`, {
    token: await adminLogin(),
    body: { identity_verification_status: "verified" },
  });
  expect(res.status).toBe(200);
}

const OWNED_COLUMNS: Record<ResourceKind, string> = {
  agents: "username, password_hash, permission",
  numbers: "number",
  flows: "type",
  queues: "routing_method",
  trunks: "domain_name",
  extensions: "extension, password_sealed",
  files: "filename",
  billing_accounts: "currency",
  tags: "detail",
  transcriptions: "language",
  contacts: "email",
};

/**
 * Inserts `perKind` rows of every kind for a customer straight into D1 (multi-row INSERTs
 * within D1's 100-parameter limit): bulk data for cascade tests, not an API path under test.
 */
export async function seedRows(customerId: string, perKind: number): Promise<Record<ResourceKind, number>> {
  const now = Date.now();
  const counts = {} as Record<ResourceKind, number>;
  for (const kind of resourceKinds) {
    const extra = OWNED_COLUMNS[kind].split(", ");
    const columns = [
      "id",
      "customer_id",
      "name",
      "tm_create",
      "tm_update",
      ...extra.filter((c) => c !== "detail"),
      ...(kind === "tags" ? ["detail"] : []),
    ];
    const rowsPerStatement = Math.floor(100 / columns.length);
    const statements: D1PreparedStatement[] = [];
    for (let start = 0; start < perKind; start += rowsPerStatement) {
      const count = Math.min(rowsPerStatement, perKind - start);
      const params: unknown[] = [];
      for (let i = start; i < start + count; i++) {
        const id = crypto.randomUUID();
        const values: Record<string, unknown> = {
          id,
          customer_id: customerId,
          name: `${kind}-${i}`,
          tm_create: now - i,
          tm_update: now,
          username: `seed-${id}@example.com`,
          password_hash: "!unusable$seed",
          password_sealed: "",
          permission: 16,
          number: `+899${id.replace(/\D/g, "").slice(0, 12)}${i}`.slice(0, 16),
          type: "flow",
          routing_method: "random",
          domain_name: `d${i}`,
          extension: `e${i}`,
          filename: "f.wav",
          currency: "USD",
          detail: "seeded",
          language: "en-US",
          email: `contact-${i}@example.com`,
        };
        params.push(...columns.map((c) => values[c]));
      }
      const placeholders = Array.from({ length: count }, () => `(${columns.map(() => "?").join(", ")})`).join(", ");
      statements.push(
        env.DB.prepare(`INSERT INTO ${kind} (${columns.join(", ")}) VALUES ${placeholders}`).bind(...params),
      );
    }
    for (let i = 0; i < statements.length; i += 50) await env.DB.batch(statements.slice(i, i + 50));
    counts[kind] = perKind;
  }
  return counts;
}
