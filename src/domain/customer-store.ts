import { and, eq, ne, notInArray, sql, type SQL } from "drizzle-orm";
import { changesOf, d1Batch, type BatchStatement } from "../db/batch";
import type { Db } from "../db/client";
import {
  agents,
  customerEvents,
  customers,
  endedCustomerStatuses,
  Permission,
  ZERO_UUID,
  type CustomerEventType,
  type CustomerRow,
} from "../db/schema";
import { hashPassword, unsetPasswordHash, unusablePasswordHash } from "../auth/password";
import {
  alreadyExists,
  ApiError,
  concurrentUpdate,
  failedPrecondition,
  invalidArgument,
  notFound,
} from "../lib/errors";
import { newStorageAccountStatement } from "../storage/accounts";
import { uniqueViolation } from "../lib/db-errors";
import { ifMatchHolds, type IfMatch } from "../lib/etag";
import { randomBytes, toBase64 } from "../lib/crypto";
import { serializeCustomer, type CustomerCreate, type CustomerUpdate, profileToColumns } from "./customer";

export type Statement = BatchStatement;
type Batch = Statement[];

export const newWebhookSecret = () => `whsec_${toBase64(randomBytes(32))}`;

export async function getCustomerRow(db: Db, id: string): Promise<CustomerRow | null> {
  const [row] = await db.select().from(customers).where(eq(customers.id, id)).limit(1);
  return row ?? null;
}

/** Where an event is delivered: fixed when it happens, so later changes do not redirect it. */
export interface EventTarget {
  method: string;
  uri: string;
  /** Only for customer_deleted, whose own secrets are erased by then. */
  signingSecrets?: string[];
}

export const eventTargetOf = (row: CustomerRow): EventTarget | null =>
  row.webhookUri && !row.webhookDisabled ? { method: row.webhookMethod || "POST", uri: row.webhookUri } : null;

function eventValues(type: CustomerEventType, row: CustomerRow, now: number, target: EventTarget | null) {
  return {
    id: crypto.randomUUID(),
    customerId: row.id,
    type,
    data: serializeCustomer(row),
    webhookMethod: target?.method ?? "",
    webhookUri: target?.uri ?? "",
    signingSecrets: target?.signingSecrets ?? [],
    deliveryStatus: target ? ("pending" as const) : ("none" as const),
    tmCreate: now,
  };
}

/** An event row for the batch that makes the change; `data` is the customer as it is after it. */
export function eventStatement(
  db: Db,
  type: CustomerEventType,
  row: CustomerRow,
  now: number,
  target = eventTargetOf(row),
): Statement {
  return db.insert(customerEvents).values(eventValues(type, row, now, target));
}

const emailTaken = () =>
  alreadyExists("EMAIL_ALREADY_EXISTS", "The email is already in use.", [
    { field: "email", description: "already in use" },
  ]);
const usernameTaken = () =>
  alreadyExists("USERNAME_ALREADY_EXISTS", "The username is already in use.", [
    { field: "username", description: "already in use" },
  ]);

/** A live customer's email, or any agent's username of another customer, blocks an email. */
export async function assertEmailAvailable(db: Db, email: string, ownCustomerId?: string): Promise<void> {
  if (!email) return;
  const [customerHit, agentHit] = await db.batch([
    db
      .select({ id: customers.id })
      .from(customers)
      .where(
        and(
          eq(customers.email, email),
          notInArray(customers.status, endedCustomerStatuses),
          ownCustomerId ? ne(customers.id, ownCustomerId) : undefined,
        ),
      )
      .limit(1),
    db
      .select({ id: agents.id })
      .from(agents)
      .where(and(eq(agents.username, email), ownCustomerId ? ne(agents.customerId, ownCustomerId) : undefined))
      .limit(1),
  ]);
  if (customerHit.length || agentHit.length) throw emailTaken();
}

/** A new customer's username: no agent has it, and it is no live customer's email. */
export async function assertUsernameAvailable(db: Db, username: string): Promise<void> {
  const [agentHit, customerHit] = await db.batch([
    db.select({ id: agents.id }).from(agents).where(eq(agents.username, username)).limit(1),
    db
      .select({ id: customers.id })
      .from(customers)
      .where(and(eq(customers.email, username), notInArray(customers.status, endedCustomerStatuses)))
      .limit(1),
  ]);
  if (agentHit.length || customerHit.length) throw usernameTaken();
}

/** Runs a batch, turning a UNIQUE violation (a race lost to a concurrent writer) into a 409. */
export async function runBatch(db: Db, statements: Batch): Promise<D1Result[]> {
  try {
    return await d1Batch(db.$client, statements);
  } catch (err) {
    const column = uniqueViolation(err);
    if (column === "customers.email") throw emailTaken();
    if (column === "agents.username") throw usernameTaken();
    throw err;
  }
}

export interface NewCustomer {
  row: CustomerRow;
  adminAgentId: string;
  statements: Batch;
}

