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

export const accountNotActive = () =>
  permissionDenied("ACCOUNT_NOT_ACTIVE", "Verify the account's email address before creating or changing resources.");

/**
 * While frozen, a customer's credentials still read (to export data in the grace period) but
 * every write under /v1.0 is refused.
 */
export const rejectWritesOfFrozenCustomers = createMiddleware<AppEnv>(async (c, next) => {
  if (!isReadMethod(c.req.method)) {
    const customer = c.get("principal").customer;
    if (customer?.status === "frozen") throw accountFrozen(customer);
  }
  await next();
});

/** Owned resources are created and changed only by active customers. */
export function requireActive(customer: CustomerRow): void {
  if (customer.status === "frozen") throw accountFrozen(customer);
  if (customer.status !== "active") throw accountNotActive();
}
