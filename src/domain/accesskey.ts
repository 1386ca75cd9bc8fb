import { z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { accesskeys, type AccesskeyRow } from "../db/schema";
import { ACCESSKEY_PREFIX } from "../auth/credentials";
import { randomAlphanumeric, sha256Hex } from "../lib/crypto";
import { ApiError } from "../lib/errors";
import { iso } from "../lib/time";
import { detailField, nameField } from "../lib/validation";

// As on the platform: "vb_" and 8 of the 32 random characters (about 48 of its 190 bits).
export const TOKEN_PREFIX_LENGTH = 11;

export const MAX_ACCESSKEY_EXPIRE_SECONDS = 10 * 365 * 24 * 3600;
export const DEFAULT_ACCESSKEY_EXPIRE_SECONDS = 365 * 24 * 3600;

export const AccesskeySchema = z
  .object({
    id: z.uuid(),
    customer_id: z.uuid(),
    name: z.string(),
    detail: z.string(),
    token: z.string().optional().openapi({ description: "The key itself: present only in the creation response." }),
    token_prefix: z.string().openapi({
      description: `The key's first ${TOKEN_PREFIX_LENGTH} characters, on every read: enough to recognise it, not to use it. Empty for keys made before it was kept.`,
    }),
    tm_expire: z.string(),
    tm_create: z.string(),
    tm_update: z.string(),
    tm_delete: z
      .string()
      .nullable()
      .openapi({ description: "When the key was deleted: set only in the answer of its deletion." }),
  })
  .openapi("Accesskey", {
    example: {
      id: "2f1f8f3c-3f51-4b8e-9f76-6f7a9c1f6d11",
      customer_id: "5e4a0680-804e-11ec-8477-2fea5968d85b",
      name: "ci",
      detail: "Key for our CI",
      token_prefix: "vb_a3Bf9xKm",
      tm_expire: "2027-01-15T10:30:00.000Z",
      tm_create: "2026-01-15T10:30:00.000Z",
      tm_update: "2026-01-15T10:30:00.000Z",
      tm_delete: null,
    },
  });

export const AccesskeyCreateSchema = z
  .strictObject({
    name: nameField.optional(),
    detail: detailField.optional(),
    expire: z
      .number()
      .int()
      .min(1)
      .max(MAX_ACCESSKEY_EXPIRE_SECONDS)
      .optional()
      .openapi({ description: "Lifetime in seconds (default one year)." }),
  })
  .openapi("AccesskeyCreate", { example: { name: "ci", detail: "Key for our CI", expire: 31536000 } });

export const AccesskeyUpdateSchema = z
  .strictObject({ name: nameField.optional(), detail: detailField.optional() })
  .openapi("AccesskeyUpdate", { example: { name: "ci-renamed" } });

export function serializeAccesskey(row: AccesskeyRow, options: { token?: string; tmDelete?: number } = {}) {
  return {
    id: row.id,
    customer_id: row.customerId,
    name: row.name,
    detail: row.detail,
    ...(options.token ? { token: options.token } : {}),
    token_prefix: row.tokenPrefix,
    tm_expire: iso(row.tmExpire),
    tm_create: iso(row.tmCreate),
    tm_update: iso(row.tmUpdate),
    tm_delete: options.tmDelete === undefined ? null : iso(options.tmDelete),
  };
}

export const newAccesskeyToken = () => `${ACCESSKEY_PREFIX}${randomAlphanumeric(32)}`;

/** The row of a new key and its token; the caller inserts it (alone or inside a larger batch). */
export async function buildAccesskey(
  customerId: string,
  input: { name?: string; detail?: string; expire?: number },
  now = Date.now(),
  operatorBinding = "",
): Promise<{ row: AccesskeyRow; token: string }> {
  const token = newAccesskeyToken();
  const row: AccesskeyRow = {
    id: crypto.randomUUID(),
    customerId,
    name: input.name ?? "",
    detail: input.detail ?? "",
    tokenHash: await sha256Hex(token),
    tokenPrefix: token.slice(0, TOKEN_PREFIX_LENGTH),
    operatorBinding,
    tmExpire: now + (input.expire ?? DEFAULT_ACCESSKEY_EXPIRE_SECONDS) * 1000,
    tmCreate: now,
    tmUpdate: now,
  };
  return { row, token };
}

export const insertAccesskey = (db: Db, row: AccesskeyRow) => db.insert(accesskeys).values(row);

/** Active (unexpired) keys a customer may hold: more add nothing but budget-free credentials to leak. */
export const MAX_ACTIVE_ACCESSKEYS = 50;

/**
 * Inserts the key only while its customer holds fewer than MAX_ACTIVE_ACCESSKEYS active keys. The
 * count is part of the INSERT itself, so concurrent creations cannot pass the cap together; a
 * refused insert writes no row (its changes are 0).
 */
export const insertAccesskeyWithinCap = (row: AccesskeyRow) =>
  sql`INSERT INTO accesskeys (id, customer_id, name, detail, token_hash, token_prefix, operator_binding, tm_expire, tm_create, tm_update)
      SELECT ${row.id}, ${row.customerId}, ${row.name}, ${row.detail}, ${row.tokenHash}, ${row.tokenPrefix},
        ${row.operatorBinding}, ${row.tmExpire}, ${row.tmCreate}, ${row.tmUpdate}
      WHERE (SELECT count(*) FROM accesskeys WHERE customer_id = ${row.customerId} AND tm_expire > ${row.tmCreate})
        < ${MAX_ACTIVE_ACCESSKEYS}`;

export const accesskeyLimitExceeded = () =>
  new ApiError(
    "RESOURCE_EXHAUSTED",
    "RESOURCE_LIMIT_EXCEEDED",
    `A customer holds at most ${MAX_ACTIVE_ACCESSKEYS} active access keys; delete one before creating another.`,
    [{ field: "accesskeys", limit: MAX_ACTIVE_ACCESSKEYS }],
    429,
  );
