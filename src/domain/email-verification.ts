import { and, eq, gt, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { emailVerifications } from "../db/schema";
import type { Env } from "../env";
import { randomBytes, sha256Hex, toHex } from "../lib/crypto";
import { sendEmail } from "../lib/email";
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

export async function sendVerificationEmail(env: Env, origin: string, to: string, token: string) {
  const base = env.PUBLIC_BASE_URL || origin;
  const link = `${base}/auth/email-verify?token=${token}`;
  await sendEmail(env, {
    to,
    subject: "Verify your VoIPBIN account",
    text: `Welcome to VoIPBIN.\n\nConfirm your email address within the next hour to activate your account:\n${link}\n\nIf you did not sign up, ignore this message.`,
  });
}

/**
 * Spends a token: unused and unexpired, it is marked used in the same statement that finds it,
 * so two concurrent verifications cannot both succeed. Returns its customer, or null.
 */
export async function consumeVerification(db: Db, token: string, now = Date.now()): Promise<{ customerId: string; email: string } | null> {
  if (!/^[0-9a-f]{64}$/i.test(token)) return null;
  const [row] = await db
    .update(emailVerifications)
    .set({ tmUsed: now })
    .where(and(eq(emailVerifications.tokenHash, await sha256Hex(token.toLowerCase())), isNull(emailVerifications.tmUsed), gt(emailVerifications.tmExpire, now)))
    .returning({ customerId: emailVerifications.customerId, email: emailVerifications.email });
  return row ?? null;
}
