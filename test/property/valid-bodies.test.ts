import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bodyArb } from "./arbitraries";
import { type Ctx, ctxOf } from "./context";
import { check, expectEnvelope, type JsonSchema, operations, seedOf, send, TEST_TIMEOUT, VALID_RUNS } from "./document";
import { typesOf } from "./invalid";
import { configOf } from "./operations";
import { mockOutsideWorld } from "./world";

// Property tests driven by the OpenAPI document (test/property/document.ts says how they work).

mockOutsideWorld();

const VALID_MEDIA_TYPES = ["application/json", "application/json; charset=utf-8", "Application/JSON"];
const VOLATILE = new Set(["token"]);
const LOWERCASED = new Set(["email", "username", "billing_account_id"]);

/** Every field sent that the answer shows must come back as sent (identities in lower case). */
function expectEcho(
  sent: Record<string, unknown>,
  shown: Record<string, unknown>,
  context: string,
  schema: JsonSchema,
) {
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
    if (
      Array.isArray(value) &&
      value.every((v) => v && typeof v === "object" && !Array.isArray(v)) &&
      Array.isArray(shown[key])
    ) {
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
        fc.asyncProperty(
          body,
          fc.constantFrom(...VALID_MEDIA_TYPES),
          fc.option(fc.stringMatching(/^[a-z_]{1,12}$/), { nil: undefined }),
          async (generated, contentType, extra) => {
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
              expect(
                Object.fromEntries(Object.keys(shown).map((k) => [k, read.body[k]])),
                `${context}: read back`,
              ).toEqual(shown);
            }
            await config.check?.(sent, res, ctx);
          },
        ),
        { numRuns: config.runs ?? VALID_RUNS, seed: seedOf(`valid ${op.key}`) },
      );
    },
    TEST_TIMEOUT,
  );
});
