import { env } from "cloudflare:test";
import fc from "fast-check";
import { expect } from "vitest";
import type { ResourceKind } from "../../src/db/owned";
import { api, createAgent, createCustomer, login } from "../helpers";
import { createResource, kinds, validBody } from "../helpers/resources";
import { setPlan } from "../helpers/plans";
import { textArb } from "./arbitraries";
import {
  type Ctx,
  type Expected,
  type OpConfig,
  operatorReadback,
  operatorTarget,
  ownAgent,
  ownCustomer,
  selfReadback,
  superAdmin,
} from "./context";
import { type Operation, send, type Sent, VALID_RUNS } from "./document";

// ---- Per-operation configuration: setups, valid values, oracles, read-backs -------------------

let seq = 0;

/** Stands in the generated body for the customer a run makes; replaced before sending. */
const THIS_RUNS_CUSTOMER = "00000000-0000-4000-8000-00000000c0de";

export const stamp = () => `${(++seq).toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`;

/** Keeps a generated email valid and makes it unique. */
function uniqueEmail(email: string): string {
  const at = email.lastIndexOf("@");
  const domain = email.slice(at + 1);
  let local = email
    .slice(0, at)
    .slice(0, Math.max(1, 240 - domain.length))
    .replace(/\.+$/, "");
  if (!local) local = "u";
  return `${local}.s${stamp()}@${domain}`;
}

function uniqueEmails(body: Record<string, unknown>, ...fields: string[]) {
  const out = { ...body };
  for (const f of fields) if (typeof out[f] === "string" && out[f] !== "") out[f] = uniqueEmail(out[f] as string);
  return out;
}

