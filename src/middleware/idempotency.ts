import { and, eq, sql } from "drizzle-orm";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { connectingIp } from "../auth/attempt-limiter";
import type { BatchStatement } from "../db/batch";
import { idempotencyKeys } from "../db/schema";
import { notNullViolation } from "../lib/db-errors";
import { fromBase64, sha256Hex, toBase64, utf8 } from "../lib/crypto";
import { ApiError, invalidArgument } from "../lib/errors";
import { routePropertiesOf } from "../lib/route";
import { configOf } from "../config";

export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
/** A claim older than this with no response is taken to have died with its request. */
const STALE_CLAIM_MS = 60 * 1000;

interface SavedResponse {
  status: number;
  contentType: string;
  body: string;
}

async function cipherKey(secret: string, key: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey("raw", utf8(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: utf8(key), info: utf8("idempotency-response") },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

async function seal(secret: string, key: string, saved: SavedResponse): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv },
    await cipherKey(secret, key),
    utf8(JSON.stringify(saved)),
  );
  return `${toBase64(iv)}.${toBase64(ct)}`;
}

async function open(secret: string, key: string, sealed: string): Promise<SavedResponse> {
  const [iv, ct] = sealed.split(".");
  // Only seal() writes these; any other shape is a damaged record, not a request to replay.
  if (iv === undefined || ct === undefined) throw new Error("stored idempotent answer is not <iv>.<ciphertext>");
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64(iv) },
    await cipherKey(secret, key),
    fromBase64(ct),
  );
  return JSON.parse(new TextDecoder().decode(plain)) as SavedResponse;
}

/**
 * `Idempotency-Key` on the creating POSTs (routes declared `idempotent`): the same key with the same body answers the first
 * response again without doing the work twice; with another body it is a 409. Keys last 24 hours.
 */
export const idempotency = createMiddleware<AppEnv>(async (c, next) => {
  // Only creating POSTs carry a key: every other request leaves before any parsing.
  if (c.req.method !== "POST") return next();
  const key = c.req.header("Idempotency-Key");
  if (key === undefined) return next();
  if (!routePropertiesOf(c).idempotent) return next();
  const path = c.req.path;
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw invalidArgument("INVALID_IDEMPOTENCY_KEY", "Idempotency-Key must be 1 to 255 visible ASCII characters.", [
      { field: "Idempotency-Key" },
    ]);
  }
  const principal = c.get("principal");
  // Without a credential, the client is the scope: a signup's answer (with its access key) is
  // replayed only to the address that sent it, never to anyone who repeats its key and body.
  const scope = principal ? `${principal.kind}:${principal.id}` : `anonymous:${connectingIp(c.req)}`;
  const keyHash = await sha256Hex(`${scope}\n${key}`);
  const requestHash = await sha256Hex(`${c.req.method} ${path}\n${await c.req.text()}`);
  const db = c.get("db");
  const now = Date.now();

  const claim = () =>
    db
      .insert(idempotencyKeys)
      .values({ keyHash, requestHash, state: "in_progress", tmCreate: now })
      .onConflictDoNothing()
      .returning({ keyHash: idempotencyKeys.keyHash });

  let claimed = (await claim()).length > 0;
  if (!claimed) {
    const [row] = await db.select().from(idempotencyKeys).where(eq(idempotencyKeys.keyHash, keyHash)).limit(1);
    const expired = !row || row.tmCreate <= now - IDEMPOTENCY_TTL_MS;
    const abandoned = row?.state === "in_progress" && row.tmCreate <= now - STALE_CLAIM_MS;
    if (row && !expired && row.requestHash !== requestHash) {
      throw new ApiError(
        "ALREADY_EXISTS",
        "IDEMPOTENCY_KEY_REUSED",
        "This Idempotency-Key was used with a different request.",
        [{ field: "Idempotency-Key" }],
      );
    }
    if (row && (expired || abandoned)) {
      // Take the old record over, only if nobody else did first.
      const taken = await db
        .update(idempotencyKeys)
        .set({ requestHash, state: "in_progress", response: "", tmCreate: now })
        .where(and(eq(idempotencyKeys.keyHash, keyHash), eq(idempotencyKeys.tmCreate, row.tmCreate)))
        .returning({ keyHash: idempotencyKeys.keyHash });
      claimed = taken.length > 0;
    } else if (!row) {
      claimed = (await claim()).length > 0;
    }
    if (!claimed) {
      const [current] = await db.select().from(idempotencyKeys).where(eq(idempotencyKeys.keyHash, keyHash)).limit(1);
      if (current?.state === "done" && current.requestHash === requestHash) {
        const saved = await open(configOf(c.env).jwtSecret, `${scope}\n${key}`, current.response);
        return c.body(saved.body, saved.status as 200, {
          "Content-Type": saved.contentType,
          "Idempotent-Replayed": "true",
        });
      }
      throw inProgress();
    }
  }

  const held: IdempotencyClaim = { keyHash, tmCreate: now, sealKey: `${scope}\n${key}` };
  c.set("idempotencyClaim", held);
  await next();

  // Another request took the key over while this one ran (its lease ran out): its write stands.
  if (c.error && notNullViolation(c.error) === FENCE_COLUMN) throw inProgress();
  // Only while the claim is still this request's and nothing was stored with the write itself.
  const stillOurs = and(
    eq(idempotencyKeys.keyHash, keyHash),
    eq(idempotencyKeys.tmCreate, now),
    eq(idempotencyKeys.state, "in_progress"),
  );
  const status = c.res.status;
  if (status >= 500 || status === 429) {
    // Nothing to repeat: a retry with the same key must be able to do the work.
    await db.delete(idempotencyKeys).where(stillOurs);
    return;
  }
  const saved: SavedResponse = {
    status,
    contentType: c.res.headers.get("Content-Type") ?? "application/json",
    body: await c.res.clone().text(),
  };
  await db
    .update(idempotencyKeys)
    .set({ state: "done", response: await seal(configOf(c.env).jwtSecret, held.sealKey, saved) })
    .where(stillOurs);
});

