import { DurableObject } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { d1Batch, type BatchStatement } from "../db/batch";
import { getDb, type Db } from "../db/client";
import {
  accesskeys,
  agents,
  customerEvents,
  customers,
  emailVerifications,
  passwordResets,
  signupCredentials,
  type CustomerEventType,
  type CustomerRow,
} from "../db/schema";
import { anonymizedColumns } from "../domain/customer";
import { eventStatement, eventTargetOf, getCustomerRow, updateCustomer } from "../domain/customer-store";
import { dispatchPendingEvents } from "../webhooks/dispatch";
import { activeSecrets } from "../webhooks/secrets";
import { applyEmailVerification } from "../domain/email-verification";
import type { SignupCredentialsChoice } from "../domain/signup-credentials";
import type { Env } from "../env";
import { configOf } from "../config";
import { recordDeletionJob, startCascade } from "./cascade";
import type { TransitionError, TransitionResult } from "./customer-lifecycle-client";

const fail = (error: TransitionError): TransitionResult => ({ ok: false, error });
const ok = (customer: CustomerRow): TransitionResult => ({ ok: true, customer });

/**
 * One instance per customer (idFromName(customer id)). It is the only writer of `status` and
 * `tm_deletion_scheduled`: every transition runs inside blockConcurrencyWhile, so two requests
 * for the same customer never interleave, and its one alarm fires the scheduled transition
 * (signup expiry or deletion after the grace period).
 */
export class CustomerLifecycle extends DurableObject<Env> {
  private get db(): Db {
    return getDb(this.env.DB);
  }

  private serialized<T>(customerId: string, work: (row: CustomerRow | null) => Promise<T>): Promise<T> {
    return this.ctx.blockConcurrencyWhile(async () => {
      await this.ctx.storage.put("customerId", customerId);
      const result = await work(await getCustomerRow(this.db, customerId));
      // The transition recorded an event: queue its webhook now (the cron covers a failure).
      this.ctx.waitUntil(dispatchPendingEvents(this.env).catch(() => undefined));
      return result;
    });
  }

  get gracePeriodMs() {
    return configOf(this.env).gracePeriodMs;
  }

  get signupExpiryMs() {
    return configOf(this.env).signupExpiryMs;
  }

  /** A new signup: expire it unless its email is verified in time. */
  async trackSignup(customerId: string): Promise<void> {
    await this.serialized(customerId, async (row) => {
      if (row?.status === "initial") await this.ctx.storage.setAlarm(row.tmCreate + this.signupExpiryMs);
    });
  }

  /** initial → active with the email verified; an active customer only gets email_verified. */
  async verifyEmail(
    customerId: string,
    email: string,
    tokenHash: string,
    choice: SignupCredentialsChoice,
  ): Promise<TransitionResult> {
    return this.serialized(customerId, async (row) => {
      // The write is conditional on the address and on the token being unspent: a token is spent
      // once, and never verifies an address it was not sent to, whatever ran since this read.
      const updated = await applyEmailVerification(this.db, row, { email, tokenHash }, choice);
      if (!updated) {
        return fail({
          status: "FAILED_PRECONDITION",
          reason: "ACCOUNT_NOT_VERIFIABLE",
          message: "The account can no longer be verified.",
        });
      }
      if (row!.status === "initial") await this.ctx.storage.deleteAlarm();
      return ok(updated);
    });
  }

  /** active → frozen, deletion scheduled after the grace period. Repeating it keeps the schedule. */
  async freeze(customerId: string): Promise<TransitionResult> {
    return this.serialized(customerId, async (row) => {
      if (!row) return fail(notFound);
      if (row.status === "frozen") {
        await this.ensureDeletionAlarm(row);
        return ok(row);
      }
      if (row.status !== "active") {
        return fail({
          status: "FAILED_PRECONDITION",
          reason: "ACCOUNT_NOT_ACTIVE",
          message: `A ${row.status} account cannot be unregistered.`,
        });
      }
      const at = Date.now() + this.gracePeriodMs;
      const updated = await this.write(row, { status: "frozen", tmDeletionScheduled: at }, "customer_frozen");
      await this.ctx.storage.setAlarm(at);
      return ok(updated);
    });
  }

  /** frozen → active: the scheduled deletion and its alarm are cancelled. */
  async recover(customerId: string): Promise<TransitionResult> {
    return this.serialized(customerId, async (row) => {
      if (!row) return fail(notFound);
      if (row.status !== "frozen") {
        return fail({
          status: "FAILED_PRECONDITION",
          reason: "ACCOUNT_NOT_FROZEN",
          message: "Only a frozen account can be recovered.",
        });
      }
      const updated = await this.write(row, { status: "active", tmDeletionScheduled: null }, "customer_recovered");
      await this.ctx.storage.deleteAlarm();
      return ok(updated);
    });
  }

  /** Permanent deletion, from any state but expired; exactly once (a deleted customer stays as it is). */
  async deleteNow(customerId: string): Promise<TransitionResult> {
    return this.serialized(customerId, async (row) => {
      if (!row) return fail(notFound);
      if (row.status === "deleted") return ok(row);
      // Expired is terminal: the account is already closed, and its record says it expired.
      if (row.status === "expired") {
        return fail({
          status: "FAILED_PRECONDITION",
          reason: "ACCOUNT_EXPIRED",
          message: "An expired account is closed for good; there is nothing to delete.",
          code: 409,
        });
      }
      const deleted = await this.permanentlyDelete(row);
      await this.ctx.storage.deleteAlarm();
      return ok(deleted);
    });
  }

