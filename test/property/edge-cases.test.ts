import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { api } from "../helpers";
import { ctxOf, superAdmin } from "./context";
import { check, expectEnvelope, operations, seedOf, send } from "./document";
import { configOf, stamp } from "./operations";
import { mockOutsideWorld } from "./world";

// Property tests driven by the OpenAPI document (test/property/document.ts says how they work).

mockOutsideWorld();

// ---- Edge cases the generators above keep out, so that each shows up as its own failure ------

describe("edge cases", () => {
  const anyOp = (key: string) => operations.find((op) => op.key === key)!;

  it("any legal spelling of application/json reaches validation: never a 5xx", async () => {
    // Media types are case-insensitive and may have whitespace around ";" (RFC 9110 §5.6.6).
    const spelling = fc
      .tuple(
        fc.mixedCase(fc.constant("application/json")),
        fc.constantFrom("", " ", "\t", "  "),
        fc.constantFrom("", " ", "\t"),
        fc.mixedCase(fc.constant("charset=utf-8")),
      )
      .map(([type, before, after, param]) => `${type}${before};${after}${param}`);
    const ops = operations.filter((op) => configOf(op) && !op.ignoresUnknown);
    await check(
      fc.asyncProperty(fc.constantFrom(...ops), spelling, async (op, contentType) => {
        const ctx = await ctxOf(op, configOf(op)!);
        const res = await send(op.method, ctx.path, {
          token: ctx.token,
          raw: JSON.stringify({ "unknown field": 1 }),
          contentType,
        });
        expectEnvelope(res, 400, `${op.key} with Content-Type ${JSON.stringify(contentType)}`);
      }),
      { numRuns: 40, seed: seedOf("media types") },
    );
  });

  it("any Unicode text, lone surrogates included: what a write answers is what is stored (or it is refused)", async () => {
    const op = anyOp("PUT /v1.0/customer");
    const ctx = await ctxOf(op, configOf(op)!);
    const loneSurrogates = fc.constantFrom("\ud800", "\udbff", "\udc00", "\udfff", "a\ud83d", "\ude00b");
    const text = fc.string({
      unit: fc.oneof(fc.string({ unit: "binary", minLength: 1, maxLength: 1 }), loneSurrogates),
      minLength: 1,
      maxLength: 30,
    });
    await check(
      fc.asyncProperty(text, async (name) => {
        const res = await send("PUT", ctx.path, { token: ctx.token, raw: JSON.stringify({ name }) });
        expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
        if (res.status !== 200) return expectEnvelope(res, 400, `name ${JSON.stringify(name)}`);
        const stored = (await send("GET", "/v1.0/customer", { token: ctx.token })).body.name;
        expect(stored, `stored name for ${JSON.stringify(name)} (answered ${JSON.stringify(res.body.name)})`).toBe(
          res.body.name,
        );
      }),
      { numRuns: 30, seed: seedOf("lone surrogates") },
    );
  });

  it("the keys of free-form JSON are data: a flow's actions are stored exactly as sent (or refused)", async () => {
    const op = anyOp("POST /v1.0/flows");
    const ctx = await ctxOf(op, configOf(op)!);
    const key = fc.oneof(
      fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"),
      fc.string({ maxLength: 8 }),
    );
    const action = fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 4 });
    await check(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 4 }), async (actions) => {
        const raw = JSON.stringify({ type: "flow", actions });
        const res = await send("POST", ctx.path, { token: ctx.token, raw });
        // Refusing such keys would be fine; accepting them and dropping them is not.
        if (res.status === 400) return expectEnvelope(res, 400, `actions sent as ${raw}`);
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(JSON.stringify(res.body.actions), `actions sent as ${raw}`).toBe(
          JSON.stringify(JSON.parse(raw).actions),
        );
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
    if (emoji.status !== 200)
      problems.push(`name of 200 emoji (maxLength 255): ${emoji.status} ${JSON.stringify(emoji.body.error?.details)}`);
    // A username of 200 characters is within maxLength 255, whatever its lower case looks like.
    const username = `${"İ".repeat(200)}${stamp()}`;
    const created = await api("POST", "/v1.0/customers", {
      token: admin,
      body: { username, password: "long-enough-password" },
    });
    if (created.status !== 200)
      problems.push(
        `username of ${username.length} characters (maxLength 255): ${created.status} ${JSON.stringify(created.body.error?.details)}`,
      );
    expect(problems).toEqual([]);
  });
});