/** The Idempotency-Key claim a request holds while its handler runs. */
export interface IdempotencyClaim {
  keyHash: string;
  /** When it was claimed: a retry that takes an abandoned claim over sets another. */
  tmCreate: number;
  sealKey: string;
}

const FENCE_COLUMN = "idempotency_keys.key_hash";

/**
 * A creating write's batch, with its answer: `[fence, ...statements, mark]`. When the request
 * holds an Idempotency-Key claim, the mark stores `body` as the answer to replay in the same
 * transaction as the write, so a retry after a crash either replays it or finds nothing written.
 * The fence aborts the whole batch (a NOT NULL violation, on purpose) if the claim is no longer
 * this request's: a retry took it over after the lease ran out, and its own write is the one that
 * counts. The mark applies only if the last statement wrote a row, so a write refused by its own
 * condition stores nothing. Without a claim, the statements alone.
 */
export async function withStoredAnswer(
  c: Context<AppEnv>,
  statements: BatchStatement[],
  body: unknown,
  status = 200,
): Promise<BatchStatement[]> {
  const claim = c.get("idempotencyClaim");
  if (!claim) return statements;
  const answer = await seal(configOf(c.env).jwtSecret, claim.sealKey, {
    status,
    contentType: "application/json",
    body: JSON.stringify(body),
  });
  return [
    sql`INSERT INTO idempotency_keys (key_hash, request_hash, state, response, tm_create)
        SELECT NULL, '', 'in_progress', '', 0
        WHERE NOT EXISTS (SELECT 1 FROM idempotency_keys
          WHERE key_hash = ${claim.keyHash} AND tm_create = ${claim.tmCreate} AND state = 'in_progress')`,
    ...statements,
    sql`UPDATE idempotency_keys SET state = 'done', response = ${answer}
        WHERE key_hash = ${claim.keyHash} AND tm_create = ${claim.tmCreate} AND changes() > 0`,
  ];
}

/** The results of the caller's own statements in a batch made by withStoredAnswer. */
export const ownResults = <T>(c: Context<AppEnv>, results: T[]): T[] =>
  c.get("idempotencyClaim") ? results.slice(1, -1) : results;

const inProgress = () =>
  new ApiError(
    "ALREADY_EXISTS",
    "IDEMPOTENCY_KEY_IN_PROGRESS",
    "A request with this Idempotency-Key is still being processed; retry shortly.",
    [],
    409,
    { "Retry-After": "1" },
  );