  /** initial → expired once the signup window has passed; a no-op otherwise. */
  async expireIfOverdue(customerId: string): Promise<TransitionResult> {
    return this.serialized(customerId, async (row) => {
      if (!row) return fail(notFound);
      if (row.status !== "initial") return ok(row);
      const due = row.tmCreate + this.signupExpiryMs;
      if (due > Date.now()) {
        await this.ctx.storage.setAlarm(due);
        return ok(row);
      }
      return ok(await this.expire(row));
    });
  }

  /** Deletes a frozen customer whose grace period is over; re-arms a missing alarm otherwise. */
  async deleteIfOverdue(customerId: string): Promise<TransitionResult> {
    return this.serialized(customerId, async (row) => {
      if (!row) return fail(notFound);
      if (row.status !== "frozen" || row.tmDeletionScheduled === null) return ok(row);
      if (row.tmDeletionScheduled > Date.now()) {
        await this.ensureDeletionAlarm(row);
        return ok(row);
      }
      const deleted = await this.permanentlyDelete(row);
      await this.ctx.storage.deleteAlarm();
      return ok(deleted);
    });
  }

  override async alarm(): Promise<void> {
    const customerId = await this.ctx.storage.get<string>("customerId");
    if (!customerId) return;
    // The row, not the alarm, says what is due: an alarm left over from a cancelled unregister
    // finds an active customer and does nothing. A throw here makes the runtime retry the alarm.
    const row = await getCustomerRow(this.db, customerId);
    if (row?.status === "frozen") await this.deleteIfOverdue(customerId);
    else if (row?.status === "initial") await this.expireIfOverdue(customerId);
  }

  private async ensureDeletionAlarm(row: CustomerRow) {
    if (row.tmDeletionScheduled === null) return;
    const current = await this.ctx.storage.getAlarm();
    if (current !== row.tmDeletionScheduled) await this.ctx.storage.setAlarm(row.tmDeletionScheduled);
  }

  /** A status change and its event in one batch (versioned, so a concurrent profile edit is kept). */
  private write(row: CustomerRow, change: Partial<CustomerRow>, event: CustomerEventType): Promise<CustomerRow> {
    return updateCustomer(this.db, row.id, change, { current: row, event });
  }

  /**
   * The statements that close an account for good, deleted or expired alike: PII anonymized,
   * credentials revoked and sign-in identities (agents' usernames, the email) freed, earlier
   * events (they carry the PII) removed, and the final, anonymized event, delivered to the
   * address the customer had and signed with the secrets it had.
   */
  private closeAccount(
    row: CustomerRow,
    status: "deleted" | "expired",
    event: CustomerEventType,
    before: (now: number) => BatchStatement[] = () => [],
  ) {
    const db = this.db;
    const now = Math.max(Date.now(), row.tmUpdate);
    const closed: CustomerRow = { ...row, ...anonymizedColumns(now, status), version: row.version + 1 };
    const target = eventTargetOf(row);
    const statements = [
      db
        .update(customers)
        .set({ ...anonymizedColumns(now, status), version: closed.version })
        .where(eq(customers.id, row.id)),
      // Statements of the caller that must see the rows before they go (the deletion's counts).
      ...before(now),
      db.delete(accesskeys).where(eq(accesskeys.customerId, row.id)),
      // Agents go now, not through the queue: their usernames are sign-in identities (and emails).
      db.delete(agents).where(eq(agents.customerId, row.id)),
      db.delete(emailVerifications).where(eq(emailVerifications.customerId, row.id)),
      db.delete(passwordResets).where(eq(passwordResets.customerId, row.id)),
      db.delete(signupCredentials).where(eq(signupCredentials.customerId, row.id)),
      db.delete(customerEvents).where(eq(customerEvents.customerId, row.id)),
      eventStatement(db, event, closed, now, target && { ...target, signingSecrets: activeSecrets(row, now) }),
    ];
    return { closed, statements };
  }

  /** Permanent deletion: the account is closed with the deletion job recorded; the queue then deletes every other owned resource in chunks. */
  private async permanentlyDelete(row: CustomerRow): Promise<CustomerRow> {
    const { closed, statements } = this.closeAccount(row, "deleted", "customer_deleted", (now) => [
      recordDeletionJob(row.id, now),
    ]);
    await d1Batch(this.env.DB, statements);
    await startCascade(this.env, row.id);
    return closed;
  }

  /** initial → expired: closed exactly as a deletion is (a signup owns no resources to cascade). */
  private async expire(row: CustomerRow): Promise<CustomerRow> {
    const { closed, statements } = this.closeAccount(row, "expired", "customer_expired");
    await d1Batch(this.env.DB, statements);
    await this.ctx.storage.deleteAlarm();
    return closed;
  }
}

const notFound: TransitionError = { status: "NOT_FOUND", reason: "NOT_FOUND", message: "The customer was not found." };
