import fc from "fast-check";
import { cpLength, schemaArb, SEMANTIC_INVALID } from "./arbitraries";
import { deref, type JsonSchema, MAX_BODY_BYTES } from "./document";

// ---- Invalid values --------------------------------------------------------------------------

export const typesOf = (s: JsonSchema): Set<string> => {
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
  if (!ok.has("string"))
    options.push(fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom("true", "1", "16", "null", "[]")));
  if (!ok.has("number") && !ok.has("integer"))
    options.push(fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })));
  if (!ok.has("boolean")) options.push(fc.boolean());
  if (!ok.has("array")) options.push(fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }));
  if (!ok.has("object"))
    options.push(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }));
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
            fc.constantFrom(
              " ",
              "+",
              "+0123",
              "+1 555",
              "+١٢٣٤٥",
              "not an email",
              "a@",
              "00000000-0000-0000-0000-00000000000g",
              "POST ",
              "post",
              "Verified",
            ),
          )
          .filter((v) => !mightAcceptString(s, v)),
      );
    }
    const max = s.anyOf ? Math.max(...s.anyOf.map((b) => deref(b).maxLength ?? 0)) : s.maxLength;
    if (max) {
      // Over the limit by a little or a lot, in 1-, 2- and 4-byte characters.
      out.push(
        fc
          .tuple(fc.integer({ min: 1, max: 300 }), fc.constantFrom("x", "é", "😀", "9"))
          .map(([extra, ch]) => ch.repeat(max + extra)),
      );
    }
    if (s.minLength)
      out.push(fc.constantFrom("", " ".repeat(Math.max(0, s.minLength - 1)), "x".repeat(s.minLength - 1)));
  }
  if (s.enum && s.type === "boolean") out.push(fc.constantFrom(...[true, false].filter((b) => !s.enum!.includes(b))));
  if (types.has("integer") || types.has("number")) {
    if (s.minimum !== undefined)
      out.push(
        fc
          .double({ max: s.minimum, maxExcluded: true, noNaN: true, noDefaultInfinity: true })
          .filter((n) => n < s.minimum!),
      );
    if (s.maximum !== undefined)
      out.push(
        fc
          .double({ min: s.maximum, minExcluded: true, noNaN: true, noDefaultInfinity: true })
          .filter((n) => n > s.maximum!),
      );
    if (types.has("integer"))
      out.push(
        fc.oneof(
          fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
          fc.constantFrom(2 ** 53, -(2 ** 53), 1e21),
        ),
      );
  }
  if (types.has("array")) {
    const item = s.items ? deref(s.items) : {};
    if (s.maxItems !== undefined)
      out.push(fc.array(schemaArb(item), { minLength: s.maxItems + 1, maxLength: s.maxItems + 5 }));
    // One bad item among good ones.
    out.push(
      fc
        .tuple(
          fc.array(schemaArb(item), { maxLength: 3 }),
          fc.oneof(fc.constant(null), wrongTypeArb(item), ...violationArbs(item)),
        )
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

export interface BadRequest {
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

export function badRequestArb(
  schema: JsonSchema,
  valid: fc.Arbitrary<Record<string, unknown>>,
  ignoresUnknown: boolean,
): fc.Arbitrary<BadRequest> {
  const props = schema.properties ?? {};
  const keys = Object.keys(props);
  const required = schema.required ?? [];
  const arbs: fc.Arbitrary<BadRequest>[] = [];

  if (keys.length) {
    arbs.push(
      fc
        .tuple(
          valid,
          fc.constantFrom(...keys).chain((k) => fc.tuple(fc.constant(k), invalidValueArb(props[k]!, k))),
        )
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
    fc.constantFrom(
      "__proto__",
      "constructor",
      "prototype",
      "id",
      "customer_id",
      "status",
      "is_guest",
      "version",
      "tm_create",
      "password_hash",
      "webhook_secret",
      "token",
      "permission",
      "Name",
      "name ",
    ),
    fc.string({ minLength: 1, maxLength: 20 }),
  );
  // Routes that ignore unknown fields get them in the valid runs instead (X-Ignored-Fields).
  if (!ignoresUnknown) {
    arbs.push(
      fc
        .tuple(
          valid,
          unknownKey.filter((k) => !keys.includes(k)),
          fc.jsonValue({ maxDepth: 2 }),
        )
        .map(([body, key, value]) => ({
          kind: `extra field ${JSON.stringify(key)}`,
          raw: withField(body, key, value),
          expected: 400,
        })),
    );
  }
  arbs.push(
    fc
      .oneof(
        fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
        fc.string(),
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
      )
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
    fc.tuple(valid, fc.constantFrom<string | null>(...NOT_JSON_MEDIA_TYPES, null)).map(([body, contentType]) => ({
      kind: `Content-Type ${JSON.stringify(contentType)}`,
      raw: JSON.stringify(body),
      contentType,
      expected: 415,
    })),
  );
  arbs.push(
    fc
      .tuple(
        valid,
        fc.integer({ min: MAX_BODY_BYTES + 1, max: 4 * MAX_BODY_BYTES }),
        fc.constantFrom(keys[0] ?? "padding", "padding"),
      )
      .map(([body, size, key]) => ({
        kind: `huge body (${size} bytes)`,
        raw: withField(body, key, "x".repeat(size)),
        expected: 413,
      })),
  );
  return fc.oneof(...arbs);
}