const CONFIGS: Record<string, OpConfig> = {
  "POST /auth/login": {
    async setup() {
      return { path: "/auth/login", customer: await createCustomer(), ids: {} };
    },
    valid: (ctx) => ({
      // Sometimes the real credentials (in any case, with spaces around the username).
      username: fc.oneof(
        textArb(1, 255),
        fc
          .tuple(fc.mixedCase(fc.constant(ctx.customer!.username)), fc.constantFrom("", " ", "\t"))
          .map(([u, ws]) => `${ws}${u}${ws}`),
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
      return {
        path: "/auth/email-verify",
        customer,
        target: { table: "customers", id: customer.id },
        ids: { admin: await superAdmin() },
      };
    },
    // "REAL" becomes a freshly minted token of the customer (the mail itself is not under test).
    valid: () => ({ token: fc.oneof(textArb(0, 128), fc.constantFrom("REAL", "REAL_UPPER")) }),
    async prepare(body, ctx) {
      if (body.token !== "REAL" && body.token !== "REAL_UPPER") return body;
      const bytes = crypto.getRandomValues(new Uint8Array(32));
      const token = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
      const hash = Array.from(
        new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token))),
        (b) => b.toString(16).padStart(2, "0"),
      ).join("");
      await env.DB.prepare(
        "INSERT INTO email_verifications (token_hash, customer_id, email, tm_expire, tm_create) VALUES (?, ?, ?, ?, ?)",
      )
        .bind(hash, ctx.customer!.id, ctx.customer!.email, Date.now() + 3_600_000, Date.now())
        .run();
      return { token: body.token === "REAL_UPPER" ? token.toUpperCase() : token, minted: true };
    },
    oracle: (body) => (body.minted ? { status: 200 } : { status: 400, reason: "INVALID_VERIFICATION_TOKEN" }),
    readback: (res, ctx) => ({
      path: `/v1.0/customers/${ctx.customer!.id}`,
      token: ctx.ids.admin,
      shown: res.body.customer,
    }),
    async check(_body, res, ctx) {
      expect(res.body.customer).toMatchObject({ id: ctx.customer!.id, email_verified: true, status: "active" });
    },
  },

  "POST /auth/password-forgot": {
    async setup() {
      return { path: "/auth/password-forgot", customer: await createCustomer(), ids: {} };
    },
    // Known or not, the same answer.
    valid: (ctx) => ({
      username: fc.oneof(fc.constant(ctx.customer!.username), fc.stringMatching(/^[a-z0-9._@-]{1,60}$/)),
    }),
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
      const token = Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, "0")).join(
        "",
      );
      const hash = Array.from(
        new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token))),
        (b) => b.toString(16).padStart(2, "0"),
      ).join("");
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
      expect(res.body).toEqual({ device_token: expect.stringMatching(/^dv1\./) });
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
      return {
        token: customer.token,
        customer,
        target: { table: "customers", id: customer.id },
        ids: { admin: await superAdmin() },
      };
    },
    valid: () => ({
      password: fc.oneof(
        fc.constant("correct-horse-battery"),
        textArb(0, 1024).filter((p) => p !== "correct-horse-battery"),
      ),
      confirmation_phrase: fc.oneof(fc.constant("DELETE"), textArb(0, 64)),
    }),
    oracle(body) {
      // A phrase, when sent, must be "DELETE"; an agent freezes with its password or the phrase,
      // and deletes immediately with both.
      if ((body.immediate || body.confirmation_phrase !== undefined) && body.confirmation_phrase !== "DELETE")
        return { status: 400, reason: "CONFIRMATION_PHRASE_MISMATCH" };
      if (body.password === undefined && (body.immediate || body.confirmation_phrase === undefined))
        return { status: 400, reason: "PASSWORD_REQUIRED" };
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
    valid: (ctx) => ({
      billing_account_id: fc.oneof(fc.mixedCase(fc.constant(ctx.ids.billing!)), fc.uuid(), textArb(0, 64)),
    }),
    oracle: (body, ctx) =>
      String(body.billing_account_id).toLowerCase() === ctx.ids.billing
        ? { status: 200 }
        : { status: 404, reason: "NOT_FOUND" },
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
      const signedIn = await send("POST", "/auth/login", {
        raw: JSON.stringify({ username: String(body.username).toUpperCase(), password: body.password }),
      });
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
    valid: (ctx) => ({
      billing_account_id: fc.oneof(fc.mixedCase(fc.constant(ctx.ids.billing!)), fc.uuid(), textArb(0, 64)),
    }),
    oracle: (body, ctx) =>
      String(body.billing_account_id).toLowerCase() === ctx.ids.billing
        ? { status: 200 }
        : { status: 404, reason: "NOT_FOUND" },
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

  "POST /v1.0/storage_accounts": {
    async setup() {
      const token = await superAdmin();
      return { token, path: "/v1.0/storage_accounts", ids: { admin: token } };
    },
    // Each run: a customer whose account the operator deleted, so one may be made for it.
    async perRun() {
      const customer = await createCustomer();
      await env.DB.prepare("DELETE FROM storage_accounts WHERE customer_id = ?").bind(customer.id).run();
      return { customer };
    },
    valid: () => ({ customer_id: fc.oneof(fc.constant(THIS_RUNS_CUSTOMER), fc.uuid()) }),
    prepare: (body, ctx) =>
      body.customer_id === THIS_RUNS_CUSTOMER ? { ...body, customer_id: ctx.customer!.id } : body,
    oracle: (body, ctx) =>
      String(body.customer_id).toLowerCase() === ctx.customer!.id
        ? { status: 200 }
        : { status: 404, reason: "NOT_FOUND" },
    readback: (res, ctx) => ({ path: `/v1.0/storage_accounts/${res.body.id}`, token: ctx.ids.admin, shown: res.body }),
    runs: 8,
  },

  "POST /v1.0/accesskeys": {
    setup: () => ownCustomer("/v1.0/accesskeys"),
    readback: (res, ctx) => ({ path: `/v1.0/accesskeys/${res.body.id}`, token: ctx.token, shown: res.body }),
    async check(body, res) {
      const expire = (body.expire as number | undefined) ?? 365 * 24 * 3600;
      expect(Math.abs(Date.parse(res.body.tm_expire) - Date.parse(res.body.tm_create) - expire * 1000)).toBeLessThan(
        1000,
      );
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
      {
        setup: () => ownAgent(`/v1.0/service_agents/me${suffix}`),
        readback: (res: Sent, ctx: Ctx) => ({ path: "/v1.0/service_agents/me", token: ctx.token, shown: res.body }),
      },
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
    // The proof of ownership: a generated current_password is replaced by the real one (a wrong one
    // is refused, test/auth/agent-password-proof.test.ts); without one, the fresh login proves it.
    prepare: (body, ctx) =>
      body.current_password === undefined ? body : { ...body, current_password: ctx.ids.password },
  },
  "PUT /v1.0/agents/{id}/password": {
    async setup(op) {
      const ctx = await ownCustomer("");
      const body = validBody("agents");
      const agent = await createResource(ctx.token!, "agents", body);
      return {
        ...ctx,
        path: op.path.replace("{id}", agent.id),
        target: { table: "agents", id: agent.id },
        ids: { username: body.username as string },
      };
    },
    readback: (res, ctx) => ({ path: `/v1.0/agents/${res.body.id}`, token: ctx.token, shown: res.body }),
    async check(body, _res, ctx) {
      // The new password is the one that works.
      expect(await login(ctx.ids.username!, body.password as string)).toBeTypeOf("string");
    },
    runs: 8,
  },
};

// ---- Fields that name one of the customer's tags or flows (issue 21 #6) ----------------------
// Generated as the customer's own, "none", or another id (a 404): a random UUID names nothing.

const REF_FIELDS: Record<string, "tag" | "flow"> = {
  tag_ids: "tag",
  tag_id: "tag",
  call_flow_id: "flow",
  message_flow_id: "flow",
  on_complete_flow_id: "flow",
  wait_flow_id: "flow",
  on_end_flow_id: "flow",
};
const NONE = "00000000-0000-0000-0000-000000000000";

async function withRefs(ctx: Ctx): Promise<Ctx> {
  const [tag, flow] = await Promise.all([createResource(ctx.token!, "tags"), createResource(ctx.token!, "flows")]);
  return { ...ctx, ids: { ...ctx.ids, tag: tag.id, flow: flow.id } };
}

function refArbs(op: Operation, ctx: Ctx): Record<string, fc.Arbitrary<unknown>> {
  const fields = Object.keys(op.schema.properties ?? {}).filter((f) => REF_FIELDS[f]);
  return Object.fromEntries(
    fields.map((f) => {
      const mine = ctx.ids[REF_FIELDS[f]!]!;
      if (f === "tag_ids")
        return [
          f,
          fc.oneof(
            fc.constant(null),
            fc.array(fc.constant(mine), { maxLength: 3 }),
            fc.array(fc.oneof(fc.constant(mine), fc.uuid()), { minLength: 1, maxLength: 3 }),
          ),
        ];
      if (f === "tag_id") return [f, fc.oneof(fc.constant(mine), fc.uuid())];
      return [f, fc.oneof(fc.constantFrom(mine, "", NONE, null), fc.uuid())];
    }),
  );
}

/** 404 when a generated reference names something that is not the customer's. */
function refOracle(body: Record<string, unknown>, ctx: Ctx): Expected | undefined {
  for (const [field, target] of Object.entries(REF_FIELDS)) {
    const value = body[field];
    const ids = Array.isArray(value) ? value : [value];
    const named = ids.filter((id) => typeof id === "string" && id !== "" && id !== NONE);
    if (named.some((id) => id !== ctx.ids[target])) return { status: 404, reason: "NOT_FOUND" };
  }
  return undefined;
}

/** The contract's path names of two kinds. */
const ALIASES: Record<string, ResourceKind> = { transcribes: "transcriptions", storage_files: "files" };
const kindOfSegment = (segment: string | undefined) =>
  segment
    ? (ALIASES[segment] ?? (kinds.includes(segment as ResourceKind) ? (segment as ResourceKind) : undefined))
    : undefined;

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
  const readback = (_res: Sent, ctx: Ctx) => ({
    path: `/v1.0/${kind}/${ctx.ids.id}`,
    token: ctx.token,
    shown: _res.body,
  });
  if (m[2] === "plan_type") {
    return {
      // The operator's, on a customer's billing account.
      async setup() {
        const ctx = await ownResource(kind, op.path);
        return { ...ctx, token: await superAdmin(), ids: { ...ctx.ids, owner: ctx.token! } };
      },
      readback: (res, ctx) => ({ path: `/v1.0/${kind}/${ctx.ids.id}`, token: ctx.ids.owner, shown: res.body }),
    };
  }
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
        const ctx = await ownResource(kind, op.path, {
          ...validBody("contacts"),
          addresses: [{ type: "tel", target: "+15550001111" }],
        });
        const contact = (await api("GET", `/v1.0/contacts/${ctx.ids.id}`, { token: ctx.token })).body;
        return { ...ctx, path: ctx.path.replace("{address_id}", contact.addresses[0].id) };
      },
      echo: false,
      readback,
    };
  }
  return {
    setup: async () => withRefs(await ownResource(kind, op.path)),
    valid: (ctx) => refArbs(op, ctx),
    oracle: (body, ctx) => refOracle(body, ctx) ?? { status: 200 },
    echo: kind === "contacts" ? false : undefined,
    readback,
    runs: kind === "agents" ? 10 : VALID_RUNS,
  };
}

