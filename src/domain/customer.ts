import { z } from "@hono/zod-openapi";
import { customerStatuses, identityVerificationStatuses, Permission, type CustomerRow } from "../db/schema";
import { isoOrNull, iso } from "../lib/time";
import {
  addressField,
  detailField,
  nameField,
  optionalEmailField,
  passwordField,
  phoneNumberField,
  usernameField,
  webhookMethodField,
  webhookUriField,
} from "../lib/validation";

export const customerExample = {
  id: "5e4a0680-804e-11ec-8477-2fea5968d85b",
  name: "Acme Corporation",
  detail: "Enterprise customer account",
  email: "admin@acme-corp.com",
  phone_number: "+15551234567",
  address: "123 Main St, San Francisco, CA 94105",
  webhook_method: "POST",
  webhook_uri: "https://webhooks.acme-corp.com/voipbin",
  billing_account_id: "a1b2c3d4-5678-90ab-cdef-1234567890ab",
  metadata: { rtp_debug: false },
  email_verified: true,
  status: "active",
  identity_verification_status: "verified",
  tm_deletion_scheduled: null,
  tm_create: "2024-01-15T10:30:00.000Z",
  tm_update: "2024-06-20T14:22:35.000Z",
  tm_delete: null,
} as const;

export const CustomerMetadataSchema = z
  .object({ rtp_debug: z.boolean().openapi({ description: "Capture RTP as PCAP for this customer's calls." }) })
  .openapi("CustomerMetadata");

export const CustomerSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    detail: z.string(),
    email: z.string(),
    phone_number: z.string(),
    address: z.string(),
    webhook_method: z.string().openapi({ description: 'One of "", POST, GET, PUT, DELETE.' }),
    webhook_uri: z.string(),
    billing_account_id: z.uuid().openapi({ description: "Default billing account; the zero UUID when unset." }),
    metadata: CustomerMetadataSchema,
    email_verified: z.boolean(),
    status: z.enum(customerStatuses),
    identity_verification_status: z.enum(identityVerificationStatuses),
    tm_deletion_scheduled: z.string().nullable().openapi({ description: "When the frozen account is deleted." }),
    tm_create: z.string(),
    tm_update: z.string(),
    tm_delete: z.string().nullable(),
  })
  .openapi("Customer", { example: customerExample });

export const CustomerWithSecretSchema = CustomerSchema.extend({
  webhook_secret: z.string().optional().openapi({
    description:
      "Signing secret of this customer's webhooks, enough to forge them: shown only here, and only to a CustomerAdmin or an access key.",
  }),
}).openapi("CustomerWithSecret");

/** The customer as its own credential reads it: the webhook secret only for a CustomerAdmin (access keys act as one). */
export function serializeOwnCustomer(row: CustomerRow, permission: number): z.infer<typeof CustomerWithSecretSchema> {
  const customer = serializeCustomer(row);
  return (permission & Permission.CustomerAdmin) !== 0 ? { ...customer, webhook_secret: row.webhookSecret } : customer;
}

export type Customer = z.infer<typeof CustomerSchema>;

/** The columns the customer view answers: what a listing selects (no secrets, no bookkeeping). */
export const CUSTOMER_VIEW_COLUMNS = [
  "id",
  "name",
  "detail",
  "email",
  "phoneNumber",
  "address",
  "webhookMethod",
  "webhookUri",
  "billingAccountId",
  "rtpDebug",
  "emailVerified",
  "status",
  "identityVerificationStatus",
  "tmDeletionScheduled",
  "tmCreate",
  "tmUpdate",
  "tmDelete",
] as const satisfies readonly (keyof CustomerRow)[];
export type CustomerView = Pick<CustomerRow, (typeof CUSTOMER_VIEW_COLUMNS)[number]>;

