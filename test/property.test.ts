import { env } from "cloudflare:test";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ResourceKind } from "../src/db/owned";
import { adminLogin, api, createAgent, createCustomer, login, type TestCustomer, type ApiResponse } from "./helpers";
import { createResource, kinds, validBody } from "./resource-helpers";

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

const BASE_SEED = 20_261_122;
const INVALID_RUNS = 30;
const VALID_RUNS = 15;
const MAX_BODY_BYTES = 64 * 1024;
const TEST_TIMEOUT = 90_000;

// ---- The document ----------------------------------------------------------------------------

interface JsonSchema {
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

const doc = (await api("GET", "/openapi.json")).body as {
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: JsonSchema }> }; responses?: Record<string, { headers?: Record<string, unknown> }> }>>;
  components: { schemas: Record<string, JsonSchema> };
};

function deref(schema: JsonSchema): JsonSchema {
  let s = schema;
  while (s.$ref) s = doc.components.schemas[s.$ref.replace("#/components/schemas/", "")]!;
  return s;
}

interface Operation {
  key: string;
  method: "POST" | "PUT";
  path: string;
  schema: JsonSchema;
  mediaTypes: string[];
  /** The route ignores fields it does not know (as the platform does) and names them in X-Ignored-Fields. */
  ignoresUnknown: boolean;
}

/** Operations whose body is not JSON, each with its own tests (named here). */
const NON_JSON_OPERATIONS = { "POST /v1.0/storage_files": "test/storage-files.test.ts" };

