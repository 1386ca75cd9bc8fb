import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/env";
import worker from "../../src/index";
import {
  api,
  BASE,
  createAccesskey,
  createAgent,
  createCustomer,
  expectError,
  readResponse,
  type TestCustomer,
} from "../helpers";
import { setPlan } from "../helpers/plans";
import { createResource, validBody } from "../helpers/resources";

// Extension and trunk passwords are SIP credentials: stored sealed (AES-256-GCM under
// SIP_CREDENTIALS_KEY, bound to their row), answered to the customer's admins, its access keys and
// the operator only, and found nowhere else: not in other tables, not in logs.

const KINDS = ["extensions", "trunks"] as const;
type Kind = (typeof KINDS)[number];

let c: TestCustomer;
let manager: string;
let agent: string;
let key: string;

beforeAll(async () => {
  c = await createCustomer();
  // More trunks and extensions than the free plan allows (test/plans/limits.test.ts).
  await setPlan(c, "unlimited");
  manager = (await createAgent(c.id, 64)).token;
  agent = (await createAgent(c.id, 16)).token;
  key = await createAccesskey(c.token);
});

afterEach(() => vi.restoreAllMocks());

let n = 0;
const bodyOf = (kind: Kind, password: string) =>
  kind === "extensions"
    ? { ...validBody("extensions"), extension: `9${Date.now() % 1e6}${n++}`, password }
    : { ...validBody("trunks"), domain_name: `sip${Date.now() % 1e6}${n++}`, password };

const sealedOf = async (kind: Kind, id: string) =>
  (await env.DB.prepare(`SELECT password_sealed FROM ${kind} WHERE id = ?`)
    .bind(id)
    .first<{ password_sealed: string }>())!.password_sealed;

/** The Worker with another SIP_CREDENTIALS_KEY setting (rotation, a missing key). */
async function withKey(setting: string | undefined, method: string, path: string, token: string, body?: unknown) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${BASE}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        "CF-Connecting-IP": "192.0.2.77",
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
    { ...env, SIP_CREDENTIALS_KEY: setting } as Env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return readResponse(res);
}

describe.each(KINDS)("%s password", (kind) => {
  it("comes back to the customer's admin and access keys on every answer, and is kept when PUT sends ''", async () => {
    const created = await createResource(c.token, kind, bodyOf(kind, "first-sip-secret"));
    expect(created.password).toBe("first-sip-secret");
    for (const token of [c.token, key]) {
      expect((await api("GET", `/v1.0/${kind}/${created.id}`, { token })).body.password).toBe("first-sip-secret");
      const list = await api("GET", `/v1.0/${kind}?page_size=100`, { token });
      expect(list.body.result.find((r: { id: string }) => r.id === created.id).password).toBe("first-sip-secret");
    }
    const kept = await api("PUT", `/v1.0/${kind}/${created.id}`, { token: c.token, body: { password: "", name: "x" } });
    expect(kept.body.password).toBe("first-sip-secret");
    const changed = await api("PUT", `/v1.0/${kind}/${created.id}`, {
      token: c.token,
      body: { password: "second-sip-secret" },
    });
    expect(changed.body.password).toBe("second-sip-secret");
    const deleted = await api("DELETE", `/v1.0/${kind}/${created.id}`, { token: c.token });
    expect(deleted.body.password).toBe("second-sip-secret");
  });

  it("is left out for the customer's managers and agents, who still read the rest", async () => {
    const created = await createResource(c.token, kind, bodyOf(kind, "hidden-sip-secret"));
    for (const token of [manager, agent]) {
      const one = await api("GET", `/v1.0/${kind}/${created.id}`, { token });
      expect(one.status).toBe(200);
      expect(one.body).not.toHaveProperty("password");
      const list = await api("GET", `/v1.0/${kind}?page_size=100`, { token });
      expect(JSON.stringify(list.body)).not.toContain("hidden-sip-secret");
    }
    // A manager writes the kind; its answer leaves the password out too.
    const put = await api("PUT", `/v1.0/${kind}/${created.id}`, { token: manager, body: { password: "by-manager-1" } });
    expect(put.status).toBe(200);
    expect(put.body).not.toHaveProperty("password");
    expect((await api("GET", `/v1.0/${kind}/${created.id}`, { token: c.token })).body.password).toBe("by-manager-1");
  });

  it("is stored sealed and bound to its row: a copy in another row does not open", async () => {
    const one = await createResource(c.token, kind, bodyOf(kind, "bound-sip-secret"));
    const two = await createResource(c.token, kind, bodyOf(kind, "other-sip-secret"));
    const sealed = await sealedOf(kind, one.id);
    expect(sealed).toMatch(/^v1\.[0-9a-f]{8}\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+$/);
    expect(sealed).not.toContain("bound-sip-secret");
    // Sealing again gives another value (a fresh IV each time).
    await api("PUT", `/v1.0/${kind}/${one.id}`, { token: c.token, body: { password: "bound-sip-secret" } });
    expect(await sealedOf(kind, one.id)).not.toBe(sealed);

    await env.DB.prepare(`UPDATE ${kind} SET password_sealed = ? WHERE id = ?`).bind(sealed, two.id).run();
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    expectError(
      await api("GET", `/v1.0/${kind}/${two.id}`, { token: c.token }),
      500,
      "INTERNAL",
      "SEALED_SECRET_UNREADABLE",
    );
    expect(errors).toHaveBeenCalled();
    // Callers who never see the password still read the row.
    expect((await api("GET", `/v1.0/${kind}/${two.id}`, { token: manager })).status).toBe(200);
  });
});

