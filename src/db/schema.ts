import { sql } from "drizzle-orm";
import {
  type AnySQLiteColumn,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
  type SQLiteColumnBuilderBase,
  type SQLiteTableExtraConfigValue,
} from "drizzle-orm/sqlite-core";

// Timestamps are stored as integer epoch milliseconds (compact, index-friendly, exact keyset
// cursors) and rendered as ISO 8601 at the edge of the API.
const ms = (name: string) => integer(name, { mode: "number" });

export const ZERO_UUID = "00000000-0000-0000-0000-000000000000";

export const customerStatuses = ["initial", "active", "frozen", "deleted", "expired"] as const;
export type CustomerStatus = (typeof customerStatuses)[number];
/** The statuses that end an account: its email and usernames are free again, its credentials dead. */
export const endedCustomerStatuses = ["deleted", "expired"] as const satisfies CustomerStatus[];
/** Every other status: the customer signs in and holds its email (`customers_email_live_uq`). */
export const liveCustomerStatuses = customerStatuses.filter(
  (s): s is Exclude<CustomerStatus, (typeof endedCustomerStatuses)[number]> =>
    !(endedCustomerStatuses as readonly string[]).includes(s),
);
export const isLiveStatus = (status: string) => (liveCustomerStatuses as readonly string[]).includes(status);

export const identityVerificationStatuses = ["none", "pending", "verified", "rejected"] as const;
export type IdentityVerificationStatus = (typeof identityVerificationStatuses)[number];

export const customers = sqliteTable(
  "customers",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull().default(""),
    detail: text("detail").notNull().default(""),
    email: text("email").notNull().default(""),
    phoneNumber: text("phone_number").notNull().default(""),
    address: text("address").notNull().default(""),
    webhookMethod: text("webhook_method").notNull().default(""),
    webhookUri: text("webhook_uri").notNull().default(""),
    billingAccountId: text("billing_account_id").notNull().default(ZERO_UUID),
    rtpDebug: integer("rtp_debug", { mode: "boolean" }).notNull().default(false),
    emailVerified: integer("email_verified", { mode: "boolean" }).notNull().default(false),
    status: text("status", { enum: customerStatuses }).notNull(),
    identityVerificationStatus: text("identity_verification_status", { enum: identityVerificationStatuses })
      .notNull()
      .default("none"),
    webhookSecret: text("webhook_secret").notNull().default(""),
    // The secret before the last rotation: deliveries carry both signatures for 24 hours.
    webhookSecretPrevious: text("webhook_secret_previous").notNull().default(""),
    tmWebhookSecretRotated: ms("tm_webhook_secret_rotated"),
    // Set when the endpoint answered 410 Gone; cleared when a webhook_uri is set again.
    webhookDisabled: integer("webhook_disabled", { mode: "boolean" }).notNull().default(false),
    tmDeletionScheduled: ms("tm_deletion_scheduled"),
    tmCreate: ms("tm_create").notNull(),
    tmUpdate: ms("tm_update").notNull(),
    tmDelete: ms("tm_delete"),
    // Bumped by every write: optimistic concurrency for partial updates, and the ETag.
    version: integer("version").notNull().default(1),
  },
  (t) => [
    // Keyset pagination, newest first; the id breaks ties on tm_create.
    index("customers_list_idx").on(t.tmCreate, t.id),
    index("customers_status_list_idx").on(t.status, t.tmCreate, t.id),
    // A live customer's email is unique; deleted (anonymized) and expired accounts free it.
    uniqueIndex("customers_email_live_uq").on(t.email).where(sql`status NOT IN ('deleted', 'expired') AND email <> ''`),
    index("customers_email_idx").on(t.email),
    // The cron sweep looks for overdue frozen and initial customers.
    index("customers_deletion_due_idx").on(t.status, t.tmDeletionScheduled),
  ],
);

// Permission bits as on the real platform.
export const Permission = {
  ProjectSuperAdmin: 1,
  CustomerAgent: 16,
  CustomerAdmin: 32,
  CustomerManager: 64,
} as const;