const allOperations: Operation[] = Object.entries(doc.paths).flatMap(([path, item]) =>
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
const operations = allOperations.filter((op) => !(op.key in NON_JSON_OPERATIONS));

/**
 * fc.assert, with the failure report made safe to print: lone surrogates in a counterexample
 * would break the test runner's UTF-8 channel, so every surrogate is written as an escape.
 */
async function check<T>(property: fc.IAsyncProperty<T>, params: fc.Parameters<T>): Promise<void> {
  try {
    await fc.assert(property, params);
  } catch (err) {
    const text = err instanceof Error ? `${err.message}${err.cause instanceof Error ? `\nCaused by: ${err.cause.message}` : ""}` : String(err);
    throw new Error(text.replace(/[\ud800-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`));
  }
}

const seedOf = (label: string) => {
  let h = BASE_SEED;
  for (const ch of label) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
};

// ---- Talking to the Worker -------------------------------------------------------------------

type Sent = ApiResponse;

/** One request with a raw body; `contentType: null` sends bytes with no Content-Type at all. */
function send(method: string, path: string, options: { token?: string; raw?: string; contentType?: string | null }): Promise<Sent> {
  const contentType = options.contentType === undefined ? "application/json" : options.contentType;
  const rawBody = options.raw === undefined ? undefined : contentType === null ? new TextEncoder().encode(options.raw) : options.raw;
  return api(method, path, { token: options.token, rawBody, headers: contentType === null ? {} : { "Content-Type": contentType } });
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

function expectEnvelope(res: Sent, status: number, context: string) {
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
  await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations' ORDER BY name").all<{
    name: string;
  }>()
).results.map((r) => r.name);
// One statement (D1 limits compound SELECTs): a column per table.
const countAll = `SELECT ${tables.map((t) => `(SELECT count(*) FROM "${t}") AS "${t}"`).join(", ")}`;

interface Target {
  table: string;
  id: string;
}

/** Row counts of every table, plus the full row a PUT aims at. */
async function snapshot(target?: Target) {
  const counts = await env.DB.prepare(countAll).first();
  const row = target ? await env.DB.prepare(`SELECT * FROM "${target.table}" WHERE id = ?`).bind(target.id).first() : null;
  return { counts, row };
}

// ---- Arbitraries from JSON Schema ------------------------------------------------------------

const EDGE_TEXT = [
  "\u0000",
  "\u001f",
  "\u007f",
  "\u00a0",
  "\u200b",
  "\u200d",
  "\u202e",
  "\u2028",
  "\ufeff",
  "\uffff",
  "😀",
  "👩‍👩‍👧",
  "e\u0301",
  "𝔘",
  "'",
  '"',
  "\\",
  "%00",
  "<script>",
  "' OR 1=1 --",
  "${x}",
  "../",
];

/** Length as JSON Schema (and the service) count it: in code points. */
const cpLength = (s: string) => [...s].length;

/**
 * Text of `min` to `max` code points: ASCII, graphemes of every script, raw code points
 * (controls, NUL, noncharacters) and a list of classic troublemakers. Well-formed Unicode only:
 * lone surrogates have their own test below.
 */
function textArb(min = 0, max = 255): fc.Arbitrary<string> {
  const within = (s: string) => cpLength(s) >= min && cpLength(s) <= max;
  const pad = (s: string) => (cpLength(s) >= min ? s : s + "x".repeat(min - cpLength(s)));
  return fc
    .oneof(
      { arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: max }), weight: 3 },
      { arbitrary: fc.string({ unit: "grapheme", maxLength: max }), weight: 2 },
      { arbitrary: fc.string({ unit: "binary", maxLength: max }), weight: 2 },
      { arbitrary: fc.string({ unit: fc.constantFrom(...EDGE_TEXT), maxLength: 12 }), weight: 2 },
      { arbitrary: fc.constantFrom("x".repeat(max), "é".repeat(max), "😀".repeat(max)), weight: 1 },
    )
    .map(pad)
    .filter(within);
}

/** Emails the service's validator (and any sane one) accepts; case varies, the service lowercases. */
const emailArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(fc.stringMatching(/^[A-Za-z0-9_'+-]{1,8}$/), { minLength: 1, maxLength: 3 }),
    fc.array(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9-]{0,10}$/), { minLength: 1, maxLength: 3 }),
    fc.stringMatching(/^[A-Za-z]{2,6}$/),
  )
  .map(([local, labels, tld]) => `${local.join(".")}@${labels.join(".")}.${tld}`)
  .filter((e) => /[A-Za-z0-9_+-]@/.test(e));

/** Public webhook targets (the DNS lookup is mocked to a public address). */
const webhookUriArb: fc.Arbitrary<string> = fc.oneof(
  fc.constant(""),
  fc
    .tuple(
      fc.constantFrom("http", "https"),
      fc.oneof(
        fc.constantFrom("93.184.216.34", "8.8.8.8", "[2606:4700::1111]"),
        fc.tuple(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,15}$/), fc.constantFrom("com", "net", "org", "io")).map(([a, b]) => `${a}.${b}`),
      ),
      fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
      fc.webPath({ size: "small" }),
    )
    .map(([scheme, host, port, path]) => `${scheme}://${host}${port ? `:${port}` : ""}${path}`),
);

const permissionArb = fc.constantFrom(16, 32, 64, 16 | 32, 16 | 64, 32 | 64, 16 | 32 | 64);

/** Field arbitraries that know more than the document says (refinements, formats). */
const SEMANTIC_VALID: Record<string, fc.Arbitrary<unknown>> = {
  webhook_uri: webhookUriArb,
  permission: permissionArb,
};

/** Values the document allows but the service refuses by a documented rule it does not encode. */
const SEMANTIC_INVALID: Record<string, fc.Arbitrary<unknown>> = {
  webhook_uri: fc.constantFrom(
    "ftp://example.com/hook",
    "example.com/hook",
    "/hook",
    "https://",
    "javascript:alert(1)",
    "http://10.0.0.1/x",
    "http://127.0.0.1/x",
    "http://localhost/x",
    "http://169.254.169.254/latest/meta-data",
    "http://[::1]/",
    "http://user:pass@93.184.216.34/",
    "http://0x7f.1/",
    "http://2130706433/",
    "https://printer.local/",
  ),
  // 1 is ProjectSuperAdmin: an escalation attempt must be a 400.
  permission: fc.constantFrom(1, 8, 17, 33, 128, -16, 2 ** 31, 2 ** 32 + 32, 2 ** 53),
};

function valueArb(s: JsonSchema, field: string, overrides: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  const own = overrides[field] ?? SEMANTIC_VALID[field];
  if (own) return own;
  return schemaArb(s);
}

function schemaArb(schema: JsonSchema): fc.Arbitrary<unknown> {
  const s = deref(schema);
  if (s.anyOf) return fc.oneof(...s.anyOf.map(schemaArb));
  if (Array.isArray(s.type)) return fc.oneof(...s.type.map((type) => schemaArb({ ...s, type })));
  if (s.enum) return fc.constantFrom(...s.enum);
  switch (s.type) {
    case "string": {
      const max = s.maxLength ?? 255;
      if (s.format === "email") return emailArb.filter((e) => e.length <= max);
      if (s.format === "uuid") return fc.oneof(fc.uuid(), fc.uuid().map((u) => u.toUpperCase()));
      if (s.pattern) return fc.stringMatching(new RegExp(s.pattern)).filter((v) => cpLength(v) <= max && cpLength(v) >= (s.minLength ?? 0));
      return textArb(s.minLength ?? 0, max);
    }
    case "integer": {
      const min = s.minimum ?? Number.MIN_SAFE_INTEGER;
      const max = s.maximum ?? Number.MAX_SAFE_INTEGER;
      const bounded = fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1) });
      if (s.minimum === undefined && s.maximum === undefined) return fc.oneof(bounded, fc.maxSafeInteger());
      if (s.maximum === undefined) return fc.oneof(bounded, fc.constant(min), fc.maxSafeNat().map((n) => Math.min(Number.MAX_SAFE_INTEGER, n + Math.max(0, min))));
      return fc.oneof(bounded, fc.constantFrom(min, max));
    }
    case "number":
      return fc.oneof(
        fc.double({ min: s.minimum ?? -1e15, max: s.maximum ?? 1e15, noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
        fc.constantFrom(...[s.minimum, s.maximum].filter((n): n is number => n !== undefined)),
      );
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array": {
      const item = schemaArb(s.items ?? {});
      const max = s.maxItems ?? 10;
      return fc.oneof({ arbitrary: fc.array(item, { maxLength: max, size: "small" }), weight: 4 }, { arbitrary: fc.array(item, { minLength: max, maxLength: max }), weight: 1 });
    }
    case "object": {
      if (s.properties) return bodyArb(s);
      // A free-form record (flow actions): any JSON, keys that are plain data. (Keys such as
      // "__proto__" have their own test below.)
      return fc.dictionary(
        fc.string({ maxLength: 12 }).filter((k) => k !== "__proto__"),
        fc.jsonValue({ maxDepth: 2 }).filter((v) => !JSON.stringify(v).includes('"__proto__"')),
        { maxKeys: 4, size: "xsmall" },
      );
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function bodyArb(s: JsonSchema, overrides: Record<string, fc.Arbitrary<unknown>> = {}): fc.Arbitrary<Record<string, unknown>> {
  const props = s.properties ?? {};
  const model = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, valueArb(v, k, overrides)]));
  return fc.record(model, { requiredKeys: s.required ?? [] }) as fc.Arbitrary<Record<string, unknown>>;
}

// ---- Invalid values --------------------------------------------------------------------------

const typesOf = (s: JsonSchema): Set<string> => {
  const d = deref(s);
  if (d.anyOf) return new Set(d.anyOf.flatMap((b) => [...typesOf(b)]));
  return new Set(Array.isArray(d.type) ? d.type : d.type ? [d.type] : []);
};

/** A plain-string check of what a branch could accept: candidates it might accept are not "invalid". */
function mightAcceptString(s: JsonSchema, v: string): boolean {
  const d = deref(s);
  if (d.anyOf) return d.anyOf.some((b) => mightAcceptString(b, v));
  if (d.type !== "string") return false;
  if (d.enum) return d.enum.includes(v);
  if (d.maxLength !== undefined && cpLength(v) > d.maxLength) return false;
  if (d.minLength !== undefined && cpLength(v) < d.minLength) return false;
  if (d.pattern && !new RegExp(d.pattern).test(v)) return false;
  if (d.format === "email" && !v.includes("@")) return false;
  if (d.format === "uuid" && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)) return false;
  return true;
}

const nestedJunk: fc.Arbitrary<unknown> = fc
  .tuple(fc.integer({ min: 2, max: 400 }), fc.constantFrom("object", "array", "mixed"))
  .map(([depth, shape]) => {
    let v: unknown = "deep";
    for (let i = 0; i < depth; i++) v = shape === "array" || (shape === "mixed" && i % 2) ? [v] : { a: v, n: i };
    return v;
  });

function wrongTypeArb(s: JsonSchema): fc.Arbitrary<unknown> {
  const ok = typesOf(s);
  const options: fc.Arbitrary<unknown>[] = [];
  if (!ok.has("string")) options.push(fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom("true", "1", "16", "null", "[]")));
  if (!ok.has("number") && !ok.has("integer")) options.push(fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })));
  if (!ok.has("boolean")) options.push(fc.boolean());
  if (!ok.has("array")) options.push(fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }));
  if (!ok.has("object")) options.push(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }));
  return fc.oneof(...options);
}