/**
 * The statements that create a customer with its first admin agent and its guest agent (the
 * seeds' recovery administrator, which never logs in with a password). Callers add their own
 * statements and run them as one batch, so a customer never exists half-made.
 */
export async function buildCustomerCreation(
  db: Db,
  input: CustomerCreate & { username: string },
  options: { status: "initial" | "active"; now: number },
): Promise<NewCustomer> {
  const { now } = options;
  const row: CustomerRow = {
    id: crypto.randomUUID(),
    name: input.name ?? "",
    detail: input.detail ?? "",
    email: input.email ?? "",
    phoneNumber: input.phone_number ?? "",
    address: input.address ?? "",
    webhookMethod: input.webhook_method ?? "",
    webhookUri: input.webhook_uri ?? "",
    billingAccountId: "00000000-0000-0000-0000-000000000000",
    rtpDebug: false,
    emailVerified: false,
    status: options.status,
    identityVerificationStatus: "none",
    webhookSecret: newWebhookSecret(),
    webhookSecretPrevious: "",
    tmWebhookSecretRotated: null,
    webhookDisabled: false,
    tmDeletionScheduled: null,
    tmCreate: now,
    tmUpdate: now,
    tmDelete: null,
    version: 1,
  };
  const adminAgentId = crypto.randomUUID();
  const statements: Batch = [
    db.insert(customers).values(row),
    db.insert(agents).values([
      {
        id: adminAgentId,
        customerId: row.id,
        username: input.username,
        // Without a password the agent cannot sign in until it sets one through a reset link.
        passwordHash: input.password === undefined ? unsetPasswordHash() : await hashPassword(input.password),
        name: input.name ?? "",
        permission: Permission.CustomerAdmin,
        isGuest: false,
        tmCreate: now,
        tmUpdate: now,
      },
      {
        id: crypto.randomUUID(),
        customerId: row.id,
        username: `guest-${row.id}@guest.voipbin.invalid`,
        passwordHash: unusablePasswordHash(),
        name: "Guest",
        detail: "Built-in administrator kept for account recovery",
        permission: Permission.CustomerAdmin,
        isGuest: true,
        tmCreate: now,
        tmUpdate: now,
      },
    ]),
    // Every customer has its storage account from the start (the platform's rule for uploads).
    newStorageAccountStatement(db, row.id, now),
    eventStatement(db, "customer_created", row, now),
  ];
  return { row, adminAgentId, statements };
}

/**
 * An operator-created customer. The admin agent's username defaults to the email; without a
 * password the caller sends the "set your password" mail to the email, so one is needed then.
 */
/** `withAnswer` adds to the creation's batch (the idempotent answer, middleware/idempotency.ts). */
export async function createCustomer(
  db: Db,
  input: CustomerCreate,
  withAnswer: (row: CustomerRow, statements: Batch) => Promise<Batch> = async (_row, s) => s,
  now = Date.now(),
): Promise<CustomerRow> {
  const username = input.username ?? input.email ?? "";
  if (!username || (input.password === undefined && !input.email)) {
    throw invalidArgument(
      "EMAIL_REQUIRED",
      'Give an email: it is the admin agent\'s username and receives its "set your password" mail when no username and password are given.',
      [{ field: "email", description: "required without username and password" }],
    );
  }
  await Promise.all([assertEmailAvailable(db, input.email ?? ""), assertUsernameAvailable(db, username)]);
  const created = await buildCustomerCreation(db, { ...input, username }, { status: "active", now });
  await runBatch(db, await withAnswer(created.row, created.statements));
  return created.row;
}

const MAX_UPDATE_ATTEMPTS = 32;

// changes() is the row count of the UPDATE just before it in the same batch (one transaction),
// so the event is written exactly when the change was.
const eventIfChanged = (e: ReturnType<typeof eventValues>) =>
  sql`INSERT INTO customer_events (id, customer_id, type, data, webhook_method, webhook_uri, signing_secrets, delivery_status, tm_create)
      SELECT ${e.id}, ${e.customerId}, ${e.type}, ${JSON.stringify(e.data)}, ${e.webhookMethod}, ${e.webhookUri}, '[]', ${e.deliveryStatus}, ${e.tmCreate}
      WHERE changes() = 1`;

/**
 * The event of a conditional change, for a batch: written only if the statement before it changed
 * a row. `written` is true, for later statements of the batch, exactly when the event (and so the
 * change) was written: unlike changes(), it holds past any number of statements.
 */
export function conditionalEvent(type: CustomerEventType, next: CustomerRow, now: number) {
  const values = eventValues(type, next, now, eventTargetOf(next));
  return {
    statement: eventIfChanged(values),
    written: sql`EXISTS (SELECT 1 FROM customer_events WHERE id = ${values.id})`,
  };
}

/** The event of a conditional change, for a batch: written only if the statement before it changed a row. */
export const eventStatementIfChanged = (type: CustomerEventType, next: CustomerRow, now: number): Statement =>
  conditionalEvent(type, next, now).statement;

