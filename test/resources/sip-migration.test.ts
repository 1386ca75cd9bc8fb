import { applyD1Migrations, env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../src/auth/password";
import { api, createCustomer, type TestCustomer } from "../helpers";

// Migration 0017: extension and trunk passwords were one-way hashes, which cannot be turned back
// into the SIP passwords a registrar needs. The migration keeps the rows and marks their
// passwords unset (''); the customer's admins set them again. This file's D1 is its own: it is
// put back to the schema before 0017, given rows with hashes, and migrated again.

const MIGRATION = "0017_sip_passwords_sealed.sql";
let c: TestCustomer;
const ids = { extension: crypto.randomUUID(), trunk: crypto.randomUUID() };

beforeAll(async () => {
  c = await createCustomer();
  const applied = await env.DB.prepare("SELECT name FROM d1_migrations WHERE name = ?").bind(MIGRATION).first();
  expect(applied, "the suite's D1 has 0017").not.toBeNull();
  // Back to the schema before 0017, with rows as that schema stored them.
  await env.DB.batch([
    env.DB.prepare("DELETE FROM d1_migrations WHERE name = ?").bind(MIGRATION),
    env.DB.prepare("ALTER TABLE extensions RENAME COLUMN password_sealed TO password_hash"),
    env.DB.prepare("ALTER TABLE trunks RENAME COLUMN password_sealed TO password_hash"),
  ]);
  const hash = await hashPassword("lost-sip-secret");
  const now = Date.now();
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO extensions (id, customer_id, name, detail, tm_create, tm_update, version, extension, password_hash) VALUES (?, ?, 'old desk', '', ?, ?, 1, '4001', ?)",
    ).bind(ids.extension, c.id, now, now, hash),
    env.DB.prepare(
      "INSERT INTO trunks (id, customer_id, name, detail, tm_create, tm_update, version, domain_name, password_hash) VALUES (?, ?, 'old pbx', '', ?, ?, 1, 'oldpbx', ?)",
    ).bind(ids.trunk, c.id, now, now, hash),
  ]);
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
});

describe("migration 0017: hashed SIP passwords become unset", () => {
  it("keeps the rows, empties their passwords, and the admin sets new ones", async () => {
    for (const [kind, id] of [
      ["extensions", ids.extension],
      ["trunks", ids.trunk],
    ] as const) {
      const row = await env.DB.prepare(`SELECT password_sealed FROM ${kind} WHERE id = ?`)
        .bind(id)
        .first<{ password_sealed: string }>();
      expect(row?.password_sealed).toBe("");
      const read = await api("GET", `/v1.0/${kind}/${id}`, { token: c.token });
      expect(read.status).toBe(200);
      expect(read.body.password).toBe("");
      const set = await api("PUT", `/v1.0/${kind}/${id}`, { token: c.token, body: { password: "new-sip-secret" } });
      expect(set.body.password).toBe("new-sip-secret");
      expect((await api("GET", `/v1.0/${kind}/${id}`, { token: c.token })).body.password).toBe("new-sip-secret");
    }
  });
});
