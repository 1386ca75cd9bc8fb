import { and, eq, inArray, sql } from "drizzle-orm";
import { changesOf, d1Batch } from "../db/batch";
import { getDb } from "../db/client";
import { deletionJobs, files, sweepCursors } from "../db/schema";
import type { Env } from "../env";

/**
 * The bytes of storage files in R2. Every object's key starts with its customer's id, so the
 * cascade finds a deleted customer's objects by prefix, and one tenant's key never names
 * another's. The D1 row is the record; an object without a row is garbage the cron removes.
 */
export const objectKey = (customerId: string, fileId: string) => `${customerId}/${fileId}`;

/** The largest upload, in bytes (JSON bodies keep their own 64 KB limit). */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** R2 lists and deletes at most this many keys a call. */
const R2_BATCH = 1000;

/**
 * An object with no row this old is left over from an upload that died between its two writes
 * (or a delete between its two), never one still in flight: an upload writes its row
 * milliseconds after its object.
 */
export const ORPHAN_MIN_AGE_MS = 15 * 60 * 1000;

/** Keys looked at per cron run: bounded work however large the bucket. */
export const ORPHAN_SWEEP_KEYS = 1000;

/** D1 binds at most 100 parameters a statement. */
const ID_CHUNK = 90;

/**
 * One cascade chunk of a deleted customer's objects: up to 1000 keys, counted into the receipt
 * before they are deleted. The count moves with a cursor (the last key counted) in the same
 * conditional UPDATE, so a chunk retried after a crash between the two steps, or delivered twice,
 * lists the same keys again but counts none of them twice. Keys list in ascending order, and no
 * new object can appear under the prefix (the customer's credentials are gone), so every key
 * is counted exactly once. Returns the number deleted, or Infinity while more remain (so the
 * cascade's drain goes on whatever its chunk size).
 */
export async function deleteCustomerObjectsChunk(env: Env, customerId: string): Promise<number> {
  const listed = await env.FILES_BUCKET.list({ prefix: `${customerId}/`, limit: R2_BATCH });
  const keys = listed.objects.map((o) => o.key);
  if (keys.length === 0) return 0;
  const db = getDb(env.DB);
  const [job] = await db
    .select({ cursor: deletionJobs.storageCursor })
    .from(deletionJobs)
    .where(eq(deletionJobs.customerId, customerId))
    .limit(1);
  if (!job) throw new Error("no deletion job");
  const uncounted = keys.filter((k) => k > job.cursor).length;
  const last = keys.at(-1);
  if (uncounted > 0 && last !== undefined) {
    const counted = await d1Batch(env.DB, [
      sql`UPDATE deletion_jobs
          SET deleted = json_set(deleted, '$.storage_objects', coalesce(json_extract(deleted, '$.storage_objects'), 0) + ${uncounted}),
              storage_cursor = ${last}
          WHERE customer_id = ${customerId} AND storage_cursor = ${job.cursor}`,
    ]);
    // Another delivery counted first: let the queue retry this one against the new cursor.
    if (changesOf(counted, 0) === 0) throw new Error("storage cursor moved under a concurrent delivery");
  }
  await env.FILES_BUCKET.delete(keys);
  return listed.truncated ? Number.POSITIVE_INFINITY : keys.length;
}

/** Key → file id, for keys of the form `<customer_id>/<file_id>`; anything else is not ours. */
const fileIdOf = (key: string) => key.split("/")[1] ?? "";

/**
 * The cron's cleanup of objects whose row never came (an upload that died after its put) or is
 * gone (a delete that died before removing its object). Looks at one page of keys a run,
 * continuing from a cursor, and deletes only objects older than ORPHAN_MIN_AGE_MS with no row.
 */
export async function sweepOrphanObjects(env: Env, now: number): Promise<number> {
  const db = getDb(env.DB);
  const [saved] = await db.select().from(sweepCursors).where(eq(sweepCursors.name, "storage_orphans")).limit(1);
  const listed = await env.FILES_BUCKET.list({ limit: ORPHAN_SWEEP_KEYS, cursor: saved?.value || undefined });
  const old = listed.objects.filter((o) => o.uploaded.getTime() < now - ORPHAN_MIN_AGE_MS);
  const orphans: string[] = [];
  for (let i = 0; i < old.length; i += ID_CHUNK) {
    const chunk = old.slice(i, i + ID_CHUNK);
    const rows = await db
      .select({ id: files.id, customerId: files.customerId })
      .from(files)
      .where(
        inArray(
          files.id,
          chunk.map((o) => fileIdOf(o.key)),
        ),
      );
    const live = new Set(rows.map((r) => objectKey(r.customerId, r.id)));
    for (const o of chunk) if (!live.has(o.key)) orphans.push(o.key);
  }
  if (orphans.length) await env.FILES_BUCKET.delete(orphans);
  const next = listed.truncated ? listed.cursor : "";
  await db
    .insert(sweepCursors)
    .values({ name: "storage_orphans", value: next })
    .onConflictDoUpdate({ target: sweepCursors.name, set: { value: next } });
  return orphans.length;
}

/** Whether a file row still exists (used to keep a just-written object when unsure). */
export async function fileRowExists(env: Env, customerId: string, fileId: string): Promise<boolean> {
  const db = getDb(env.DB);
  const [row] = await db
    .select({ id: files.id })
    .from(files)
    .where(and(eq(files.id, fileId), eq(files.customerId, customerId)))
    .limit(1);
  return row !== undefined;
}
