import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { emailVerifications } from "../db/schema";
import type { Env } from "../env";
import { randomBytes, sha256Hex, toHex } from "../lib/crypto";
import { sendEmail, type MailOptions, type MailOutcome } from "../lib/email";
import { secondsVar } from "../lib/time";
import { DEFAULT_SIGNUP_EXPIRY_SECONDS } from "../lifecycle/customer-lifecycle";

export const verificationTtlMs = (env: Env) => secondsVar(env.SIGNUP_EXPIRY_SECONDS, DEFAULT_SIGNUP_EXPIRY_SECONDS) * 1000;

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

export async function sendVerificationEmail(env: Env, origin: string, to: string, token: string, options: MailOptions): Promise<MailOutcome> {
  const base = env.PUBLIC_BASE_URL || origin;
  const link = `${base}/auth/email-verify?token=${token}`;
  return sendEmail(env, {
    to,
    subject: "Verify your VoIPBIN account",
    text: `Welcome to VoIPBIN.\n\nConfirm your email address within the next hour to activate your account:\n${link}\n\nIf you did not sign up, ignore this message.`,
  }, options);
}

/** A token that is unused and unexpired, or null. It is spent by the lifecycle with the activation. */
export async function findVerification(db: Db, token: string, now = Date.now()): Promise<{ customerId: string; email: string; tokenHash: string } | null> {
  if (!/^[0-9a-f]{64}$/i.test(token)) return null;
  const tokenHash = await sha256Hex(token.toLowerCase());
  const [row] = await db
    .select({ customerId: emailVerifications.customerId, email: emailVerifications.email })
    .from(emailVerifications)
    .where(and(eq(emailVerifications.tokenHash, tokenHash), isNull(emailVerifications.tmUsed), gt(emailVerifications.tmExpire, now)))
    .limit(1);
  return row ? { ...row, tokenHash } : null;
}

/**
 * Marks a token used, in the batch of the change it verifies and only if that change was made
 * (`changes() = 1` of the statement before): a failed activation leaves the link usable.
 */
export const spendVerification = (tokenHash: string, now: number) =>
  sql`UPDATE email_verifications SET tm_used = ${now} WHERE token_hash = ${tokenHash} AND tm_used IS NULL AND changes() = 1`;