/** Values that have the right JSON type but break a constraint of the schema. */
function violationArbs(schema: JsonSchema): fc.Arbitrary<unknown>[] {
  const s = deref(schema);
  const out: fc.Arbitrary<unknown>[] = [];
  const types = typesOf(s);
  if (types.has("string")) {
    // Strings breaking an enum, a pattern or a format (a plain text field has none to break).
    const branches = s.anyOf ? s.anyOf.map(deref) : [s];
    if (branches.every((b) => b.type === "string" && (b.enum || b.pattern || b.format))) {
      out.push(
        fc
          .oneof(
            fc.string({ maxLength: 40 }),
            fc.string({ unit: "binary", maxLength: 20 }),
            fc.stringMatching(/^[+0-9a-z@.-]{0,30}$/),
            fc.constantFrom(" ", "+", "+0123", "+1 555", "+١٢٣٤٥", "not an email", "a@", "00000000-0000-0000-0000-00000000000g", "POST ", "post", "Verified"),
          )
          .filter((v) => !mightAcceptString(s, v)),
      );
    }
    const max = s.anyOf ? Math.max(...s.anyOf.map((b) => deref(b).maxLength ?? 0)) : s.maxLength;
    if (max) {
      // Over the limit by a little or a lot, in 1-, 2- and 4-byte characters.
      out.push(fc.tuple(fc.integer({ min: 1, max: 300 }), fc.constantFrom("x", "é", "😀", "9")).map(([extra, ch]) => ch.repeat(max + extra)));
    }
    if (s.minLength) out.push(fc.constantFrom("", " ".repeat(Math.max(0, s.minLength - 1)), "x".repeat(s.minLength - 1)));
  }
  if (s.enum && s.type === "boolean") out.push(fc.constantFrom(...[true, false].filter((b) => !s.enum!.includes(b))));
  if (types.has("integer") || types.has("number")) {
    if (s.minimum !== undefined) out.push(fc.double({ max: s.minimum, maxExcluded: true, noNaN: true, noDefaultInfinity: true }).filter((n) => n < s.minimum!));
    if (s.maximum !== undefined) out.push(fc.double({ min: s.maximum, minExcluded: true, noNaN: true, noDefaultInfinity: true }).filter((n) => n > s.maximum!));
    if (types.has("integer")) out.push(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)), fc.constantFrom(2 ** 53, -(2 ** 53), 1e21)));
  }
  if (types.has("array")) {
    const item = s.items ? deref(s.items) : {};
    if (s.maxItems !== undefined) out.push(fc.array(schemaArb(item), { minLength: s.maxItems + 1, maxLength: s.maxItems + 5 }));
    // One bad item among good ones.
    out.push(
      fc
        .tuple(fc.array(schemaArb(item), { maxLength: 3 }), fc.oneof(fc.constant(null), wrongTypeArb(item), ...violationArbs(item)))
        .map(([good, bad]) => [...good, bad]),
    );
  }
  return out;
}

function invalidValueArb(s: JsonSchema, field: string): fc.Arbitrary<unknown> {
  const semantic = SEMANTIC_INVALID[field];
  // null is valid where the document allows it (it stands for the field's default).
  const nullArb = typesOf(s).has("null") ? [] : [fc.constant(null)];
  return fc.oneof(...nullArb, wrongTypeArb(s), nestedJunk, ...violationArbs(s), ...(semantic ? [semantic] : []));
}

// ---- Invalid requests ------------------------------------------------------------------------

interface BadRequest {
  kind: string;
  raw?: string;
  contentType?: string | null;
  expected: number;
}

const NOT_JSON_MEDIA_TYPES = [
  "text/plain",
  "text/plain;charset=UTF-8",
  "text/html",
  "text/json",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/xml",
  "application/jsonp",
  "application/json-seq",
  "*/*",
  "json",
  "",
];

const MALFORMED_JSON = [
  "{",
  "}",
  "{'a':1}",
  "{a:1}",
  '{"a":1,}',
  '{"a" 1}',
  "[1,]",
  "NaN",
  "undefined",
  '{"a":"\u0000"}',
  '{"a":"x\ny"}',
  '{"a":01}',
  '{"a":.5}',
  '{"a":+1}',
  '{"a":0x10}',
  '{"a":Infinity}',
  '{"a":"\\x41"}',
  '"unterminated',
  "",
];

const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** A JSON text whose object keys come out as own properties, "__proto__" included. */
const withField = (body: Record<string, unknown>, key: string, value: unknown) =>
  JSON.stringify(Object.fromEntries([...Object.entries(body).filter(([k]) => k !== key), [key, value]]));

const expectedFor = (raw: string) => (new TextEncoder().encode(raw).length > MAX_BODY_BYTES ? 413 : 400);

function badRequestArb(schema: JsonSchema, valid: fc.Arbitrary<Record<string, unknown>>, ignoresUnknown: boolean): fc.Arbitrary<BadRequest> {
  const props = schema.properties ?? {};
  const keys = Object.keys(props);
  const required = schema.required ?? [];
  const arbs: fc.Arbitrary<BadRequest>[] = [];

  if (keys.length) {
    arbs.push(
      fc
        .tuple(valid, fc.constantFrom(...keys).chain((k) => fc.tuple(fc.constant(k), invalidValueArb(props[k]!, k))))
        .map(([body, [key, value]]) => {
          const raw = withField(body, key, value);
          return { kind: `invalid ${key}`, raw, expected: expectedFor(raw) };
        }),
    );
  }
  if (required.length) {
    arbs.push(
      fc.tuple(valid, fc.constantFrom(...required)).map(([body, key]) => {
        const { [key]: _dropped, ...rest } = body;
        return { kind: `missing ${key}`, raw: JSON.stringify(rest), expected: 400 };
      }),
    );
  }
  const unknownKey = fc.oneof(
    fc.constantFrom("__proto__", "constructor", "prototype", "id", "customer_id", "status", "is_guest", "version", "tm_create", "password_hash", "webhook_secret", "token", "permission", "Name", "name "),
    fc.string({ minLength: 1, maxLength: 20 }),
  );
  // Routes that ignore unknown fields get them in the valid runs instead (X-Ignored-Fields).
  if (!ignoresUnknown) {
    arbs.push(
      fc
        .tuple(valid, unknownKey.filter((k) => !keys.includes(k)), fc.jsonValue({ maxDepth: 2 }))
        .map(([body, key, value]) => ({ kind: `extra field ${JSON.stringify(key)}`, raw: withField(body, key, value), expected: 400 })),
    );
  }
  arbs.push(
    fc
      .oneof(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }), fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null))
      .map((v) => ({ kind: "not an object", raw: JSON.stringify(v), expected: 400 })),
  );
  arbs.push(
    fc
      .oneof(
        fc.constantFrom(...MALFORMED_JSON),
        valid.chain((body) => {
          const text = JSON.stringify(body);
          return fc.integer({ min: 0, max: Math.max(0, text.length - 1) }).map((n) => text.slice(0, n));
        }),
        fc.string({ maxLength: 30 }),
      )
      .filter((raw) => !isJson(raw))
      .map((raw) => ({ kind: "malformed JSON", raw, expected: 400 })),
  );
  arbs.push(
    fc
      .tuple(valid, fc.constantFrom<string | null>(...NOT_JSON_MEDIA_TYPES, null))
      .map(([body, contentType]) => ({ kind: `Content-Type ${JSON.stringify(contentType)}`, raw: JSON.stringify(body), contentType, expected: 415 })),
  );
  arbs.push(
    fc
      .tuple(valid, fc.integer({ min: MAX_BODY_BYTES + 1, max: 4 * MAX_BODY_BYTES }), fc.constantFrom(keys[0] ?? "padding", "padding"))
      .map(([body, size, key]) => ({ kind: `huge body (${size} bytes)`, raw: withField(body, key, "x".repeat(size)), expected: 413 })),
  );
  return fc.oneof(...arbs);
}

