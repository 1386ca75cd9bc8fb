import { z } from "@hono/zod-openapi";
import { eq, sql } from "drizzle-orm";
import { d1Batch } from "../db/batch";
import type { Db } from "../db/client";
import { storageAccounts, type StorageAccountRow } from "../db/schema";
import type { Env } from "../env";
import { ApiError, failedPrecondition } from "../lib/errors";
import { iso } from "../lib/time";
import type { CreateGuard } from "../plans/limits";
import { configOf } from "../config";

/**
 * Storage accounts: one per customer, holding the count and bytes of its files. Every statement
 * that adds or removes a file row changes them in the same batch (so they never drift), and the
 * quota is a condition of the file row's INSERT (so two uploads cannot both squeeze in).
 */

export const StorageAccountSchema = z
  .object({
    id: z.uuid(),
    customer_id: z.uuid(),
    total_file_count: z.number().int().openapi({ description: "The customer's files." }),
    total_file_size: z.number().int().openapi({ description: "Their size in bytes, counted against the quota." }),
    tm_create: z.string(),
    tm_update: z.string(),
    tm_delete: z.string().nullable().openapi({ description: "Set only in the answer to its deletion." }),
  })
  .openapi("StorageManagerAccount", {
    example: {
      id: "550e8400-e29b-41d4-a716-446655440000",
      customer_id: "7c4d2f3a-1b8e-4f5c-9a6d-3e2f1a0b4c5d",
      total_file_count: 42,
      total_file_size: 1073741824,
      tm_create: "2026-01-15T09:30:00.000Z",
      tm_update: "2026-01-16T14:20:00.000Z",
      tm_delete: null,
    },
  });

export const serializeStorageAccount = (row: StorageAccountRow, deletedAt?: number) => ({
  id: row.id,
  customer_id: row.customerId,
  total_file_count: row.totalFileCount,
  total_file_size: row.totalFileSize,
  tm_create: iso(row.tmCreate),
  tm_update: iso(row.tmUpdate),
  tm_delete: deletedAt === undefined ? null : iso(deletedAt),
});

/** A new customer's account, for the batch that creates the customer. */
export const newStorageAccountStatement = (db: Db, customerId: string, now: number) =>
  db.insert(storageAccounts).values({ id: crypto.randomUUID(), customerId, tmCreate: now, tmUpdate: now });

/**
 * Moves the totals by `files` rows and `bytes`, for the batch of the statement that added or
 * removed them: acts only if that statement, just before it, wrote a row (`changes() = 1`).
 */
export const moveTotalsIfWritten = (customerId: string, files: number, bytes: number, now: number) =>
  sql`UPDATE storage_accounts SET total_file_count = total_file_count + ${files},
      total_file_size = total_file_size + ${bytes}, tm_update = max(${now}, tm_update)
      WHERE customer_id = ${customerId} AND changes() = 1`;

export const storageAccountMissing = () =>
  failedPrecondition(
    "STORAGE_ACCOUNT_NOT_FOUND",
    "The customer has no storage account; the operator creates one with POST /v1.0/storage_accounts.",
  );

export const quotaExceeded = (used: number, size: number, quota: number) =>
  // No Retry-After: only deleting files frees space.
  new ApiError(
    "RESOURCE_EXHAUSTED",
    "STORAGE_QUOTA_EXCEEDED",
    `The file (${size} bytes) does not fit: ${used} of ${quota} bytes are in use. Delete files to make room.`,
    [{ total_file_size: used, filesize: size, quota_bytes: quota }],
  );

export async function readStorageAccount(db: Db, customerId: string): Promise<StorageAccountRow | null> {
  const [row] = await db.select().from(storageAccounts).where(eq(storageAccounts.customerId, customerId)).limit(1);
  return row ?? null;
}

/** Why a file of `size` bytes cannot be added now, or null if it fits (a check before the write, not instead of it). */
export async function quotaRefusal(db: Db, env: Env, customerId: string, size: number): Promise<ApiError | null> {
  const account = await readStorageAccount(db, customerId);
  if (!account) return storageAccountMissing();
  const quota = configOf(env).storageQuotaBytes;
  // A record with no bytes takes no room, even from a customer over a quota lowered since.
  return size > 0 && account.totalFileSize + size > quota ? quotaExceeded(account.totalFileSize, size, quota) : null;
}

/**
 * A file row's INSERT condition: the customer's storage account exists and takes `size` more
 * bytes (a metadata record, with none, only needs the account); the same batch then adds the row
 * to the totals.
 */
export function quotaGuard(db: Db, env: Env, customerId: string, size: number, now: number): CreateGuard {
  const quota = configOf(env).storageQuotaBytes;
  return {
    condition:
      size > 0
        ? sql`(SELECT total_file_size FROM storage_accounts WHERE customer_id = ${customerId}) + ${size} <= ${quota}`
        : sql`EXISTS (SELECT 1 FROM storage_accounts WHERE customer_id = ${customerId})`,
    also: [moveTotalsIfWritten(customerId, 1, size, now)],
    refusal: async () =>
      (await quotaRefusal(db, env, customerId, size)) ??
      // It fits now: a concurrent delete freed room after this INSERT ran. Trying again is safe.
      new ApiError("ABORTED", "CONCURRENT_UPDATE", "The storage totals changed meanwhile; try again.", [], 409),
  };
}

/** Storage accounts the cron checks per run, round robin by id. */
export const TOTALS_CHECK_ACCOUNTS = 500;

const actualCount = sql.raw(`(SELECT count(*) FROM files WHERE files.customer_id = storage_accounts.customer_id)`);
const actualSize = sql.raw(
  `(SELECT coalesce(sum(size_bytes), 0) FROM files WHERE files.customer_id = storage_accounts.customer_id)`,
);

/**
 * The cron's check of the totals against the file rows, for the next page of accounts: one
 * statement recounts and corrects any that differ (atomic, so an upload cannot land between the
 * count and the correction), another moves the cursor. The totals change in the same batch as
 * the rows, so a correction means a bug or a hand edit: it is logged.
 */
export async function checkStorageTotals(env: Env, now: number, limit = TOTALS_CHECK_ACCOUNTS): Promise<number> {
  const cursor = sql`coalesce((SELECT value FROM sweep_cursors WHERE name = 'storage_totals'), '')`;
  const page = sql`SELECT id FROM storage_accounts WHERE id > ${cursor} ORDER BY id LIMIT ${limit}`;
  const [fixed] = await d1Batch(env.DB, [
    sql`UPDATE storage_accounts SET total_file_count = ${actualCount}, total_file_size = ${actualSize}, tm_update = max(${now}, tm_update)
        WHERE id IN (${page}) AND (total_file_count <> ${actualCount} OR total_file_size <> ${actualSize})
        RETURNING id, customer_id`,
    // A short page was the last: the next run starts again from the first account.
    sql`INSERT INTO sweep_cursors (name, value)
        SELECT 'storage_totals', CASE WHEN count(*) = ${limit} THEN max(id) ELSE '' END FROM (${page}) WHERE 1
        ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
  ]);
  const rows = (fixed?.results ?? []) as { id: string; customer_id: string }[];
  if (rows.length)
    console.error(
      `storage totals differed from the file rows and were corrected: ${rows.map((r) => `${r.id} (customer ${r.customer_id})`).join(", ")}`,
    );
  return rows.length;
}
