import { and, eq, gt, inArray, isNull, like, sql } from "drizzle-orm";
import { d1Batch } from "../db/batch";
import { getDb, type Db } from "../db/client";
import { UNSET_PASSWORD_PREFIX } from "../auth/password";
import { agents, customers, liveCustomerStatuses, passwordResets } from "../db/schema";
import type { Env } from "../env";
import { randomBytes, sha256Hex, toHex } from "../lib/crypto";
import { deliverMail, reserveMail } from "./mail";
import { emailField } from "../lib/validation";
import { configOf } from "../config";
import { revokeSignupCredentialsOnReset } from "./signup-credentials";

export const PASSWORD_RESET_TTL_MS = 3600_000;
export const RESET_TOKEN_PATTERN = /^[0-9a-f]{64}$/;
const MAX_PENDING_RESETS = 3;

// Agents of these customers can sign in, so they can also set or reset a password.

export type ResetMailKind = "forgot" | "welcome";

/**
 * A new single-use link for `agent`: the token (for the mail) and its insert (only its SHA-256 is
 * stored). The insert happens only while the customer's email is still `customerEmail`, the one
 * the recipient was chosen under: an email change in between revoked the links, this one too.
 */
export async function buildPasswordReset(
  agent: { id: string; customerId: string },
  customerEmail: string,
  now = Date.now(),
) {
  const token = toHex(randomBytes(32));
  const statement = sql`INSERT INTO password_resets (token_hash, agent_id, customer_id, tm_expire, tm_create)
    SELECT ${await sha256Hex(token)}, ${agent.id}, ${agent.customerId}, ${now + PASSWORD_RESET_TTL_MS}, ${now}
    WHERE EXISTS (SELECT 1 FROM customers WHERE id = ${agent.customerId} AND email = ${customerEmail})`;
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

/**
 * Where a reset link goes: the username when it is an address (only ever there: the link sets
 * that agent's password), else its customer's email.
 */
export function resetRecipient(username: string, customerEmail: string): string | null {
  if (emailField.safeParse(username).success) return username;
  return customerEmail || null;
}

export interface ResetTarget {
  id: string;
  customerId: string;
  username: string;
  /** The customer's email when the agent was read: the link is made only while it still is. */
  customerEmail: string;
}

/**
 * Issues a link for the agent and mails it to resetRecipient, within the mail limits (a mail
 * anyone may ask for counts against `requestedBy`'s share of the recipient's budget). Meant for
 * work after the answer: a failure (a mail limit included) is logged, never shown to the requester.
 */
export async function issuePasswordReset(
  env: Env,
  db: Db,
  origin: string,
  agent: ResetTarget,
  kind: ResetMailKind,
  requestedBy?: string,
): Promise<void> {
  try {
    const to = resetRecipient(agent.username, agent.customerEmail);
    if (!to) return;
    // The budget first: a refused mail makes no link, so it cannot push out the links already sent.
    const budget = await reserveMail(env, to, { customerId: agent.customerId, requestedBy });
    if (!budget.sent) {
      console.warn("password reset mail refused by the mail limits", kind);
      return;
    }
    const { token, statement } = await buildPasswordReset(agent, agent.customerEmail);
    // Repeated requests keep an agent's newest few links only: rows stay bounded, and the
    // newest link (the one a user just asked for) always works.
    const [inserted] = await d1Batch(db.$client, [
      statement,
      sql`DELETE FROM password_resets WHERE agent_id = ${agent.id} AND tm_used IS NULL AND token_hash NOT IN
          (SELECT token_hash FROM password_resets WHERE agent_id = ${agent.id} AND tm_used IS NULL ORDER BY tm_create DESC, rowid DESC LIMIT ${MAX_PENDING_RESETS})`,
    ]);
    if (inserted?.meta.changes !== 1) return; // the customer's email changed meanwhile
    const link = `${configOf(env).publicBaseUrl ?? origin}/auth/password-reset?token=${token}`;
    await deliverMail(env, { to, subject: MAILS[kind].subject, text: MAILS[kind].text(link) });
  } catch (err) {
    console.error("password reset mail not sent", kind, err instanceof Error ? err.message : String(err));
  }
}

/**
 * The work of a forgot-password request, all of it after the answer (afterResponse): whether the
 * username exists, and what follows, costs the answer nothing.
 */
export async function requestPasswordReset(env: Env, origin: string, username: string, requestedBy: string) {
  try {
    const db = getDb(env.DB);
    const agent = await findResettableAgent(db, username);
    if (agent) await issuePasswordReset(env, db, origin, agent, "forgot", requestedBy);
  } catch (err) {
    console.error("password reset not issued", err instanceof Error ? err.message : String(err));
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
export async function agentsWithoutPassword(db: Db, customerId: string): Promise<ResetTarget[]> {
  return db
    .select({ id: agents.id, customerId: agents.customerId, username: agents.username, customerEmail: customers.email })
    .from(agents)
    .innerJoin(customers, eq(customers.id, agents.customerId))
    .where(
      and(
        eq(agents.customerId, customerId),
        eq(agents.isGuest, false),
        like(agents.passwordHash, `${UNSET_PASSWORD_PREFIX}%`),
      ),
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
 * other pending links are spent with it. Changing password_hash revokes the agent's older tokens;
 * for a signup's admin, the signup's access key goes too unless its owner kept it.
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
    // The link reached the agent's mailbox: a signup's credentials still awaiting that owner's
    // decision end here. The new hash (its salt is random) shows that this batch set it.
    ...revokeSignupCredentialsOnReset(
      agentId,
      sql`EXISTS (SELECT 1 FROM agents WHERE id = ${agentId} AND password_hash = ${passwordHash})`,
    ),
  ]);
  // The rows the UPDATE itself returns, not meta.changes: D1 counts the token-version trigger's
  // write in meta.changes too (SQL's changes() above does not).
  return results[1]?.results.length === 1;
}

/** A "set your password" mail for each of the customer's agents still without one (to resetRecipient). */
export async function sendSetPasswordMails(env: Env, db: Db, origin: string, customerId: string): Promise<void> {
  const pending = await agentsWithoutPassword(db, customerId).catch((err) => {
    console.error("set-password mails not sent", err instanceof Error ? err.message : String(err));
    return [];
  });
  await Promise.all(pending.map((agent) => issuePasswordReset(env, db, origin, agent, "welcome")));
}