// ---- Per-operation context -------------------------------------------------------------------

interface Ctx {
  token?: string;
  path: string;
  target?: Target;
  customer?: TestCustomer;
  /** Ids a config needs (a billing account, an agent, a verification customer…). */
  ids: Record<string, string>;
}

interface Expected {
  status: number;
  reason?: string;
}

interface OpConfig {
  setup(op: Operation): Promise<Ctx>;
  /** Field arbitraries for values whose validity depends on state. */
  valid?(ctx: Ctx): Record<string, fc.Arbitrary<unknown>>;
  /** Makes a generated body usable: unique emails and usernames, real tokens. */
  prepare?(body: Record<string, unknown>, ctx: Ctx): Promise<Record<string, unknown>> | Record<string, unknown>;
  /** The documented answer to a valid body; 200 unless said otherwise. */
  oracle?(body: Record<string, unknown>, ctx: Ctx): Expected;
  /** A fresh caller for each valid run, for routes that change the caller's own account. */
  perRun?(): Promise<Partial<Ctx>>;
  /** Where the stored state can be read back (GET), and the part of the answer to compare. */
  readback?(res: Sent, ctx: Ctx): { path: string; token?: string; shown: any } | null;
  /** Further checks of a success. */
  check?(body: Record<string, unknown>, res: Sent, ctx: Ctx): Promise<void>;
  /** false: the answer does not show the fields sent (login answers a token). */
  echo?: false;
  runs?: number;
}

let seq = 0;
const stamp = () => `${(++seq).toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`;

/** Keeps a generated email valid and makes it unique. */
function uniqueEmail(email: string): string {
  const at = email.lastIndexOf("@");
  const domain = email.slice(at + 1);
  let local = email.slice(0, at).slice(0, Math.max(1, 240 - domain.length)).replace(/\.+$/, "");
  if (!local) local = "u";
  return `${local}.s${stamp()}@${domain}`;
}

function uniqueEmails(body: Record<string, unknown>, ...fields: string[]) {
  const out = { ...body };
  for (const f of fields) if (typeof out[f] === "string" && out[f] !== "") out[f] = uniqueEmail(out[f] as string);
  return out;
}

const superAdmin = () => adminLogin();

const cache = new Map<string, Promise<Ctx>>();
const ctxOf = (op: Operation, config: OpConfig) => {
  if (!cache.has(op.key)) cache.set(op.key, config.setup(op));
  return cache.get(op.key)!;
};

async function ownCustomer(path: string): Promise<Ctx> {
  const customer = await createCustomer();
  return { token: customer.token, path, customer, target: { table: "customers", id: customer.id }, ids: {} };
}

/** A CustomerAgent (16) of a fresh customer, signed in: the caller of the service_agents/me routes. */
async function ownAgent(path: string): Promise<Ctx> {
  const customer = await createCustomer();
  const agent = await createAgent(customer.id, 16);
  const id = (await api("GET", "/v1.0/service_agents/me", { token: agent.token })).body.id as string;
  return { token: agent.token, path, customer, target: { table: "agents", id }, ids: { id, username: agent.username } };
}

/** A customer for the operator's routes, with a billing account of its own. */
async function operatorTarget(op: Operation): Promise<Ctx> {
  const customer = await createCustomer();
  const account = await createResource(customer.token, "billing_accounts");
  return {
    token: await superAdmin(),
    path: op.path.replace("{id}", customer.id),
    customer,
    target: { table: "customers", id: customer.id },
    ids: { billing: account.id },
  };
}

const selfReadback = (res: Sent, ctx: Ctx) => ({ path: "/v1.0/customer", token: ctx.token, shown: res.body });
const operatorReadback = (res: Sent, ctx: Ctx) => ({ path: `/v1.0/customers/${ctx.customer!.id}`, token: ctx.ids.admin, shown: res.body });