export function serializeCustomer(row: CustomerView): Customer {
  return {
    id: row.id,
    name: row.name,
    detail: row.detail,
    email: row.email,
    phone_number: row.phoneNumber,
    address: row.address,
    webhook_method: row.webhookMethod,
    webhook_uri: row.webhookUri,
    billing_account_id: row.billingAccountId,
    metadata: { rtp_debug: row.rtpDebug },
    email_verified: row.emailVerified,
    status: row.status,
    identity_verification_status: row.identityVerificationStatus,
    tm_deletion_scheduled: isoOrNull(row.tmDeletionScheduled),
    tm_create: iso(row.tmCreate),
    tm_update: iso(row.tmUpdate),
    tm_delete: isoOrNull(row.tmDelete),
  };
}

// The profile fields a customer (or the operator) may change; every one optional in updates.
const profileFields = {
  name: nameField,
  detail: detailField,
  email: optionalEmailField,
  phone_number: phoneNumberField,
  address: addressField,
  webhook_method: webhookMethodField,
  webhook_uri: webhookUriField,
};

export const CustomerUpdateSchema = z
  .strictObject(
    Object.fromEntries(Object.entries(profileFields).map(([k, v]) => [k, v.optional()])) as {
      [K in keyof typeof profileFields]: z.ZodOptional<(typeof profileFields)[K]>;
    },
  )
  .openapi("CustomerUpdate", { example: { name: "Acme Corporation Inc.", detail: "Updated enterprise account" } });
export type CustomerUpdate = z.infer<typeof CustomerUpdateSchema>;

export const CustomerCreateSchema = z
  .strictObject({
    username: usernameField
      .optional()
      .openapi({ description: "The first admin agent's username; the email when left out." }),
    password: passwordField.optional().openapi({
      description: 'Write-only. Left out, the admin agent gets a "set your password" mail at the customer\'s email.',
    }),
    ...CustomerUpdateSchema.shape,
  })
  .openapi("CustomerCreate", {
    example: {
      username: "test1",
      password: "ee5f3d14-5ac6-11ed-808e-6f7d676a444b",
      name: "Test Company",
      detail: "Test customer account",
      email: "test@test-company.com",
      webhook_method: "POST",
      webhook_uri: "https://webhooks.test-company.com/voipbin",
    },
  });
export type CustomerCreate = z.infer<typeof CustomerCreateSchema>;

export const MetadataUpdateSchema = z
  // As on the platform, a missing rtp_debug means false.
  .strictObject({ rtp_debug: z.boolean().default(false) })
  .openapi("CustomerMetadataUpdate", { example: { rtp_debug: true } });

/** Maps API field names of a profile update onto row columns. */
export function profileToColumns(input: CustomerUpdate): Partial<CustomerRow> {
  const out: Partial<CustomerRow> = {};
  if (input.name !== undefined) out.name = input.name;
  if (input.detail !== undefined) out.detail = input.detail;
  if (input.email !== undefined) out.email = input.email;
  if (input.phone_number !== undefined) out.phoneNumber = input.phone_number;
  if (input.address !== undefined) out.address = input.address;
  if (input.webhook_method !== undefined) out.webhookMethod = input.webhook_method;
  if (input.webhook_uri !== undefined) out.webhookUri = input.webhook_uri;
  return out;
}

/** Column values of a permanently deleted (or expired) customer: every piece of PII gone. */
export function anonymizedColumns(now: number, status: "deleted" | "expired" = "deleted"): Partial<CustomerRow> {
  return {
    name: "",
    detail: "",
    email: "",
    phoneNumber: "",
    address: "",
    webhookMethod: "",
    webhookUri: "",
    webhookSecret: "",
    webhookSecretPrevious: "",
    tmWebhookSecretRotated: null,
    webhookDisabled: false,
    billingAccountId: "00000000-0000-0000-0000-000000000000",
    rtpDebug: false,
    emailVerified: false,
    status,
    tmDeletionScheduled: null,
    tmDelete: now,
    tmUpdate: now,
  };
}
