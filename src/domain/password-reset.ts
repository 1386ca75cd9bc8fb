import { and, eq, gt, inArray, isNull, like, sql } from "drizzle-orm";
import { d1Batch } from "../db/batch";
import type { Db } from "../db/client";
import { agents, customers, liveCustomerStatuses, passwordResets } from "../db/schema";
import type { Env } from "../env";
import { randomBytes, sha256Hex, toBase64, toHex } from "../lib/crypto";
import { sendEmail } from "./mail";
import { emailField } from "../lib/validation";
import { configOf } from "../config";

export const PASSWORD_RESET_TTL_MS = 3600_000;
export const RESET_TOKEN_PATTERN = /^[0-9a-f]{64}$/;
const MAX_PENDING_RESETS = 3;

// Agents of these customers can sign in, so they can also set or reset a password.

/**
 * The stored hash of an agent whose password was never set (passwordless signup or operator
 * creation): no password matches it (verifyPassword only accepts PBKDF2 hashes), and its prefix
 * tells the email-verification path to send the "set your password" mail.
 */
const UNSET_PREFIX = "!unset$";
export const unsetPasswordHash = () => `${UNSET_PREFIX}${toBase64(randomBytes(16))}`;

export type ResetMailKind = "forgot" | "welcome";

/** A new single-use link for `agent`: the token (for the mail) and the insert (only its SHA-256 is stored). */
export async function buildPasswordReset(db: Db, agent: { id: string; customerId: string }, now = Date.now()) {
  const token = toHex(randomBytes(32));
  const statement = db.insert(passwordResets).values({
    tokenHash: await sha256Hex(token),
    agentId: agent.id,
    customerId: agent.customerId,
    tmExpire: now + PASSWORD_RESET_TTL_MS,
    tmCreate: now,
  });
  return { token, statement };
}

const MAILS: Record<ResetMailKind, { subject: string; text: (link: string) => string }> = {
  welcome: {
    subject: "Set your VoIPBIN password",
    text: (link) =>
      `Your VoIPBIN account is ready.\n\nChoose your password with this link; it works once, within the next hour:\n${link}\n\nIf it has expired, ask for a new one with "forgot password".`,
  },
  forgot: {
    subject: "Reset your VoIPBIN password",
    text: (link) =>
      `A password reset was requested for your VoIPBIN account.\n\nChoose a new password with this link; it works once, within the next hour:\n${link}\n\nIf you did not ask for this, ignore this message: your password stays as it is.`,
  },
};

/** Where a reset link goes: the username when it is an address, else its customer's email. */
export function resetRecipient(username: string, customerEmail: string): string | null {
  if (emailField.safeParse(username).success) return username;
  return customerEmail || null;
}

/**
 * Issues a link for the agent and mails it through the one mail path (with its limits). Meant
 * for waitUntil: a failure (a mail limit included) is logged, never shown to the requester.
 */
export async function issuePasswordReset(
  env: Env,
  db: Db,
  origin: string,
  agent: { id: string; customerId: string },
  to: string,
  kind: ResetMailKind,
): Promise<void> {
  try {
    const { token, statement } = await buildPasswordReset(db, agent);
    // Repeated requests keep an agent's newest few links only: rows stay bounded, and the
    // newest link (the one a user just asked for) always works.
    await d1Batch(db.$client, [
      statement,
      sql`DELETE FROM password_resets WHERE agent_id = ${agent.id} AND tm_used IS NULL AND token_hash NOT IN
          (SELECT token_hash FROM password_resets WHERE agent_id = ${agent.id} AND tm_used IS NULL ORDER BY tm_create DESC, rowid DESC LIMIT ${MAX_PENDING_RESETS})`,
    ]);
    const link = `${configOf(env).publicBaseUrl ?? origin}/auth/password-reset?token=${token}`;
    // Counted against the recipient's and the customer's mail budgets; a refused mail is only logged.
    const outcome = await sendEmail(
      env,
      { to, subject: MAILS[kind].subject, text: MAILS[kind].text(link) },
      { customerId: agent.customerId },
    );
    if (!outcome.sent) console.warn("password reset mail refused by the mail limits", kind);
  } catch (err) {
    console.error("password reset mail not sent", kind, err instanceof Error ? err.message : String(err));
  }
}