describe("SIP_CREDENTIALS_KEY", () => {
  const current = env.SIP_CREDENTIALS_KEY as string;
  const next = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));

  it("rotates: with a new key first, old rows still open and new ones are sealed with the new key", async () => {
    const old = await createResource(c.token, "extensions", bodyOf("extensions", "old-key-secret"));
    const rotated = `${next}, ${current}`;
    expect((await withKey(rotated, "GET", `/v1.0/extensions/${old.id}`, c.token)).body.password).toBe("old-key-secret");
    const fresh = await withKey(rotated, "POST", "/v1.0/extensions", c.token, bodyOf("extensions", "new-key-secret"));
    expect(fresh.status, JSON.stringify(fresh.body)).toBe(200);
    expect(fresh.body.password).toBe("new-key-secret");
    const [, oldKeyId] = (await sealedOf("extensions", old.id)).split(".");
    const [, newKeyId] = (await sealedOf("extensions", fresh.body.id)).split(".");
    expect(newKeyId).not.toBe(oldKeyId);
    // With the old key dropped, a row nobody re-saved no longer opens.
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    expectError(await withKey(next, "GET", `/v1.0/extensions/${old.id}`, c.token), 500, "INTERNAL");
    expect((await withKey(next, "GET", `/v1.0/extensions/${fresh.body.id}`, c.token)).body.password).toBe(
      "new-key-secret",
    );
  });

  it("missing or malformed, the service does not run: 500 MISCONFIGURED, the log names the setting, nothing written", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const count = async () =>
      (
        await env.DB.prepare("SELECT count(*) AS n FROM extensions WHERE customer_id = ?")
          .bind(c.id)
          .first<{ n: number }>()
      )?.n;
    const before = await count();
    for (const setting of [undefined, "", " , ", "not-base64!", btoa("sixteen-bytes-ky"), `${current},${btoa("x")}`]) {
      logged.mockClear();
      const res = await withKey(setting, "POST", "/v1.0/extensions", c.token, bodyOf("extensions", "never-stored"));
      expectError(res, 500, "INTERNAL", "MISCONFIGURED");
      expect(logged.mock.calls.flat().join("\n")).toMatch(/SIP_CREDENTIALS_KEY/);
      expect(logged.mock.calls.flat().join("\n")).not.toContain(current);
    }
    expect(await count()).toBe(before);
  });
});

describe("the password is nowhere else", () => {
  it("not in any other table (audit trail, events, webhook deliveries, idempotency records), nor in logs", async () => {
    const logged: string[] = [];
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        logged.push(args.map(String).join(" "));
      });
    }
    const secret = `nowhere-${crypto.randomUUID()}`;
    const body = bodyOf("extensions", secret);
    const post = () =>
      api("POST", "/v1.0/extensions", { token: c.token, body, headers: { "Idempotency-Key": `sip-${secret}` } });
    const ext = await post();
    expect(ext.body.password).toBe(secret);
    // The replay of the idempotent POST answers it again, from the (encrypted) stored answer.
    const replay = await post();
    expect(replay.status).toBe(200);
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    expect(replay.body).toEqual(ext.body);
    const trunk = await createResource(c.token, "trunks", bodyOf("trunks", secret));
    await api("PUT", `/v1.0/trunks/${trunk.id}`, { token: c.token, body: { password: `${secret}-2` } });
    await api("PUT", "/v1.0/customer", { token: c.token, body: { detail: "event after the secret" } });

    const { results: tables } = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
    ).all<{ name: string }>();
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(["audit_log", "customer_events", "idempotency_keys"]),
    );
    for (const { name } of tables) {
      const { results } = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
      expect(JSON.stringify(results), name).not.toContain(secret);
    }
    const audit = await env.DB.prepare(
      "SELECT changed_fields FROM audit_log WHERE action = 'POST /v1.0/extensions'",
    ).all<{
      changed_fields: string;
    }>();
    expect(audit.results.some((r) => JSON.parse(r.changed_fields).includes("password"))).toBe(true);
    expect(logged.join("\n")).not.toContain(secret);
  });
});