// Every owned resource kind shares these columns and the per-tenant keyset index; the kinds
// differ only in a few columns of their own.
const ownedColumns = () => ({
  id: text("id").primaryKey(),
  customerId: text("customer_id").notNull(),
  name: text("name").notNull().default(""),
  detail: text("detail").notNull().default(""),
  tmCreate: ms("tm_create").notNull(),
  tmUpdate: ms("tm_update").notNull(),
  version: integer("version").notNull().default(1),
});

function ownedTable<TName extends string, TExtra extends Record<string, SQLiteColumnBuilderBase>>(
  name: TName,
  extra: TExtra,
  // drizzle cannot type a callback over generic columns; the table's own type stays exact.
  extraIndexes: (t: any) => SQLiteTableExtraConfigValue[] = () => [],
) {
  return sqliteTable(name, { ...ownedColumns(), ...extra }, (t: any) => [
    index(`${name}_customer_list_idx`).on(t.customerId, t.tmCreate, t.id),
    ...extraIndexes(t),
  ]);
}

// Tag lists (tag_ids) and flow ids (*_flow_id) name the same customer's tags and flows: triggers
// check them in every writing statement and clear them when the tag or flow goes (migrations/0015).
// The rows that name a flow are indexed, so a flow's deletion finds them by lookup.
const namesAFlow = (name: string, column: AnySQLiteColumn) =>
  index(name)
    .on(column)
    .where(sql.raw(`${column.name} <> '${ZERO_UUID}'`));

export const agents = ownedTable(
  "agents",
  {
    username: text("username").notNull(),
    passwordHash: text("password_hash").notNull(),
    permission: integer("permission").notNull(),
    isGuest: integer("is_guest", { mode: "boolean" }).notNull().default(false),
    ringMethod: text("ring_method").notNull().default("ringall"),
    status: text("status").notNull().default("offline"),
    tagIds: text("tag_ids", { mode: "json" }).$type<string[]>().notNull().default([]),
    addresses: text("addresses", { mode: "json" }).$type<unknown[]>().notNull().default([]),
    // Carried in the agent's JWTs (`ver`); a trigger bumps it on any password or permission change.
    tokenVersion: integer("token_version").notNull().default(1),
  },
  (t) => [uniqueIndex("agents_username_uq").on(t.username)],
);

export const numbers = ownedTable(
  "numbers",
  {
    number: text("number").notNull(),
    callFlowId: text("call_flow_id").notNull().default(ZERO_UUID),
    messageFlowId: text("message_flow_id").notNull().default(ZERO_UUID),
  },
  (t) => [
    uniqueIndex("numbers_number_uq").on(t.number),
    namesAFlow("numbers_call_flow_idx", t.callFlowId),
    namesAFlow("numbers_message_flow_idx", t.messageFlowId),
  ],
);

export const flows = ownedTable(
  "flows",
  {
    type: text("type").notNull().default("flow"),
    actions: text("actions", { mode: "json" }).$type<unknown[]>().notNull().default([]),
    onCompleteFlowId: text("on_complete_flow_id").notNull().default(ZERO_UUID),
  },
  (t) => [namesAFlow("flows_on_complete_flow_idx", t.onCompleteFlowId)],
);

export const queues = ownedTable(
  "queues",
  {
    routingMethod: text("routing_method").notNull().default("random"),
    tagIds: text("tag_ids", { mode: "json" }).$type<string[]>().notNull().default([]),
    waitTimeout: integer("wait_timeout").notNull().default(0),
    waitFlowId: text("wait_flow_id").notNull().default(ZERO_UUID),
    serviceTimeout: integer("service_timeout").notNull().default(0),
  },
  (t) => [namesAFlow("queues_wait_flow_idx", t.waitFlowId)],
);