const CONFIGS: Record<string, OpConfig> = {
  "POST /auth/login": {
    async setup() {
      return { path: "/auth/login", customer: await createCustomer(), ids: {} };
    },
    valid: (ctx) => ({
      // Sometimes the real credentials (in any case, with spaces around the username).
      username: fc.oneof(
        textArb(1, 255),
        fc.tuple(fc.mixedCase(fc.constant(ctx.customer!.username)), fc.constantFrom("", " ", "\t")).map(([u, ws]) => `${ws}${u}${ws}`),
      ),
      password: fc.oneof(textArb(1, 1024), fc.constant(ctx.customer!.password)),
    }),
    oracle: (body, ctx) =>
      String(body.username).trim().toLowerCase() === ctx.customer!.username && body.password === ctx.customer!.password
        ? { status: 200 }
        : { status: 401, reason: "UNAUTHENTICATED" },
    echo: false,
    async check(_body, res, ctx) {
      expect(res.body.username).toBe(ctx.customer!.username);
      expect((await send("GET", "/v1.0/customer", { token: res.body.token })).body.id).toBe(ctx.customer!.id);
    },
  },

  "POST /auth/signup": {
    async setup() {
      return { path: "/auth/signup", ids: {} };
    },
    prepare: (body) => uniqueEmails(body, "email"),
    readback: (res) => ({ path: "/v1.0/customer", token: res.body.accesskey?.token, shown: res.body.customer }),
    async check(body, res) {
      // An empty {} would be the answer to a refused signup: a valid, unused email is never refused.
      expect(res.body.customer?.email).toBe(String(body.email).toLowerCase());
      expect(res.body.customer.status).toBe("initial");
      expect(res.body.accesskey.token).toMatch(/^vb_/);
    },
    runs: 10,
  },

  "POST /auth/email-verify": {
    async setup() {
      const customer = await createCustomer();
      return { path: "/auth/email-verify", customer, target: { table: "customers", id: customer.id }, ids: { admin: await superAdmin() } };
    },
    // "REAL" becomes a freshly minted token of the customer (the mail itself is not under test).
    valid: () => ({ token: fc.oneof(textArb(0, 128), fc.constantFrom("REAL", "REAL_UPPER")) }),
    async prepare(body, ctx) {
      if (body.token !== "REAL" && body.token !== "REAL_UPPER") return body;
      const bytes = crypto.getRandomValues(new Uint8Array(32));
      const token = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
      const hash = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token))), (b) => b.toString(16).padStart(2, "0")).join("");
      await env.DB.prepare("INSERT INTO email_verifications (token_hash, customer_id, email, tm_expire, tm_create) VALUES (?, ?, ?, ?, ?)")
        .bind(hash, ctx.customer!.id, ctx.customer!.email, Date.now() + 3_600_000, Date.now())
        .run();
      return { token: body.token === "REAL_UPPER" ? token.toUpperCase() : token, minted: true };
    },
    oracle: (body) => (body.minted ? { status: 200 } : { status: 400, reason: "INVALID_VERIFICATION_TOKEN" }),
    readback: (res, ctx) => ({ path: `/v1.0/customers/${ctx.customer!.id}`, token: ctx.ids.admin, shown: res.body.customer }),
    async check(_body, res, ctx) {
      expect(res.body.customer).toMatchObject({ id: ctx.customer!.id, email_verified: true, status: "active" });
    },
  },

  "POST /auth/password-forgot": {
    async setup() {
      return { path: "/auth/password-forgot", customer: await createCustomer(), ids: {} };
    },
    // Known or not, the same answer.
    valid: (ctx) => ({ username: fc.oneof(fc.constant(ctx.customer!.username), fc.stringMatching(/^[a-z0-9._@-]{1,60}$/)) }),
    echo: false,
    async check(_body, res) {
      expect(res.body).toEqual({});
    },
  },

  "POST /auth/password-reset": {
    async setup() {
      return { path: "/auth/password-reset", customer: await createCustomer(), ids: {} };
    },
    // "REAL" becomes a freshly minted reset token of the customer's admin agent.
    valid: () => ({ token: fc.oneof(fc.constant("REAL"), fc.stringMatching(/^[0-9a-f]{64}$/)) }),
    async prepare(body, ctx) {
      if (body.token !== "REAL") return body;
      const token = Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, "0")).join("");
      const hash = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token))), (b) => b.toString(16).padStart(2, "0")).join("");
      await env.DB.prepare(
        "INSERT INTO password_resets (token_hash, agent_id, customer_id, tm_expire, tm_create) SELECT ?, id, customer_id, ?, ? FROM agents WHERE customer_id = ? AND is_guest = 0",
      )
        .bind(hash, Date.now() + 3_600_000, Date.now(), ctx.customer!.id)
        .run();
      return { ...body, token, minted: true };
    },
    oracle: (body) => (body.minted ? { status: 200 } : { status: 400, reason: "INVALID_RESET_TOKEN" }),
    echo: false,
    async check(body, res, ctx) {
      expect(res.body).toEqual({});
      await login(ctx.customer!.username, String(body.password));
    },
  },

  "POST /auth/unregister": {
    async setup() {
      return ownCustomer("/auth/unregister");
    },
    // Each valid run unregisters (or deletes) its caller's account: a fresh customer per run.
    async perRun() {
      const customer = await createCustomer();
      return { token: customer.token, customer, target: { table: "customers", id: customer.id }, ids: { admin: await superAdmin() } };
    },
    valid: () => ({
      password: fc.oneof(fc.constant("correct-horse-battery"), textArb(0, 1024).filter((p) => p !== "correct-horse-battery")),
      confirmation_phrase: fc.oneof(fc.constant("DELETE"), textArb(0, 64)),
    }),
    oracle(body) {
      // A phrase, when sent, must be "DELETE"; an agent freezes with its password or the phrase,
      // and deletes immediately with both.
      if ((body.immediate || body.confirmation_phrase !== undefined) && body.confirmation_phrase !== "DELETE") return { status: 400, reason: "CONFIRMATION_PHRASE_MISMATCH" };
      if (body.password === undefined && (body.immediate || body.confirmation_phrase === undefined)) return { status: 400, reason: "PASSWORD_REQUIRED" };
      if (body.password === undefined) return { status: 200 };
      if (body.password !== "correct-horse-battery") return { status: 401, reason: "INVALID_PASSWORD" };
      return { status: 200 };
    },
    readback: (res, ctx) => ({ path: `/v1.0/customers/${ctx.customer!.id}`, token: ctx.ids.admin, shown: res.body }),
    async check(body, res) {
      expect(res.body.status).toBe(body.immediate ? "deleted" : "frozen");
    },
    runs: 12,
  },

  "PUT /v1.0/customer": {
    setup: () => ownCustomer("/v1.0/customer"),
    prepare: (body) => uniqueEmails(body, "email"),
    readback: selfReadback,
  },
  "PUT /v1.0/customer/metadata": {
    setup: () => ownCustomer("/v1.0/customer/metadata"),
    readback: selfReadback,
    async check(body, res) {
      // A missing rtp_debug means false.
      expect(res.body.metadata.rtp_debug).toBe(body.rtp_debug ?? false);
    },
  },
  "PUT /v1.0/customer/billing_account_id": {
    async setup() {
      const ctx = await ownCustomer("/v1.0/customer/billing_account_id");
      ctx.ids.billing = (await createResource(ctx.token!, "billing_accounts")).id;
      return ctx;
    },
    // Its own account (in any case) succeeds; any other id is a documented 404.
    valid: (ctx) => ({ billing_account_id: fc.oneof(fc.mixedCase(fc.constant(ctx.ids.billing!)), fc.uuid(), textArb(0, 64)) }),
    oracle: (body, ctx) => (String(body.billing_account_id).toLowerCase() === ctx.ids.billing ? { status: 200 } : { status: 404, reason: "NOT_FOUND" }),
    readback: selfReadback,
  },

  "POST /v1.0/customers": {
    async setup() {
      const token = await superAdmin();
      return { token, path: "/v1.0/customers", ids: { admin: token } };
    },
    valid: () => ({
      // Any text, but not text whose lower case is longer (see "documented string limits").
      username: textArb(1, 200).filter((u) => u.toLowerCase().length === u.length),
    }),
    prepare: (body) => ({ ...uniqueEmails(body, "email"), username: `${body.username}~${stamp()}` }),
    readback: (res, ctx) => ({ path: `/v1.0/customers/${res.body.id}`, token: ctx.ids.admin, shown: res.body }),
    async check(body, res) {
      expect(res.body.status).toBe("active");
      // Its first admin signs in with the username (trimmed, any case) and the password.
      const signedIn = await send("POST", "/auth/login", { raw: JSON.stringify({ username: String(body.username).toUpperCase(), password: body.password }) });
      if (String(body.username).toUpperCase().toLowerCase() === String(body.username).toLowerCase()) {
        expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
      }
    },
    runs: 10,
  },
  "PUT /v1.0/customers/{id}": {
    async setup(op) {
      const ctx = await operatorTarget(op);
      ctx.ids.admin = ctx.token!;
      return ctx;
    },
    prepare: (body) => uniqueEmails(body, "email"),
    readback: operatorReadback,
  },
  "PUT /v1.0/customers/{id}/metadata": {
    async setup(op) {
      const ctx = await operatorTarget(op);
      ctx.ids.admin = ctx.token!;
      return ctx;
    },
    readback: operatorReadback,
  },
  "PUT /v1.0/customers/{id}/billing_account_id": {
    async setup(op) {
      const ctx = await operatorTarget(op);
      ctx.ids.admin = ctx.token!;
      return ctx;
    },
    valid: (ctx) => ({ billing_account_id: fc.oneof(fc.mixedCase(fc.constant(ctx.ids.billing!)), fc.uuid(), textArb(0, 64)) }),
    oracle: (body, ctx) => (String(body.billing_account_id).toLowerCase() === ctx.ids.billing ? { status: 200 } : { status: 404, reason: "NOT_FOUND" }),
    readback: operatorReadback,
  },
  "PUT /v1.0/customers/{id}/identity_verification_status": {
    async setup(op) {
      const ctx = await operatorTarget(op);
      ctx.ids.admin = ctx.token!;
      return ctx;
    },
    readback: operatorReadback,
  },

  "POST /v1.0/accesskeys": {
    setup: () => ownCustomer("/v1.0/accesskeys"),
    readback: (res, ctx) => ({ path: `/v1.0/accesskeys/${res.body.id}`, token: ctx.token, shown: res.body }),
    async check(body, res) {
      const expire = (body.expire as number | undefined) ?? 365 * 24 * 3600;
      expect(Math.abs(Date.parse(res.body.tm_expire) - Date.parse(res.body.tm_create) - expire * 1000)).toBeLessThan(1000);
      // The key works at once.
      expect((await send("GET", "/v1.0/customer", { token: res.body.token })).status).toBe(200);
    },
  },
  "PUT /v1.0/accesskeys/{id}": {
    async setup(op) {
      const ctx = await ownCustomer("");
      const key = await api("POST", "/v1.0/accesskeys", { token: ctx.token, body: { name: "target" } });
      return { ...ctx, path: op.path.replace("{id}", key.body.id), target: { table: "accesskeys", id: key.body.id } };
    },
    readback: (res, ctx) => ({ path: `/v1.0/accesskeys/${res.body.id}`, token: ctx.token, shown: res.body }),
  },
  // The logged-in agent's own record: a plain CustomerAgent changes itself.
  ...Object.fromEntries(
    ["", "/addresses", "/status"].map((suffix) => [
      `PUT /v1.0/service_agents/me${suffix}`,
      { setup: () => ownAgent(`/v1.0/service_agents/me${suffix}`), readback: (res: Sent, ctx: Ctx) => ({ path: "/v1.0/service_agents/me", token: ctx.token, shown: res.body }) },
    ]),
  ),
  "PUT /v1.0/service_agents/me/password": {
    setup: () => ownAgent("/v1.0/service_agents/me/password"),
    // Each valid run revokes the caller's tokens: a fresh agent for each.
    perRun: () => ownAgent("/v1.0/service_agents/me/password"),
    echo: false,
    async check(body, res, ctx) {
      expect(res.body.id).toBe(ctx.ids.id);
      expect(await login(ctx.ids.username!, body.password as string)).toBeTypeOf("string");
    },
    runs: 8,
  },
  "PUT /v1.0/agents/{id}/password": {
    async setup(op) {
      const ctx = await ownCustomer("");
      const body = validBody("agents");
      const agent = await createResource(ctx.token!, "agents", body);
      return { ...ctx, path: op.path.replace("{id}", agent.id), target: { table: "agents", id: agent.id }, ids: { username: body.username as string } };
    },
    readback: (res, ctx) => ({ path: `/v1.0/agents/${res.body.id}`, token: ctx.token, shown: res.body }),
    async check(body, _res, ctx) {
      // The new password is the one that works.
      expect(await login(ctx.ids.username!, body.password as string)).toBeTypeOf("string");
    },
    runs: 8,
  },
};

