import { and, eq, exists, gt, inArray, isNull, sql } from "drizzle-orm";
import { changesOf, d1Batch } from "../db/batch";
import type { Db } from "../db/client";
import { customers, emailVerifications, type CustomerRow } from "../db/schema";
import { conditionalEvent, getCustomerRow } from "./customer-store";
import { decideSignupCredentials, type SignupCredentialsChoice } from "./signup-credentials";
import type { Env } from "../env";
import { randomBytes, sha256Hex, toHex } from "../lib/crypto";
import { sendEmail, type MailOptions, type MailOutcome } from "./mail";
import { configOf } from "../config";

/** A verification link lasts as long as an unverified signup does. */
export const verificationTtlMs = (env: Env) => configOf(env).signupExpiryMs;

/** A single-use token (32 random bytes, hex); only its SHA-256 is stored. */
export async function buildVerification(db: Db, env: Env, customerId: string, email: string, now = Date.now()) {
  const token = toHex(randomBytes(32));
  const statement = db.insert(emailVerifications).values({
    tokenHash: await sha256Hex(token),
    customerId,
    email,
    tmExpire: now + verificationTtlMs(env),
    tmCreate: now,
  });
  return { token, statement };
}

export async function sendVerificationEmail(
  env: Env,
  origin: string,
  to: string,
  token: string,
  options: MailOptions,
): Promise<MailOutcome> {
  const base = configOf(env).publicBaseUrl ?? origin;
  const link = `${base}/auth/email-verify?token=${token}`;
  return sendEmail(
    env,
    {
      to,
      subject: "Verify your VoIPBIN account",
      text: `Welcome to VoIPBIN.\n\nConfirm your email address within the next hour to activate your account:\n${link}\n\nIf you did not sign up, ignore this message.`,
    },
    options,
  );
}

/** A token that is unused and unexpired, or null. It is spent by the lifecycle with the activation. */
export async function findVerification(
  db: Db,
  token: string,
  now = Date.now(),
): Promise<{ customerId: string; email: string; tokenHash: string } | null> {
  if (!/^[0-9a-f]{64}$/i.test(token)) return null;
  const tokenHash = await sha256Hex(token.toLowerCase());
  const [row] = await db
    .select({ customerId: emailVerifications.customerId, email: emailVerifications.email })
    .from(emailVerifications)
    .where(
      and(
        eq(emailVerifications.tokenHash, tokenHash),
        isNull(emailVerifications.tmUsed),
        gt(emailVerifications.tmExpire, now),
      ),
    )
    .limit(1);
  return row ? { ...row, tokenHash } : null;
}

/**
 * Marks a token used, in the batch of the change it verifies and only if that change was made
 * (`changes() = 1` of the statement before): a failed activation leaves the link usable.
 */
export const spendVerification = (tokenHash: string, now: number) =>
  sql`UPDATE email_verifications SET tm_used = ${now} WHERE token_hash = ${tokenHash} AND tm_used IS NULL AND changes() = 1`;

/** Test seam: awaited between the verification's read of the customer and its write. */
export const verificationSeam: { afterRead?: () => Promise<void> } = {};

const MAX_VERIFY_ATTEMPTS = 3;

/**
 * Verifies the customer's email with a token sent to `email`: initial → active, email_verified;
 * for a signup's verification, with the mailbox owner's `choice` about the signup's credentials.
 * The write is one statement conditional on the customer still having that exact address (and
 * a verifiable status) and on the token still being pending, at the moment of the write; the
 * token is spent and the event written in the same batch, only if it applied. A miss caused by
 * an unrelated concurrent change (same address, token still pending) is tried again on the
 * fresh row, under the same conditions; any other miss means the token does not verify (null).
 */
export async function applyEmailVerification(
  db: Db,
  row: CustomerRow | null,
  token: { email: string; tokenHash: string },
  choice: SignupCredentialsChoice,
  now = Date.now(),
): Promise<CustomerRow | null> {
  let current = row;
  for (let attempt = 0; attempt < MAX_VERIFY_ATTEMPTS; attempt++) {
    if (!current || (current.status !== "initial" && current.status !== "active") || current.email !== token.email)
      return null;
    if (attempt === 0) await verificationSeam.afterRead?.();
    const at = Math.max(now, current.tmUpdate);
    const next: CustomerRow = {
      ...current,
      status: "active",
      emailVerified: true,
      tmUpdate: at,
      version: current.version + 1,
    };
    const pendingToken = db
      .select({ one: sql`1` })
      .from(emailVerifications)
      .where(
        and(
          eq(emailVerifications.tokenHash, token.tokenHash),
          eq(emailVerifications.customerId, customers.id),
          eq(emailVerifications.email, customers.email),
          isNull(emailVerifications.tmUsed),
          gt(emailVerifications.tmExpire, now),
        ),
      );
    const event = conditionalEvent("customer_updated", next, at);
    // The mailbox owner's choice about the signup's credentials, with the signup's verification.
    const decision = current.status === "initial" ? decideSignupCredentials(current.id, choice, event.written) : [];
    const results = await d1Batch(db.$client, [
      db
        .update(customers)
        .set({ status: "active", emailVerified: true, tmUpdate: at, version: next.version })
        .where(
          and(
            eq(customers.id, current.id),
            eq(customers.version, current.version),
            eq(customers.email, token.email),
            inArray(customers.status, ["initial", "active"]),
            exists(pendingToken),
          ),
        ),
      event.statement,
      spendVerification(token.tokenHash, now),
      ...decision,
    ]);
    if (changesOf(results, 0) === 1) return next;
    current = await getCustomerRow(db, current.id);
  }
  return null;
}
