import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import type * as schema from "./schema";

/** The D1 binding itself, or one request's session on it (read replication, src/middleware/d1-session.ts). */
export type D1Client = D1Database | D1DatabaseSession;

export type Db = DrizzleD1Database<typeof schema> & { $client: D1Client };

// Nothing here uses drizzle's relational queries (db.query.*), so an instance needs no schema:
// without one it is three small objects, cheap enough to make per request for a request's D1
// session. Building the schema's relational config per request used to cost measurable CPU
// (bench/README.md). Instances on the binding itself are kept, one per binding per isolate.
const instances = new WeakMap<D1Client, Db>();

export function getDb(d1: D1Client): Db {
  let db = instances.get(d1);
  if (!db) {
    db = drizzle(d1 as D1Database) as unknown as Db;
    instances.set(d1, db);
  }
  return db;
}
