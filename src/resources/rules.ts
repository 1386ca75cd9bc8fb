import { and, eq, ne, notInArray, sql } from "drizzle-orm";
import { assertNotSuperAdminUsername } from "../auth/super-admin";
import type { ResourceKind } from "../db/owned";
import { customers, endedCustomerStatuses, Permission } from "../db/schema";
import { resetDefaultBillingStatements } from "../domain/customer-store";
import { alreadyExists, permissionDenied } from "../lib/errors";
import { isVirtualNumber } from "./kinds";
import { objectKey } from "../storage/objects";
import type { Guard, KindRules } from "./store";

export const guestImmutable = () =>
  permissionDenied(
    "GUEST_AGENT_IMMUTABLE",
    "The guest agent cannot be deleted, nor have its password or permission changed.",
  );

const isAdmin = (permission: number) => (permission & Permission.CustomerAdmin) !== 0;

/** Holds inside the DELETE/UPDATE itself: another admin who can sign in remains. */
const anotherAdminRemains = (customerId: string, agentId: string): Guard => ({
  condition: sql`(SELECT count(*) FROM agents WHERE customer_id = ${customerId} AND is_guest = 0 AND (permission & ${Permission.CustomerAdmin}) != 0 AND id != ${agentId}) > 0`,
  error: () =>
    permissionDenied("LAST_CUSTOMER_ADMIN", "The last CustomerAdmin of the customer cannot be deleted or demoted."),
});

const agentRules: KindRules = {
  async beforeCreate({ db, env, customer }, input) {
    assertNotSuperAdminUsername(env, input.username);
    // A username is a sign-in identity: it may not be another live customer's email either.
    const [taken] = await db
      .select({ id: customers.id })
      .from(customers)
      .where(
        and(
          eq(customers.email, input.username),
          notInArray(customers.status, endedCustomerStatuses),
          ne(customers.id, customer.id),
        ),
      )
      .limit(1);
    if (taken)
      throw alreadyExists("USERNAME_ALREADY_EXISTS", "The username is already in use.", [
        { field: "username", description: "already in use" },
      ]);
  },
  beforeUpdate({ customer }, row, input) {
    if (input.permission === undefined) return undefined;
    if (row.isGuest) throw guestImmutable();
    // Demoting an admin: another one must remain when the UPDATE runs.
    return isAdmin(row.permission) && !isAdmin(input.permission) ? anotherAdminRemains(customer.id, row.id) : undefined;
  },
  beforeDelete({ customer }, row) {
    if (row.isGuest) throw guestImmutable();
    return isAdmin(row.permission) ? anotherAdminRemains(customer.id, row.id) : undefined;
  },
};

const numberRules: KindRules = {
  beforeCreate({ customer }, input) {
    if (!isVirtualNumber(input.number) && customer.identityVerificationStatus !== "verified") {
      throw permissionDenied(
        "IDENTITY_VERIFICATION_REQUIRED",
        "PSTN numbers need a verified identity; virtual numbers (+899…) do not.",
        [{ identity_verification_status: customer.identityVerificationStatus }],
      );
    }
  },
};

const billingAccountRules: KindRules = {
  // The customer's default must not point at an account that is gone: reset in the same batch.
  alsoOnDelete: ({ customer }, row, now) => resetDefaultBillingStatements(customer, row.id, now),
  // ...and the reset records a customer_updated event.
  deleteWritesEvents: true,
};

const fileRules: KindRules = {
  // The row goes first (D1 is the record), then its bytes; if this fails the cron removes them.
  async afterDelete(env, row) {
    try {
      await env.FILES_BUCKET.delete(objectKey(row.customerId, row.id));
    } catch (err) {
      console.error("file object delete failed; the cron removes it", err instanceof Error ? err.message : String(err));
    }
  },
};

export const kindRules: Partial<Record<ResourceKind, KindRules>> = {
  agents: agentRules,
  numbers: numberRules,
  billing_accounts: billingAccountRules,
  files: fileRules,
};

/** Column values a kind needs at creation that the API leaves optional. */
export const kindDefaults: Partial<Record<ResourceKind, Record<string, unknown>>> = {
  agents: { permission: Permission.CustomerAgent, isGuest: false },
};
