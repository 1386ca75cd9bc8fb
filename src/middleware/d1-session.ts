import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { getDb } from "../db/client";
import { invalidArgument } from "../lib/errors";
import { setResponseHeader } from "../lib/response-headers";
import { isReadMethod } from "../lib/route";

/** Request and response header carrying a D1 session bookmark. */
export const BOOKMARK_HEADER = "x-d1-bookmark";
// Bookmarks are opaque to us; whatever D1 issued is short printable ASCII.
const BOOKMARK = /^[\x21-\x7e]{1,256}$/;

/**
 * Every request talks to D1 through a session of its own (D1 read replication):
 * - reads start `first-unconstrained` (the nearest replica), or at the bookmark the client sent
 *   back, which makes them at least as fresh as whatever that bookmark saw;
 * - writes start `first-primary`, so every statement and the credential check run on the primary.
 * The response carries the session's bookmark: a client that sends it with its next request reads
 * its own writes. A write that went to D1 only through a Durable Object (lifecycle transitions)
 * asks the primary once for its bookmark, which is after the object's write.
 */
export const d1Session = createMiddleware<AppEnv>(async (c, next) => {
  const sent = c.req.header(BOOKMARK_HEADER);
  if (sent !== undefined && !BOOKMARK.test(sent)) {
    throw invalidArgument("INVALID_BOOKMARK", `${BOOKMARK_HEADER} must be a bookmark this API returned.`, [
      { field: BOOKMARK_HEADER },
    ]);
  }
  const read = isReadMethod(c.req.method);
  const session = c.env.DB.withSession(read ? (sent ?? "first-unconstrained") : "first-primary");
  c.set("db", getDb(session));
  await next();
  let bookmark = session.getBookmark();
  if (bookmark === null && !read && c.res.status < 400) {
    await session.prepare("SELECT 1").run();
    bookmark = session.getBookmark();
  }
  bookmark ??= read ? (sent ?? null) : null;
  if (bookmark) setResponseHeader(c, BOOKMARK_HEADER, bookmark);
});
