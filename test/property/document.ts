import { env } from "cloudflare:test";
import fc from "fast-check";
import { expect } from "vitest";
import { api, type ApiResponse } from "../helpers";

// ---------------------------------------------------------------------------------------------
// Property-based tests driven by the OpenAPI document: every operation with a JSON request body
// gets bodies generated from its schema. Valid ones must succeed (or get the documented,
// state-dependent answer an oracle predicts); invalid ones must get a 4xx in the error envelope,
// never a 5xx, and leave D1 exactly as it was.
//
// Runs are reproducible: every property has a fixed seed (BASE_SEED mixed with the operation),
// and fast-check prints the seed, the path and the shrunk counterexample when one fails. Change
// BASE_SEED to explore other inputs.
// ---------------------------------------------------------------------------------------------
//
// This module: the settings, the document and its operations, talking to the Worker, the error
// envelope and D1 snapshots. The JSON-Schema arbitraries are in arbitraries.ts and invalid.ts,
// the per-operation setups and oracles in context.ts and operations.ts, the outside world's mocks
// in world.ts; the tests are the *.test.ts files of this folder.
// ---------------------------------------------------------------------------------------------

export const BASE_SEED = 20_261_122;
export const INVALID_RUNS = 30;
export const VALID_RUNS = 15;
export const MAX_BODY_BYTES = 64 * 1024;
export const TEST_TIMEOUT = 90_000;

// ---- The document ----------------------------------------------------------------------------

export interface JsonSchema {
  $ref?: string;
  /** A list where OpenAPI 3.1 says "this type or null" (`["array", "null"]`). */
  type?: string | string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
}

export const doc = (await api("GET", "/openapi.json")).body as {
  paths: Record<
    string,
    Record<
      string,
      {
        requestBody?: { content: Record<string, { schema: JsonSchema }> };
        responses?: Record<string, { headers?: Record<string, unknown> }>;
      }
    >
  >;
  components: { schemas: Record<string, JsonSchema> };
};

export function deref(schema: JsonSchema): JsonSchema {
  let s = schema;
  while (s.$ref) s = doc.components.schemas[s.$ref.replace("#/components/schemas/", "")]!;
  return s;
}

export interface Operation {
  key: string;
  method: "POST" | "PUT";
  path: string;
  schema: JsonSchema;
  mediaTypes: string[];
  /** The route ignores fields it does not know (as the platform does) and names them in X-Ignored-Fields. */
  ignoresUnknown: boolean;
}

/** Operations whose body is not JSON, each with its own tests (named here). */
export const NON_JSON_OPERATIONS = {
  "POST /v1.0/storage_files": "test/storage/storage-files.test.ts",
  "POST /v1.0/service_agents/files": "test/service-agents/files.test.ts",
};

export const allOperations: Operation[] = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([, op]) => op.requestBody)
    .map(([method, op]) => ({
      key: `${method.toUpperCase()} ${path}`,
      method: method.toUpperCase() as "POST" | "PUT",
      path,
      schema: deref(op.requestBody!.content["application/json"]?.schema ?? {}),
      mediaTypes: Object.keys(op.requestBody!.content),
      ignoresUnknown: op.responses?.["200"]?.headers?.["X-Ignored-Fields"] !== undefined,
    })),
);
export const operations = allOperations.filter((op) => !(op.key in NON_JSON_OPERATIONS));

/**
 * fc.assert, with the failure report made safe to print: lone surrogates in a counterexample
 * would break the test runner's UTF-8 channel, so every surrogate is written as an escape.
 */
export async function check<T>(property: fc.IAsyncProperty<T>, params: fc.Parameters<T>): Promise<void> {
  try {
    await fc.assert(property, params);
  } catch (err) {
    const text =
      err instanceof Error
        ? `${err.message}${err.cause instanceof Error ? `\nCaused by: ${err.cause.message}` : ""}`
        : String(err);
    throw new Error(text.replace(/[\ud800-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`));
  }
}

export const seedOf = (label: string) => {
  let h = BASE_SEED;
  for (const ch of label) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
};

// ---- Talking to the Worker -------------------------------------------------------------------

export type Sent = ApiResponse;

/** One request with a raw body; `contentType: null` sends bytes with no Content-Type at all. */
export function send(
  method: string,
  path: string,
  options: { token?: string; raw?: string; contentType?: string | null },
): Promise<Sent> {
  const contentType = options.contentType === undefined ? "application/json" : options.contentType;
  const rawBody =
    options.raw === undefined ? undefined : contentType === null ? new TextEncoder().encode(options.raw) : options.raw;
  return api(method, path, {
    token: options.token,
    rawBody,
    headers: contentType === null ? {} : { "Content-Type": contentType },
  });
}

const ERROR_STATUSES: Record<number, string[]> = {
  400: ["INVALID_ARGUMENT", "FAILED_PRECONDITION"],
  401: ["UNAUTHENTICATED"],
  403: ["PERMISSION_DENIED"],
  404: ["NOT_FOUND"],
  409: ["ALREADY_EXISTS"],
  413: ["PAYLOAD_TOO_LARGE"],
  415: ["UNSUPPORTED_MEDIA_TYPE"],
};

export function expectEnvelope(res: Sent, status: number, context: string) {
  expect(res.status, `${context}: ${JSON.stringify(res.body)?.slice(0, 500)}`).toBe(status);
  const error = res.body?.error;
  expect(error, context).toBeTypeOf("object");
  expect(ERROR_STATUSES[status], context).toContain(error.status);
  expect(error.reason, context).toBeTypeOf("string");
  expect(error.message, context).toBeTypeOf("string");
  expect(error.request_id, context).toBe(res.headers.get("X-Request-Id"));
  expect(Array.isArray(error.details), context).toBe(true);
}

// ---- D1 snapshots ----------------------------------------------------------------------------

const tables = (
  await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations' ORDER BY name",
  ).all<{
    name: string;
  }>()
).results.map((r) => r.name);
// One statement (D1 limits compound SELECTs): a column per table.
const countAll = `SELECT ${tables.map((t) => `(SELECT count(*) FROM "${t}") AS "${t}"`).join(", ")}`;

export interface Target {
  table: string;
  id: string;
}

/** Row counts of every table, plus the full row a PUT aims at. */
export async function snapshot(target?: Target) {
  const counts = await env.DB.prepare(countAll).first();
  const row = target
    ? await env.DB.prepare(`SELECT * FROM "${target.table}" WHERE id = ?`).bind(target.id).first()
    : null;
  return { counts, row };
}
