import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ctxOf } from "./context";
import { check, expectEnvelope, INVALID_RUNS, operations, seedOf, send, snapshot, TEST_TIMEOUT } from "./document";
import { bodyArb } from "./arbitraries";
import { badRequestArb } from "./invalid";
import { configOf } from "./operations";
import { mockOutsideWorld } from "./world";

// Property tests driven by the OpenAPI document (test/property/document.ts says how they work).

mockOutsideWorld();

// This file has storage of its own and sends no valid body: nothing works in the background, so
// the row counts before and after a request are comparable.
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
