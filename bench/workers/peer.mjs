// The peer: the two benchmarked reads as a competent developer would write them with the same
// stack and nothing else (Hono, hono/jwt, drizzle with a query built per request, Date-based
// timestamps). Same database, same tokens (JWT_SECRET), same response shapes; none of the
// service's features (no access keys, no revocation check, no audit, no idempotency, no OpenAPI).
// Bundled by the bench with esbuild (bench/lib/build.mjs), like any Worker would be.
import { and, desc, eq, ne } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { Hono } from "hono";
import { jwt } from "hono/jwt";

const customers = sqliteTable("customers", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  detail: text("detail").notNull(),
  email: text("email").notNull(),
  phoneNumber: text("phone_number").notNull(),
  address: text("address").notNull(),
  webhookMethod: text("webhook_method").notNull(),
  webhookUri: text("webhook_uri").notNull(),
  billingAccountId: text("billing_account_id").notNull(),
  rtpDebug: integer("rtp_debug", { mode: "boolean" }).notNull(),
  emailVerified: integer("email_verified", { mode: "boolean" }).notNull(),
  status: text("status").notNull(),
  identityVerificationStatus: text("identity_verification_status").notNull(),
  tmDeletionScheduled: integer("tm_deletion_scheduled"),
  tmCreate: integer("tm_create").notNull(),
  tmUpdate: integer("tm_update").notNull(),
  tmDelete: integer("tm_delete"),
});

const iso = (ms) => (ms == null ? null : new Date(ms).toISOString());
const toJson = (r) => ({
  id: r.id,
  name: r.name,
  detail: r.detail,
  email: r.email,
  phone_number: r.phoneNumber,
  address: r.address,
  webhook_method: r.webhookMethod,
  webhook_uri: r.webhookUri,
  billing_account_id: r.billingAccountId,
  metadata: { rtp_debug: r.rtpDebug },
  email_verified: r.emailVerified,
  status: r.status,
  identity_verification_status: r.identityVerificationStatus,
  tm_deletion_scheduled: iso(r.tmDeletionScheduled),
  tm_create: iso(r.tmCreate),
  tm_update: iso(r.tmUpdate),
  tm_delete: iso(r.tmDelete),
});

const SUPER_ADMIN = 0x0001;
const app = new Hono();
app.use("/v1.0/*", (c, next) => jwt({ secret: c.env.JWT_SECRET, alg: "HS256" })(c, next));

app.get("/v1.0/customer", async (c) => {
  const { customer_id } = c.get("jwtPayload");
  const [row] = await drizzle(c.env.DB).select().from(customers).where(eq(customers.id, customer_id)).limit(1);
  if (!row) return c.json({ error: "not found" }, 404);
  return c.json(toJson(row));
});

app.get("/v1.0/customers", async (c) => {
  if ((c.get("jwtPayload").permission & SUPER_ADMIN) === 0) return c.json({ error: "forbidden" }, 403);
  const size = Math.min(100, Math.max(1, Number(c.req.query("page_size") ?? 100) || 100));
  const rows = await drizzle(c.env.DB)
    .select()
    .from(customers)
    .where(and(ne(customers.status, "deleted")))
    .orderBy(desc(customers.tmCreate), desc(customers.id))
    .limit(size + 1);
  const page = rows.slice(0, size);
  const last = page[page.length - 1];
  return c.json({
    result: page.map(toJson),
    next_page_token: rows.length > size && last ? btoa(`${last.tmCreate}:${last.id}`) : "",
  });
});

export default { fetch: (request, env, ctx) => app.fetch(request, env, ctx) };