/**
 * Applies a partial change with optimistic concurrency on `version`: a concurrent writer makes
 * the compare-and-set miss, and the change is re-applied on the fresh row, so no field is lost.
 * The event rides in the same batch and is written only if the update was.
 */
export async function updateCustomer(
  db: Db,
  id: string,
  change: Partial<CustomerRow>,
  options: {
    /** The request's If-Match: the change applies only to a representation it matches. */
    ifMatch?: IfMatch;
    current?: CustomerRow;
    event?: CustomerEventType;
    /** Statements for the same batch, after the event; each must act only when `written` holds. */
    alsoIfChanged?: (written: SQL) => SQL[];
    /** A condition the UPDATE itself must meet (checked in the statement, race-free), and its error. */
    guard?: { condition: SQL; error: () => ApiError };
  } = {},
): Promise<CustomerRow> {
  let current = options.current ?? (await getCustomerRow(db, id));
  for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
    // Losers of a compare-and-set spread out before trying again.
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 4 * attempt));
    if (!current) throw notFound("customer");
    if (current.status === "deleted" || current.status === "expired") {
      throw failedPrecondition("ACCOUNT_CLOSED", `The customer is ${current.status} and can no longer be changed.`);
    }
    if (options.ifMatch !== undefined && !ifMatchHolds(options.ifMatch, current.version)) {
      throw new ApiError(
        "FAILED_PRECONDITION",
        "ETAG_MISMATCH",
        "The customer changed since it was read (If-Match).",
        [],
        412,
      );
    }
    const now = Math.max(Date.now(), current.tmUpdate);
    const next: CustomerRow = { ...current, ...change, tmUpdate: now, version: current.version + 1 };
    const event = conditionalEvent(options.event ?? "customer_updated", next, now);
    const results = await runBatch(db, [
      db
        .update(customers)
        .set({ ...change, tmUpdate: now, version: next.version })
        .where(and(eq(customers.id, id), eq(customers.version, current.version), options.guard?.condition)),
      // changes() is the row count of the UPDATE just before it in this batch (one transaction),
      // so the event is written exactly when the change was.
      event.statement,
      ...(options.alsoIfChanged?.(event.written) ?? []),
    ]);
    if (changesOf(results, 0) === 1) return next;
    const fresh = await getCustomerRow(db, id);
    // Nobody else wrote the row: the guard said no.
    if (options.guard && fresh && fresh.version === current.version) throw options.guard.error();
    current = fresh;
  }
  throw concurrentUpdate("customer");
}

/**
 * For the batch that deletes a billing account: the customer's default falls back to the zero
 * UUID if it was that account, with its event, so no default points at an account that is gone.
 * Both act only if the statement before them deleted the account (`changes() = 1`).
 */
export function resetDefaultBillingStatements(
  customer: CustomerRow,
  billingAccountId: string,
  now: number,
): Statement[] {
  const next: CustomerRow = { ...customer, billingAccountId: ZERO_UUID, tmUpdate: now, version: customer.version + 1 };
  return [
    sql`UPDATE customers SET billing_account_id = ${ZERO_UUID}, version = version + 1, tm_update = ${now}
        WHERE id = ${customer.id} AND billing_account_id = ${billingAccountId} AND changes() = 1`,
    eventIfChanged(eventValues("customer_updated", next, now, eventTargetOf(next))),
  ];
}

/**
 * For the batch of an email change, only if it was written: pending verification links sent to
 * any other address are deleted, so none of them can verify the new one; and so are the pending
 * reset and "set your password" links, which were mailed under the old address.
 */
const revokeLinksOnEmailChange = (customerId: string, email: string) => (written: SQL) => [
  sql`DELETE FROM email_verifications WHERE customer_id = ${customerId} AND tm_used IS NULL AND email <> ${email} AND ${written}`,
  sql`DELETE FROM password_resets WHERE customer_id = ${customerId} AND tm_used IS NULL AND ${written}`,
];

export async function updateCustomerProfile(
  db: Db,
  id: string,
  input: CustomerUpdate,
  options: { ifMatch?: IfMatch; current?: CustomerRow } = {},
): Promise<CustomerRow> {
  if (input.email) await assertEmailAvailable(db, input.email, id);
  const change = profileToColumns(input);
  const current = options.current ?? (await getCustomerRow(db, id));
  // The address the customer moves to, if it does: a new address has not been verified yet.
  const newEmail =
    input.email !== undefined && current !== null && input.email !== current.email ? input.email : undefined;
  if (newEmail !== undefined) change.emailVerified = false;
  // Setting an address again re-enables an endpoint that answered 410 Gone.
  if (input.webhook_uri !== undefined) change.webhookDisabled = false;
  return updateCustomer(db, id, change, {
    ...options,
    current: current ?? undefined,
    // Links sent under another address stop working with the change, in its batch.
    alsoIfChanged: newEmail === undefined ? undefined : revokeLinksOnEmailChange(id, newEmail),
  });
}