export const trunks = ownedTable("trunks", {
  domainName: text("domain_name").notNull().default(""),
  allowedIps: text("allowed_ips", { mode: "json" }).$type<string[]>().notNull().default([]),
  authTypes: text("auth_types", { mode: "json" }).$type<string[]>().notNull().default([]),
  username: text("username").notNull().default(""),
  // A SIP credential, sealed (src/lib/sealed.ts), not hashed: the registrar needs it back. '' = unset.
  passwordSealed: text("password_sealed").notNull().default(""),
});

export const extensions = ownedTable(
  "extensions",
  {
    extension: text("extension").notNull(),
    // Sealed like a trunk's (migration 0017); '' = unset.
    passwordSealed: text("password_sealed").notNull(),
  },
  (t) => [uniqueIndex("extensions_customer_extension_uq").on(t.customerId, t.extension)],
);

// The bytes live in R2 under `<customer_id>/<id>` (src/storage/objects.ts); a row made by the
// JSON create (metadata only) has no object and an empty uri_download.
export const files = ownedTable("files", {
  filename: text("filename").notNull().default(""),
  contentType: text("content_type").notNull().default("application/octet-stream"),
  // API name `filesize`: the number of bytes stored.
  sizeBytes: integer("size_bytes").notNull().default(0),
  type: text("type").notNull().default(""),
  ownerType: text("owner_type").notNull().default(""),
  ownerId: text("owner_id").notNull().default(ZERO_UUID),
  referenceType: text("reference_type").notNull().default(""),
  referenceId: text("reference_id").notNull().default(ZERO_UUID),
  uriDownload: text("uri_download").notNull().default(""),
});

export const billingAccounts = ownedTable("billing_accounts", {
  balance: real("balance").notNull().default(0),
  currency: text("currency").notNull().default("USD"),
  paymentType: text("payment_type").notNull().default("prepaid"),
  paymentMethod: text("payment_method").notNull().default(""),
  planType: text("plan_type").notNull().default("free"),
});

export const tags = ownedTable("tags", {});

/**
 * Which agent, queue or contact names which tag, kept by triggers from their tag_ids
 * (migrations/0015, WITHOUT ROWID there): a tag's deletion finds the rows to clear by lookup.
 * Never written by the service's code.
 */