/** The contract's path names of two kinds. */
const ALIASES: Record<string, ResourceKind> = { transcribes: "transcriptions", storage_files: "files" };
const kindOfSegment = (segment: string | undefined) => (segment ? (ALIASES[segment] ?? (kinds.includes(segment as ResourceKind) ? (segment as ResourceKind) : undefined)) : undefined);

/** A resource of its own for each PUT/POST on one: its id in the path. */
async function ownResource(kind: ResourceKind, path: string, body?: Record<string, unknown>): Promise<Ctx> {
  const ctx = await ownCustomer("");
  const row = await createResource(ctx.token!, kind, body ?? validBody(kind));
  return { ...ctx, path: path.replace("{id}", row.id), target: { table: kind, id: row.id }, ids: { id: row.id } };
}

/** The routes on one resource's parts: setters, contact items, the operator's balance changes. */
function subResourceConfig(op: Operation): OpConfig | undefined {
  const m = /^\/v1\.0\/(\w+)\/\{id\}\/(\w+)(\/\{(\w+)\})?$/.exec(op.path);
  const kind = kindOfSegment(m?.[1]);
  if (!m || !kind || m[2] === "password") return undefined;
  const readback = (_res: Sent, ctx: Ctx) => ({ path: `/v1.0/${kind}/${ctx.ids.id}`, token: ctx.token, shown: _res.body });
  if (m[2] === "balance_add_force" || m[2] === "balance_subtract_force") {
    return {
      async setup() {
        const ctx = await ownResource(kind, op.path);
        return { ...ctx, token: await superAdmin(), ids: { ...ctx.ids, owner: ctx.token! } };
      },
      // The answer is the new balance, not the amount sent.
      echo: false,
      readback: (res, ctx) => ({ path: `/v1.0/${kind}/${ctx.ids.id}`, token: ctx.ids.owner, shown: res.body }),
    };
  }
  if (kind === "contacts" && m[2] === "addresses" && m[4]) {
    return {
      async setup() {
        const ctx = await ownResource(kind, op.path, { ...validBody("contacts"), addresses: [{ type: "tel", target: "+15550001111" }] });
        const contact = (await api("GET", `/v1.0/contacts/${ctx.ids.id}`, { token: ctx.token })).body;
        return { ...ctx, path: ctx.path.replace("{address_id}", contact.addresses[0].id) };
      },
      echo: false,
      readback,
    };
  }
  return { setup: () => ownResource(kind, op.path), echo: kind === "contacts" ? false : undefined, readback, runs: kind === "agents" ? 10 : VALID_RUNS };
}

