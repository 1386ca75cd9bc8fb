import fc from "fast-check";
import { deref, type JsonSchema } from "./document";

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
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, literally
  "${x}",
  "../",
];

/** Length as JSON Schema (and the service) count it: in code points. */
export const cpLength = (s: string) => [...s].length;

/**
 * Text of `min` to `max` code points: ASCII, graphemes of every script, raw code points
 * (controls, NUL, noncharacters) and a list of classic troublemakers. Well-formed Unicode only:
 * lone surrogates have their own test below.
 */
export function textArb(min = 0, max = 255): fc.Arbitrary<string> {
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
        fc
          .tuple(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,15}$/), fc.constantFrom("com", "net", "org", "io"))
          .map(([a, b]) => `${a}.${b}`),
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
export const SEMANTIC_INVALID: Record<string, fc.Arbitrary<unknown>> = {
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

function valueArb(
  s: JsonSchema,
  field: string,
  overrides: Record<string, fc.Arbitrary<unknown>>,
): fc.Arbitrary<unknown> {
  const own = overrides[field] ?? SEMANTIC_VALID[field];
  if (own) return own;
  return schemaArb(s);
}

export function schemaArb(schema: JsonSchema): fc.Arbitrary<unknown> {
  const s = deref(schema);
  if (s.anyOf) return fc.oneof(...s.anyOf.map(schemaArb));
  if (Array.isArray(s.type)) return fc.oneof(...s.type.map((type) => schemaArb({ ...s, type })));
  if (s.enum) return fc.constantFrom(...s.enum);
  switch (s.type) {
    case "string": {
      const max = s.maxLength ?? 255;
      if (s.format === "email") return emailArb.filter((e) => e.length <= max);
      if (s.format === "uuid")
        return fc.oneof(
          fc.uuid(),
          fc.uuid().map((u) => u.toUpperCase()),
        );
      if (s.pattern)
        return fc
          .stringMatching(new RegExp(s.pattern))
          .filter((v) => cpLength(v) <= max && cpLength(v) >= (s.minLength ?? 0));
      return textArb(s.minLength ?? 0, max);
    }
    case "integer": {
      const min = s.minimum ?? Number.MIN_SAFE_INTEGER;
      const max = s.maximum ?? Number.MAX_SAFE_INTEGER;
      const bounded = fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1) });
      if (s.minimum === undefined && s.maximum === undefined) return fc.oneof(bounded, fc.maxSafeInteger());
      if (s.maximum === undefined)
        return fc.oneof(
          bounded,
          fc.constant(min),
          fc.maxSafeNat().map((n) => Math.min(Number.MAX_SAFE_INTEGER, n + Math.max(0, min))),
        );
      return fc.oneof(bounded, fc.constantFrom(min, max));
    }
    case "number":
      return fc.oneof(
        fc
          .double({ min: s.minimum ?? -1e15, max: s.maximum ?? 1e15, noNaN: true, noDefaultInfinity: true })
          .map((n) => (Object.is(n, -0) ? 0 : n)),
        fc.constantFrom(...[s.minimum, s.maximum].filter((n): n is number => n !== undefined)),
      );
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array": {
      const item = schemaArb(s.items ?? {});
      const max = s.maxItems ?? 10;
      return fc.oneof(
        { arbitrary: fc.array(item, { maxLength: max, size: "small" }), weight: 4 },
        { arbitrary: fc.array(item, { minLength: max, maxLength: max }), weight: 1 },
      );
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

export function bodyArb(
  s: JsonSchema,
  overrides: Record<string, fc.Arbitrary<unknown>> = {},
): fc.Arbitrary<Record<string, unknown>> {
  const props = s.properties ?? {};
  const model = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, valueArb(v, k, overrides)]));
  return fc.record(model, { requiredKeys: s.required ?? [] }) as fc.Arbitrary<Record<string, unknown>>;
}
