import { z } from "@hono/zod-openapi";
import { Permission, ZERO_UUID } from "../db/schema";

// Field builders shared by the kinds of the field table (src/resources/kinds.ts).

export const uuidField = z.uuid();
export const shortText = (max = 255) => z.string().max(max);
export const uuidList = z.array(uuidField).max(50);
export const IP_PATTERN = /^(\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?|[0-9a-fA-F:]+(\/\d{1,3})?)$/;

/** The permission bits that exist (ProjectSuperAdmin 1 … CustomerManager 64): at most 127. */
export const MAX_PERMISSION = 127;
export const CUSTOMER_PERMISSIONS = Permission.CustomerAgent | Permission.CustomerAdmin | Permission.CustomerManager;

// Bounded before the bit test: JavaScript's `&` works on 32 bits, so 2^32 + 32 would pass as 32.
export const permissionField = z
  .number()
  .int()
  .min(1)
  .max(MAX_PERMISSION)
  .refine((p) => (p & ~CUSTOMER_PERMISSIONS) === 0, {
    message: "must combine CustomerAgent (16), CustomerAdmin (32) and CustomerManager (64)",
  });

const addressType = z.enum(["", "agent", "conference", "email", "extension", "line", "sip", "tel", "web_session"]);

/**
 * An address as the platform's CommonAddress. Strict: X-Ignored-Fields names top-level fields
 * only, so an unknown key inside a list item is refused rather than silently dropped.
 */
export const addressSchema = z
  .strictObject({
    // Nothing is required in the contract's CommonAddress; the Go SDK leaves empty fields out.
    type: addressType.optional(),
    target: z.string().max(1024).optional(),
    target_name: z.string().max(255).optional(),
    name: z.string().max(255).optional(),
    detail: z.string().max(2048).optional(),
  })
  .openapi("CommonAddress");
export const addressList = z.array(addressSchema).max(50);

/** A contact's address: a CommonAddress with its own id and primary flag. */
export const contactAddressSchema = z
  .object({
    id: z.uuid(),
    type: addressType,
    target: z.string().max(1024),
    name: z.string().max(255),
    detail: z.string().max(2048),
    is_primary: z.boolean(),
    tm_create: z.string(),
  })
  .openapi("ContactAddress");
/** A contact's address as created with the contact (any CommonAddress type). */
export const contactAddressCreate = z.strictObject({
  type: addressType.optional(),
  target: z.string().max(1024).optional(),
  name: z.string().max(255).optional(),
  detail: z.string().max(2048).optional(),
  is_primary: z.boolean().optional(),
});
/** An address added on its own: the contract takes tel and email there. */
export const contactAddressInput = z.object({
  type: z.enum(["tel", "email"]),
  target: z.string().min(1).max(1024),
  name: z.string().max(255).optional(),
  detail: z.string().max(2048).optional(),
  is_primary: z.boolean().optional(),
});
export type ContactAddress = z.infer<typeof contactAddressSchema>;

/** An id that may be "none": "" and null store the zero UUID, as the platform answers it. */
export const idRef = { schema: uuidField, default: ZERO_UUID, unset: [""] } as const;
/**
 * A flow of the customer's, or none: the write is refused unless the flow exists (migrations/0015).
 * Stored in lower case, as the service makes ids, so that it matches the flow it names.
 */
export const flowRef = { ...idRef, store: (id: string) => id.toLowerCase() } as const;
/** A list where null means empty (the Go SDK sends `tag_ids: null`). */
export const listOf = (schema: z.ZodType) => ({ schema, default: [] as unknown[] });
/** A list of tag ids: each must name one of the customer's tags (migrations/0015), stored in lower case. */
export const tagIdList = { ...listOf(uuidList), store: (ids: string[]) => ids.map((id) => id.toLowerCase()) };