function resourceConfig(op: Operation): OpConfig | undefined {
  const create = /^\/v1\.0\/(\w+)$/.exec(op.path);
  const update = /^\/v1\.0\/(\w+)\/\{id\}$/.exec(op.path);
  const kind = kindOfSegment((create ?? update)?.[1]);
  if (!kind) return subResourceConfig(op);
  const readback = (res: Sent, ctx: Ctx) => ({ path: `/v1.0/${kind}/${res.body.id}`, token: ctx.token, shown: res.body });
  if (op.method === "POST" && create) {
    return {
      setup: () => ownCustomer(op.path),
      valid: (): Record<string, fc.Arbitrary<unknown>> =>
        kind === "numbers"
          ? // Virtual numbers (+899…) are for everyone; any other E.164 number needs a verified identity.
            { number: fc.oneof(fc.stringMatching(/^\+899\d{0,5}$/), fc.stringMatching(/^\+[1-9]\d{1,14}$/)) }
          : {},
      prepare(body) {
        if (kind === "agents") return uniqueEmails(body, "username");
        if (kind === "extensions") return { ...body, extension: `${String(body.extension).slice(0, 20)}.${stamp()}` };
        if (kind === "numbers" && String(body.number).startsWith("+899")) {
          return { ...body, number: `+899${String(seq++ % 1e7).padStart(7, "0")}${String(body.number).slice(4, 9)}` };
        }
        return body;
      },
      oracle: (body) =>
        kind === "numbers" && !String(body.number).startsWith("+899") ? { status: 403, reason: "IDENTITY_VERIFICATION_REQUIRED" } : { status: 200 },
      readback,
      runs: kind === "agents" || kind === "extensions" ? 10 : VALID_RUNS,
    };
  }
  if (op.method === "PUT" && update) {
    return {
      async setup() {
        const ctx = await ownCustomer("");
        const row = await createResource(ctx.token!, kind);
        return { ...ctx, path: op.path.replace("{id}", row.id), target: { table: kind, id: row.id } };
      },
      readback,
      runs: kind === "extensions" ? 10 : VALID_RUNS,
    };
  }
  return undefined;
}

const configOf = (op: Operation) => CONFIGS[op.key] ?? resourceConfig(op);

// ---- The outside world -----------------------------------------------------------------------

beforeAll(() => {
  // Webhook receivers answer 200 and DNS names resolve to a public address; verification mails
  // (no EMAIL binding) are not printed.
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname === "cloudflare-dns.com") {
      const type = url.searchParams.get("type") === "AAAA" ? 28 : 1;
      return Response.json({ Status: 0, Answer: [{ type, data: type === 1 ? "93.184.216.34" : "2606:4700::1111" }] });
    }
    return new Response("ok");
  });
  vi.spyOn(console, "log").mockImplementation(() => undefined);
});
afterAll(async () => {
  // Let the webhook queue deliver what the valid runs produced while fetch is still mocked.
  await vi.waitFor(
    async () => {
      const pending = await env.DB.prepare("SELECT count(*) AS n FROM customer_events WHERE delivery_status = 'pending'").first<{ n: number }>();
      expect(pending!.n).toBe(0);
    },
    { timeout: 20_000, interval: 200 },
  );
  vi.restoreAllMocks();
}, 30_000);

// ---- The tests -------------------------------------------------------------------------------

describe("the OpenAPI document", () => {
  it("lists the operations with a request body, all JSON, each with a test configuration", () => {
    expect(operations.length).toBeGreaterThanOrEqual(30);
    const missing = operations.filter((op) => !configOf(op)).map((op) => op.key);
    expect(missing, "operations with no configuration in property.test.ts").toEqual([]);
    const nonJson = allOperations.filter((op) => op.mediaTypes.join() !== "application/json").map((op) => op.key);
    expect(nonJson, "only the multipart upload takes a body other than JSON").toEqual(Object.keys(NON_JSON_OPERATIONS));
    for (const op of operations) {
      expect(op.mediaTypes, op.key).toEqual(["application/json"]);
      expect(op.schema.type, op.key).toBe("object");
      // Either unknown fields are refused, or (as the platform does) ignored and named in a header.
      if (!op.ignoresUnknown) expect(op.schema.additionalProperties, `${op.key} refuses unknown fields`).toBe(false);
    }
  });
});

// Invalid bodies first: until the valid runs set webhook addresses, nothing works in the
// background, so the row counts before and after a request are comparable.
describe("invalid bodies: a 4xx in the error envelope, never a 5xx, and D1 unchanged", () => {
  it.each(operations.filter((op) => configOf(op)).map((op) => [op.key, op] as const))(
    "%s",
    async (_key, op) => {
      const config = configOf(op)!;
      const ctx = await ctxOf(op, config);
      const valid = bodyArb(op.schema, config.valid?.(ctx) ?? {});
      await check(
        fc.asyncProperty(badRequestArb(op.schema, valid, op.ignoresUnknown), async (bad) => {
          const before = await snapshot(ctx.target);
          const res = await send(op.method, ctx.path, { token: ctx.token, raw: bad.raw, contentType: bad.contentType });
          expectEnvelope(res, bad.expected, `${op.key} with ${bad.kind}`);
          expect(await snapshot(ctx.target), `${op.key} with ${bad.kind} changed D1`).toEqual(before);
        }),
        { numRuns: INVALID_RUNS, seed: seedOf(`invalid ${op.key}`) },
      );
    },
    TEST_TIMEOUT,
  );
});

const VALID_MEDIA_TYPES = ["application/json", "application/json; charset=utf-8", "Application/JSON"];
const VOLATILE = new Set(["token"]);
const LOWERCASED = new Set(["email", "username", "billing_account_id"]);

/** Every field sent that the answer shows must come back as sent (identities in lower case). */
function expectEcho(sent: Record<string, unknown>, shown: Record<string, unknown>, context: string, schema: JsonSchema) {
  const asSent = JSON.parse(JSON.stringify(sent)) as Record<string, unknown>;
  for (const [key, value] of Object.entries(asSent)) {
    if (!(key in shown) || key === "password") continue;
    // null, and the platform's zero values ("" ids, permission 0), stand for the field's default.
    const prop = schema.properties?.[key];
    if (prop && typesOf(prop).has("null") && (value === null || value === "" || value === 0)) continue;
    // Values the document lists as standing for "unset" (vn's "ringall" routing method).
    if ((prop as { "x-unset-values"?: unknown[] } | undefined)?.["x-unset-values"]?.includes(value)) continue;
    // A trunk's username is its SIP user name, kept as sent; elsewhere usernames are identities.
    const lower = LOWERCASED.has(key) && typeof value === "string" && !/^\w+ \/v1\.0\/trunks/.test(context);
    // Items the service completes (a contact's addresses get ids): what was sent is kept, item by item.
    if (Array.isArray(value) && value.every((v) => v && typeof v === "object" && !Array.isArray(v)) && Array.isArray(shown[key])) {
      expect(shown[key], `${context}: ${key}`).toMatchObject(value);
      continue;
    }
    expect(shown[key], `${context}: ${key}`).toEqual(lower ? value.toLowerCase() : value);
  }
}