function resourceConfig(op: Operation): OpConfig | undefined {
  const create = /^\/v1\.0\/(\w+)$/.exec(op.path);
  const update = /^\/v1\.0\/(\w+)\/\{id\}$/.exec(op.path);
  const kind = kindOfSegment((create ?? update)?.[1]);
  if (!kind) return subResourceConfig(op);
  const readback = (res: Sent, ctx: Ctx) => ({
    path: `/v1.0/${kind}/${res.body.id}`,
    token: ctx.token,
    shown: res.body,
  });
  if (op.method === "POST" && create) {
    return {
      async setup() {
        const ctx = await ownCustomer(op.path);
        // The runs create more of a kind than the free plan allows (test/plans/limits.test.ts tests the limits).
        await setPlan(ctx.customer!, "unlimited");
        return withRefs(ctx);
      },
      valid: (ctx): Record<string, fc.Arbitrary<unknown>> => ({
        ...refArbs(op, ctx),
        // Virtual numbers (+899…) are for everyone; any other E.164 number needs a verified identity.
        ...(kind === "numbers"
          ? { number: fc.oneof(fc.stringMatching(/^\+899\d{0,5}$/), fc.stringMatching(/^\+[1-9]\d{1,14}$/)) }
          : {}),
      }),
      prepare(body) {
        if (kind === "agents") return uniqueEmails(body, "username");
        if (kind === "extensions") return { ...body, extension: `${String(body.extension).slice(0, 20)}.${stamp()}` };
        if (kind === "numbers" && String(body.number).startsWith("+899")) {
          return { ...body, number: `+899${String(seq++ % 1e7).padStart(7, "0")}${String(body.number).slice(4, 9)}` };
        }
        return body;
      },
      oracle(body, ctx) {
        if (kind === "numbers") {
          const virtual = String(body.number).startsWith("+899");
          // A type that contradicts the number is refused first, then a PSTN number without identity.
          if (body.type !== undefined && body.type !== (virtual ? "virtual" : "normal"))
            return { status: 400, reason: "NUMBER_TYPE_MISMATCH" };
          if (!virtual) return { status: 403, reason: "IDENTITY_VERIFICATION_REQUIRED" };
        }
        return refOracle(body, ctx) ?? { status: 200 };
      },
      readback,
      runs: kind === "agents" || kind === "extensions" ? 10 : VALID_RUNS,
    };
  }
  if (op.method === "PUT" && update) {
    return {
      async setup() {
        const ctx = await withRefs(await ownCustomer(""));
        const row = await createResource(ctx.token!, kind);
        return { ...ctx, path: op.path.replace("{id}", row.id), target: { table: kind, id: row.id } };
      },
      valid: (ctx) => refArbs(op, ctx),
      oracle: (body, ctx) => refOracle(body, ctx) ?? { status: 200 },
      readback,
      runs: kind === "extensions" ? 10 : VALID_RUNS,
    };
  }
  return undefined;
}

const AGENT_API = "/v1.0/service_agents/";
const toAgentApi = (path: string) => path.replace(/^\/v1\.0\//, AGENT_API);

/**
 * The agent's API on contacts (POST/PUT /v1.0/service_agents/contacts…): the customer-level
 * configuration, called by a plain CustomerAgent (16) of the same customer, read back there too.
 */
function serviceAgentConfig(op: Operation): OpConfig | undefined {
  if (!op.path.startsWith(`${AGENT_API}contacts`)) return undefined;
  const customerPath = op.path.replace(AGENT_API, "/v1.0/");
  const base = resourceConfig({ ...op, path: customerPath, key: `${op.method} ${customerPath}` });
  if (!base) return undefined;
  return {
    ...base,
    async setup(o) {
      const ctx = await base.setup({ ...o, path: customerPath });
      const agent = await createAgent(ctx.customer!.id, 16);
      return { ...ctx, path: toAgentApi(ctx.path), token: agent.token };
    },
    readback(res, ctx) {
      const back = base.readback?.(res, ctx);
      return back ? { ...back, path: toAgentApi(back.path) } : null;
    },
  };
}

export const configOf = (op: Operation) => CONFIGS[op.key] ?? serviceAgentConfig(op) ?? resourceConfig(op);