export const tagReferences = sqliteTable(
  "tag_references",
  {
    tagId: text("tag_id").notNull(),
    tableName: text("table_name").notNull(),
    rowId: text("row_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tagId, t.tableName, t.rowId] }), index("tag_references_row_idx").on(t.rowId)],
);

export const transcriptions = ownedTable(
  "transcriptions",
  {
    referenceType: text("reference_type").notNull().default(""),
    referenceId: text("reference_id").notNull().default(ZERO_UUID),
    language: text("language").notNull().default("en-US"),
    status: text("status").notNull().default("done"),
    direction: text("direction").notNull().default("both"),
    provider: text("provider").notNull().default(""),
    onEndFlowId: text("on_end_flow_id").notNull().default(ZERO_UUID),
    activeflowId: text("activeflow_id").notNull().default(ZERO_UUID),
  },
  (t) => [namesAFlow("transcriptions_on_end_flow_idx", t.onEndFlowId)],
);

export const contacts = ownedTable("contacts", {
  firstName: text("first_name").notNull().default(""),
  lastName: text("last_name").notNull().default(""),
  email: text("email").notNull().default(""),
  phoneNumber: text("phone_number").notNull().default(""),
  company: text("company").notNull().default(""),
  displayName: text("display_name").notNull().default(""),
  jobTitle: text("job_title").notNull().default(""),
  source: text("source").notNull().default("manual"),
  externalId: text("external_id").notNull().default(""),
  notes: text("notes").notNull().default(""),
  addresses: text("addresses", { mode: "json" }).$type<unknown[]>().notNull().default([]),
  tagIds: text("tag_ids", { mode: "json" }).$type<string[]>().notNull().default([]),
});

export const accesskeys = sqliteTable(
  "accesskeys",
  {
    id: text("id").primaryKey(),
    customerId: text("customer_id").notNull(),
    name: text("name").notNull().default(""),
    detail: text("detail").notNull().default(""),
    // Only the SHA-256 of the token is kept; the token itself is shown once, at creation.
    tokenHash: text("token_hash").notNull(),
    // The token's first characters ("vb_" + 8), shown on every read so a key can be recognised.
    tokenPrefix: text("token_prefix").notNull().default(""),
    // Super-admin keys (customer_id = zero UUID) only: the binding to the operator credentials they
    // were created under (src/domain/accesskey.ts); they stop working once those change.
    operatorBinding: text("operator_binding").notNull().default(""),
    tmExpire: ms("tm_expire").notNull(),
    tmCreate: ms("tm_create").notNull(),
    tmUpdate: ms("tm_update").notNull(),
  },
  (t) => [
    uniqueIndex("accesskeys_token_hash_uq").on(t.tokenHash),
    index("accesskeys_customer_list_idx").on(t.customerId, t.tmCreate, t.id),
  ],
);

export const emailVerifications = sqliteTable(
  "email_verifications",
  {
    tokenHash: text("token_hash").primaryKey(),
    customerId: text("customer_id").notNull(),
    // The address the link went to: a token never verifies an address changed since.
    email: text("email").notNull(),
    tmExpire: ms("tm_expire").notNull(),
    tmUsed: ms("tm_used"),
    tmCreate: ms("tm_create").notNull(),
  },
  (t) => [index("email_verifications_customer_idx").on(t.customerId)],
);

// "Set your password" and "forgot password" links: single-use, one hour, only the SHA-256 stored.
export const passwordResets = sqliteTable(
  "password_resets",
  {
    tokenHash: text("token_hash").primaryKey(),
    agentId: text("agent_id").notNull(),
    customerId: text("customer_id").notNull(),
    tmExpire: ms("tm_expire").notNull(),
    tmUsed: ms("tm_used"),
    tmCreate: ms("tm_create").notNull(),
  },
  (t) => [index("password_resets_agent_idx").on(t.agentId), index("password_resets_tm_expire_idx").on(t.tmExpire)],
);

// What a signup handed out before its address was proven, while the mailbox owner's decision
// (keep or revoke) is pending: src/domain/signup-credentials.ts.
export const signupCredentials = sqliteTable(
  "signup_credentials",
  {
    customerId: text("customer_id").primaryKey(),
    agentId: text("agent_id").notNull(),
    accesskeyId: text("accesskey_id").notNull(),
    // The signup chose the admin agent's password (else it has none until a mailed link sets one).
    passwordSet: integer("password_set", { mode: "boolean" }).notNull().default(false),
    tmCreate: ms("tm_create").notNull(),
  },
  (t) => [index("signup_credentials_agent_idx").on(t.agentId)],
);

export const customerEventTypes = [
  "customer_created",
  "customer_updated",
  "customer_frozen",
  "customer_recovered",
  "customer_deleted",
  "customer_expired",
  "customer_identity_verification_updated",
] as const;
export type CustomerEventType = (typeof customerEventTypes)[number];

export const eventDeliveryStatuses = ["none", "pending", "delivered", "failed", "disabled"] as const;

// Written in the same D1 batch as the change it describes: no event without its change.
export const customerEvents = sqliteTable(
  "customer_events",
  {
    id: text("id").primaryKey(),
    customerId: text("customer_id").notNull(),
    type: text("type", { enum: customerEventTypes }).notNull(),
    data: text("data", { mode: "json" }).notNull(),
    // Where the event goes, fixed when it happens: a deleted customer's last event still reaches
    // the address it had before anonymization.
    webhookMethod: text("webhook_method").notNull().default(""),
    webhookUri: text("webhook_uri").notNull().default(""),
    // Signing keys carried only by customer_deleted (the customer's own are erased); cleared once sent.
    signingSecrets: text("signing_secrets", { mode: "json" }).$type<string[]>().notNull().default([]),
    deliveryStatus: text("delivery_status", { enum: eventDeliveryStatuses }).notNull().default("none"),
    // When the event was last handed to the webhook queue.
    tmDispatched: ms("tm_dispatched"),
    // The dispatcher's claim is a lease: until then the queue holds the event; after it, with the
    // event still pending, the message was lost and the next dispatch sends the event again.
    tmLeaseExpire: ms("tm_lease_expire"),
    tmCreate: ms("tm_create").notNull(),
  },
  (t) => [
    index("customer_events_customer_list_idx").on(t.customerId, t.tmCreate, t.id),
    index("customer_events_tm_create_idx").on(t.tmCreate),
    // The outbox: events still to hand to the webhook queue, and leases to take over.
    index("customer_events_lease_idx").on(t.tmLeaseExpire, t.tmCreate).where(sql`delivery_status = 'pending'`),
  ],
);

export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    customerId: text("customer_id").notNull(),
    eventId: text("event_id").notNull(),
    attempt: integer("attempt").notNull(),
    statusCode: integer("status_code").notNull().default(0),
    error: text("error").notNull().default(""),
    tmCreate: ms("tm_create").notNull(),
  },
  (t) => [
    index("webhook_deliveries_customer_list_idx").on(t.customerId, t.tmCreate, t.id),
    index("webhook_deliveries_tm_create_idx").on(t.tmCreate),
  ],
);

