import type { CustomerRow } from "../db/schema";

/** After a rotation, the previous secret keeps signing for this long. */
export const ROTATION_OVERLAP_MS = 24 * 3600 * 1000;

/**
 * The secrets a delivery is signed with now: the current one, then the previous one while the
 * overlap lasts (signDelivery says which header each signs).
 */
export function activeSecrets(
  row: Pick<CustomerRow, "webhookSecret" | "webhookSecretPrevious" | "tmWebhookSecretRotated">,
  now = Date.now(),
): string[] {
  const previousValid =
    row.webhookSecretPrevious &&
    row.tmWebhookSecretRotated !== null &&
    now - row.tmWebhookSecretRotated < ROTATION_OVERLAP_MS;
  return [row.webhookSecret, ...(previousValid ? [row.webhookSecretPrevious] : [])].filter(Boolean);
}