describe("valid bodies: the documented success, echoed and stored as sent", () => {
  it.each(operations.filter((op) => configOf(op)).map((op) => [op.key, op] as const))(
    "%s",
    async (_key, op) => {
      const config = configOf(op)!;
      const shared = await ctxOf(op, config);
      const body = bodyArb(op.schema, config.valid?.(shared) ?? {});
      await check(
        fc.asyncProperty(body, fc.constantFrom(...VALID_MEDIA_TYPES), fc.option(fc.stringMatching(/^[a-z_]{1,12}$/), { nil: undefined }), async (generated, contentType, extra) => {
          const ctx: Ctx = config.perRun ? { ...shared, ...(await config.perRun()) } : shared;
          const prepared = (await config.prepare?.(generated, ctx)) ?? generated;
          const { minted: _minted, ...sent } = prepared;
          const expected = config.oracle?.(prepared, ctx) ?? { status: 200 };
          const context = `${op.key} with ${JSON.stringify(sent).slice(0, 300)}`;
          // An unknown field rides along where the route ignores them: it must be named, not applied.
          const unknownKey = op.ignoresUnknown && extra !== undefined ? `zz_${extra}` : undefined;
          const raw = unknownKey ? JSON.stringify({ ...sent, [unknownKey]: "ignored" }) : JSON.stringify(sent);
          const res = await send(op.method, ctx.path, { token: ctx.token, raw, contentType });
          if (unknownKey && res.status === 200) {
            expect(res.headers.get("X-Ignored-Fields")?.split(","), context).toContain(unknownKey);
            expect(res.body, context).not.toHaveProperty(unknownKey);
          }
          if (expected.status !== 200) {
            expectEnvelope(res, expected.status, context);
            if (expected.reason) expect(res.body.error.reason, context).toBe(expected.reason);
            return;
          }
          expect(res.status, `${context}: ${JSON.stringify(res.body)?.slice(0, 500)}`).toBe(200);
          const back = config.readback?.(res, ctx);
          if (config.echo !== false) expectEcho(sent, back?.shown ?? res.body, context, op.schema);
          if (back) {
            // What the write answered is what is stored.
            const read = await send("GET", back.path, { token: back.token });
            expect(read.status, context).toBe(200);
            const shown = Object.fromEntries(Object.entries(back.shown).filter(([k]) => !VOLATILE.has(k)));
            expect(Object.fromEntries(Object.keys(shown).map((k) => [k, read.body[k]])), `${context}: read back`).toEqual(shown);
          }
          await config.check?.(sent, res, ctx);
        }),
        { numRuns: config.runs ?? VALID_RUNS, seed: seedOf(`valid ${op.key}`) },
      );
    },
    TEST_TIMEOUT,
  );
});

// ---- Edge cases the generators above keep out, so that each shows up as its own failure ------

describe("edge cases", () => {
  const anyOp = (key: string) => operations.find((op) => op.key === key)!;

  it("any legal spelling of application/json reaches validation: never a 5xx", async () => {
    // Media types are case-insensitive and may have whitespace around ";" (RFC 9110 §5.6.6).
    const spelling = fc
      .tuple(fc.mixedCase(fc.constant("application/json")), fc.constantFrom("", " ", "\t", "  "), fc.constantFrom("", " ", "\t"), fc.mixedCase(fc.constant("charset=utf-8")))
      .map(([type, before, after, param]) => `${type}${before};${after}${param}`);
    const ops = operations.filter((op) => configOf(op) && !op.ignoresUnknown);
    await check(
      fc.asyncProperty(fc.constantFrom(...ops), spelling, async (op, contentType) => {
        const ctx = await ctxOf(op, configOf(op)!);
        const res = await send(op.method, ctx.path, { token: ctx.token, raw: JSON.stringify({ "unknown field": 1 }), contentType });
        expectEnvelope(res, 400, `${op.key} with Content-Type ${JSON.stringify(contentType)}`);
      }),
      { numRuns: 40, seed: seedOf("media types") },
    );
  });

  it("any Unicode text, lone surrogates included: what a write answers is what is stored (or it is refused)", async () => {
    const op = anyOp("PUT /v1.0/customer");
    const ctx = await ctxOf(op, configOf(op)!);
    const loneSurrogates = fc.constantFrom("\ud800", "\udbff", "\udc00", "\udfff", "a\ud83d", "\ude00b");
    const text = fc.string({ unit: fc.oneof(fc.string({ unit: "binary", minLength: 1, maxLength: 1 }), loneSurrogates), minLength: 1, maxLength: 30 });
    await check(
      fc.asyncProperty(text, async (name) => {
        const res = await send("PUT", ctx.path, { token: ctx.token, raw: JSON.stringify({ name }) });
        expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
        if (res.status !== 200) return expectEnvelope(res, 400, `name ${JSON.stringify(name)}`);
        const stored = (await send("GET", "/v1.0/customer", { token: ctx.token })).body.name;
        expect(stored, `stored name for ${JSON.stringify(name)} (answered ${JSON.stringify(res.body.name)})`).toBe(res.body.name);
      }),
      { numRuns: 30, seed: seedOf("lone surrogates") },
    );
  });

  it("the keys of free-form JSON are data: a flow's actions are stored exactly as sent (or refused)", async () => {
    const op = anyOp("POST /v1.0/flows");
    const ctx = await ctxOf(op, configOf(op)!);
    const key = fc.oneof(fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"), fc.string({ maxLength: 8 }));
    const action = fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 4 });
    await check(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 4 }), async (actions) => {
        const raw = JSON.stringify({ type: "flow", actions });
        const res = await send("POST", ctx.path, { token: ctx.token, raw });
        // Refusing such keys would be fine; accepting them and dropping them is not.
        if (res.status === 400) return expectEnvelope(res, 400, `actions sent as ${raw}`);
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(JSON.stringify(res.body.actions), `actions sent as ${raw}`).toBe(JSON.stringify(JSON.parse(raw).actions));
        const stored = (await send("GET", `/v1.0/flows/${res.body.id}`, { token: ctx.token })).body.actions;
        expect(JSON.stringify(stored), `stored actions for ${raw}`).toBe(JSON.stringify(JSON.parse(raw).actions));
      }),
      { numRuns: 30, seed: seedOf("proto keys") },
    );
  });

  it("documented string limits hold for non-ASCII text", async () => {
    const admin = await superAdmin();
    const problems: string[] = [];
    // maxLength counts characters (code points): 200 emoji are 200 characters.
    const own = await ctxOf(anyOp("PUT /v1.0/customer"), configOf(anyOp("PUT /v1.0/customer"))!);
    const emoji = await api("PUT", "/v1.0/customer", { token: own.token, body: { name: "😀".repeat(200) } });
    if (emoji.status !== 200) problems.push(`name of 200 emoji (maxLength 255): ${emoji.status} ${JSON.stringify(emoji.body.error?.details)}`);
    // A username of 200 characters is within maxLength 255, whatever its lower case looks like.
    const username = `${"İ".repeat(200)}${stamp()}`;
    const created = await api("POST", "/v1.0/customers", { token: admin, body: { username, password: "long-enough-password" } });
    if (created.status !== 200) problems.push(`username of ${username.length} characters (maxLength 255): ${created.status} ${JSON.stringify(created.body.error?.details)}`);
    expect(problems).toEqual([]);
  });
});