export const deletionJobStatuses = ["pending", "running", "finished", "failed"] as const;

// The receipt of a permanent deletion: what the cascade removed, kind by kind.
export const deletionJobs = sqliteTable(
  "deletion_jobs",
  {
    customerId: text("customer_id").primaryKey(),
    status: text("status", { enum: deletionJobStatuses }).notNull(),
    // Rows of each kind the customer owned when it was deleted: what the cascade removes.
    deleted: text("deleted", { mode: "json" }).$type<Record<string, number>>().notNull(),
    error: text("error").notNull().default(""),
    tmStart: ms("tm_start").notNull(),
    tmProgress: ms("tm_progress").notNull(),
    tmFinish: ms("tm_finish"),
    // The last R2 key counted into deleted.storage_objects: a retried chunk never counts twice.
    storageCursor: text("storage_cursor").notNull().default(""),
  },
  (t) => [index("deletion_jobs_status_progress_idx").on(t.status, t.tmProgress)],
);

// Small named positions for the cron sweeps, so each run continues where the last stopped.
export const sweepCursors = sqliteTable("sweep_cursors", {
  name: text("name").primaryKey(),
  value: text("value").notNull(),
});

// Idempotency-Key records. The key itself is not stored: rows are found by a hash of (caller,
// key), and the saved response is encrypted with a key derived from it, so access keys or
// tokens in a replayed response are unreadable from the table alone.
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    keyHash: text("key_hash").primaryKey(),
    requestHash: text("request_hash").notNull(),
    state: text("state", { enum: ["in_progress", "done"] }).notNull(),
    response: text("response").notNull().default(""),
    tmCreate: ms("tm_create").notNull(),
  },
  (t) => [index("idempotency_keys_tm_create_idx").on(t.tmCreate)],
);

// Who changed what: field names, never values; no usernames or emails, and the client IP is
// erased when the customer is deleted.
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    customerId: text("customer_id").notNull(),
    actorKind: text("actor_kind", { enum: ["agent", "accesskey", "anonymous"] }).notNull(),
    actorId: text("actor_id").notNull(),
    actorPermission: integer("actor_permission").notNull(),
    action: text("action").notNull(),
    changedFields: text("changed_fields", { mode: "json" }).$type<string[]>().notNull(),
    statusCode: integer("status_code").notNull(),
    requestId: text("request_id").notNull(),
    ip: text("ip").notNull(),
    tmCreate: ms("tm_create").notNull(),
  },
  (t) => [index("audit_log_customer_list_idx").on(t.customerId, t.tmCreate, t.id)],
);

export type CustomerRow = typeof customers.$inferSelect;
export type AgentRow = typeof agents.$inferSelect;
export type AccesskeyRow = typeof accesskeys.$inferSelect;
