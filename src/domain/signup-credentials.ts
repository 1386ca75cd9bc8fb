import { z } from "@hono/zod-openapi";
import { eq, sql, type SQL } from "drizzle-orm";
import { unsetPasswordHash } from "../auth/password";
import type { Db } from "../db/client";
import { accesskeys, agents, signupCredentials } from "../db/schema";

/**
 * Whoever proves control of the mailbox ends up the sole owner. A signup hands out credentials
 * before anyone has proven it (the access key named "default", and the admin's password when the
 * signup chose one), so those stay on record here until the mailbox owner decides:
 * - the verification keeps them only when asked to (`keep`); otherwise it revokes them: the key
 *   is deleted, the password unset (which ends every token issued with it) and a "set your
 *   password" mail follows;
 * - a password set through a mailed link for the admin agent (a link that only reaches that
 *   mailbox) before the verification revokes them as well.
 * Until the address is verified, the account's credentials can only read, resend the verification
 * and unregister (lifecycle/guards.ts), so nothing else is made before the proof, and nothing
 * made with them can outlive it.
 */
export const SIGNUP_CREDENTIALS_CHOICES = ["keep", "revoke"] as const;
export type SignupCredentialsChoice = (typeof SIGNUP_CREDENTIALS_CHOICES)[number];

export const signupCredentialsChoiceField = z.enum(SIGNUP_CREDENTIALS_CHOICES).openapi({
  description:
    'For the verification of a signup: what becomes of the credentials the signup handed out before the address was proven (its access key named "default", and the password if the signup set one). `keep` keeps them. `revoke`, the default, deletes the key, unsets the password (ending every token issued with it) and mails a "set your password" link: whoever proves the address owns the account alone unless they keep them. No effect when there is no signup left to decide on (an operator-created customer, a later change of address).',
});

export const recordSignupCredentials = (
  db: Db,
  row: { customerId: string; agentId: string; accesskeyId: string; passwordSet: boolean; now: number },
) =>
  db.insert(signupCredentials).values({
    customerId: row.customerId,
    agentId: row.agentId,
    accesskeyId: row.accesskeyId,
    passwordSet: row.passwordSet,
    tmCreate: row.now,
  });

export interface PendingSignupCredentials {
  /** The signup's key, if it still exists (its owner may have deleted it). */
  accesskey: { name: string; tmCreate: number } | null;
  /** The admin agent whose password the signup chose, if it did. */
  passwordOf: string | null;
  tmSignup: number;
}

/** What the customer's signup handed out that still awaits the mailbox owner's decision, or null. */
export async function pendingSignupCredentials(db: Db, customerId: string): Promise<PendingSignupCredentials | null> {
  const [row] = await db
    .select({
      tmSignup: signupCredentials.tmCreate,
      passwordSet: signupCredentials.passwordSet,
      username: agents.username,
      keyName: accesskeys.name,
      keyCreated: accesskeys.tmCreate,
    })
    .from(signupCredentials)
    .leftJoin(accesskeys, eq(accesskeys.id, signupCredentials.accesskeyId))
    .leftJoin(agents, eq(agents.id, signupCredentials.agentId))
    .where(eq(signupCredentials.customerId, customerId))
    .limit(1);
  if (!row) return null;
  return {
    accesskey: row.keyName !== null && row.keyCreated !== null ? { name: row.keyName, tmCreate: row.keyCreated } : null,
    passwordOf: row.passwordSet && row.username !== null ? row.username : null,
    tmSignup: row.tmSignup,
  };
}

/**
 * The statements that carry out the mailbox owner's choice, for the batch that verifies the
 * signup; each acts only when `verified` holds (a condition true exactly when that batch's
 * verification was written), so a failed verification decides nothing.
 */
export function decideSignupCredentials(customerId: string, choice: SignupCredentialsChoice, verified: SQL): SQL[] {
  const forget = sql`DELETE FROM signup_credentials WHERE customer_id = ${customerId} AND ${verified}`;
  if (choice === "keep") return [forget];
  const now = Date.now();
  return [
    sql`DELETE FROM accesskeys WHERE customer_id = ${customerId}
        AND id = (SELECT accesskey_id FROM signup_credentials WHERE customer_id = ${customerId}) AND ${verified}`,
    // The agents_token_version_bump trigger ends every token issued with the old password.
    sql`UPDATE agents SET password_hash = ${unsetPasswordHash()}, tm_update = ${now}, version = version + 1
        WHERE customer_id = ${customerId} AND is_guest = 0
        AND id = (SELECT agent_id FROM signup_credentials WHERE customer_id = ${customerId} AND password_set = 1)
        AND ${verified}`,
    forget,
  ];
}

/**
 * For the batch of a password set through a mailed link for `agentId`: when that agent is the
 * signup's admin and the signup is not verified yet, the signup's key is revoked with it (the new
 * password replaces the signup's, and its tokens end with the change). Acts only when `applied`.
 */
export function revokeSignupCredentialsOnReset(agentId: string, applied: SQL): SQL[] {
  return [
    sql`DELETE FROM accesskeys WHERE id = (SELECT accesskey_id FROM signup_credentials WHERE agent_id = ${agentId})
        AND customer_id = (SELECT customer_id FROM signup_credentials WHERE agent_id = ${agentId}) AND ${applied}`,
    sql`DELETE FROM signup_credentials WHERE agent_id = ${agentId} AND ${applied}`,
  ];
}