/** The agent a forgot-password request names, when it may reset (not a guest, its customer live). */
export async function findResettableAgent(db: Db, username: string) {
  const [row] = await db
    .select({ id: agents.id, customerId: agents.customerId, username: agents.username, customerEmail: customers.email })
    .from(agents)
    .innerJoin(customers, eq(customers.id, agents.customerId))
    .where(
      and(eq(agents.username, username), eq(agents.isGuest, false), inArray(customers.status, liveCustomerStatuses)),
    )
    .limit(1);
  return row ?? null;
}

/** The customer's non-guest agents whose password was never set: they get a "set your password" mail. */
export async function agentsWithoutPassword(db: Db, customerId: string) {
  return db
    .select({ id: agents.id, customerId: agents.customerId })
    .from(agents)
    .where(
      and(eq(agents.customerId, customerId), eq(agents.isGuest, false), like(agents.passwordHash, `${UNSET_PREFIX}%`)),
    );
}

export type ResetCheck = { ok: true; agentId: string } | { ok: false; reason: "invalid" | "guest" };

/** Whether a token is usable now (unused, unexpired, its agent's customer live), and whose it is. */
export async function checkPasswordReset(db: Db, token: string, now = Date.now()): Promise<ResetCheck> {
  if (!RESET_TOKEN_PATTERN.test(token)) return { ok: false, reason: "invalid" };
  const [row] = await db
    .select({ agentId: passwordResets.agentId, isGuest: agents.isGuest })
    .from(passwordResets)
    .innerJoin(agents, eq(agents.id, passwordResets.agentId))
    .innerJoin(customers, eq(customers.id, agents.customerId))
    .where(
      and(
        eq(passwordResets.tokenHash, await sha256Hex(token)),
        isNull(passwordResets.tmUsed),
        gt(passwordResets.tmExpire, now),
        inArray(customers.status, liveCustomerStatuses),
      ),
    )
    .limit(1);
  if (!row) return { ok: false, reason: "invalid" };
  return row.isGuest ? { ok: false, reason: "guest" } : { ok: true, agentId: row.agentId };
}

/**
 * Spends the token and sets the password in one transaction. The spend is the conditional write
 * (unused and unexpired at the moment of the write): of two concurrent resets with one token,
 * only the first to write changes a row, and the password follows only that change. The agent's
 * other pending links are spent with it. Changing password_hash revokes the agent's older tokens.
 */
export async function completePasswordReset(
  d1: D1Database,
  token: string,
  agentId: string,
  passwordHash: string,
  now = Date.now(),
): Promise<boolean> {
  const tokenHash = await sha256Hex(token);
  const results = await d1Batch(d1, [
    sql`UPDATE password_resets SET tm_used = ${now}
        WHERE token_hash = ${tokenHash} AND agent_id = ${agentId} AND tm_used IS NULL AND tm_expire > ${now}`,
    sql`UPDATE agents SET password_hash = ${passwordHash}, tm_update = ${now}, version = version + 1
        WHERE id = ${agentId} AND is_guest = 0 AND changes() = 1 RETURNING id`,
    sql`UPDATE password_resets SET tm_used = ${now} WHERE agent_id = ${agentId} AND tm_used IS NULL AND changes() = 1`,
  ]);
  // The rows the UPDATE itself returns, not meta.changes: D1 counts the token-version trigger's
  // write in meta.changes too (SQL's changes() above does not).
  return results[1]?.results.length === 1;
}

/** A "set your password" mail for each of the customer's agents still without one. */
export async function sendSetPasswordMails(
  env: Env,
  db: Db,
  origin: string,
  customerId: string,
  to: string,
): Promise<void> {
  if (!to) return;
  const pending = await agentsWithoutPassword(db, customerId).catch((err) => {
    console.error("set-password mails not sent", err instanceof Error ? err.message : String(err));
    return [];
  });
  await Promise.all(pending.map((agent) => issuePasswordReset(env, db, origin, agent, to, "welcome")));
}
