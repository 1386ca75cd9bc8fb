import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import type { CustomerRow } from "../db/schema";
import { permissionDenied } from "../lib/errors";
import { isoOrNull } from "../lib/time";
import { isReadMethod } from "../lib/route";

export const accountFrozen = (customer: CustomerRow) =>
  permissionDenied("ACCOUNT_FROZEN", "The account is frozen for deletion; cancel the unregistration to make changes.", [
    { deletion_scheduled_at: isoOrNull(customer.tmDeletionScheduled), recovery_endpoint: "DELETE /auth/unregister" },
  ]);

/** The one write under /v1.0 open to an unverified signup (besides POST /auth/unregister). */
const RESEND_VERIFICATION = "POST /v1.0/customer/email_verification";

export const accountNotActive = () =>
  permissionDenied(
    "ACCOUNT_NOT_ACTIVE",
    "Verify the account's email address first: until then its credentials can only read the account, resend the verification mail and unregister.",
    [{ verification_endpoint: RESEND_VERIFICATION, unregister_endpoint: "POST /auth/unregister" }],
  );

/**
 * Writes under /v1.0 by the account's state:
 * - initial (an unverified signup): only resending the verification mail. Whoever signed up has
 *   not proven the address yet, so nothing it does may outlast the owner's proof (README,
 *   "Signup and ownership"); reads, and POST /auth/unregister, stay open.
 * - frozen: none; the credentials still read, to export data in the grace period.
 */
export const limitWritesByAccountState = createMiddleware<AppEnv>(async (c, next) => {
  if (!isReadMethod(c.req.method)) {
    const customer = c.get("principal").customer;
    if (customer?.status === "frozen") throw accountFrozen(customer);
    if (customer?.status === "initial" && `${c.req.method} ${c.req.path}` !== RESEND_VERIFICATION)
      throw accountNotActive();
  }
  await next();
});

/** Owned resources are created and changed only by active customers. */
export function requireActive(customer: CustomerRow): void {
  if (customer.status === "frozen") throw accountFrozen(customer);
  if (customer.status !== "active") throw accountNotActive();
}
