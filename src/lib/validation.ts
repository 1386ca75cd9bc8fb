import { z } from "@hono/zod-openapi";

// Field rules shared by every schema that accepts them, so admin create, self update and signup
// can never drift apart.
export const E164_PATTERN = /^\+[1-9]\d{1,14}$/;

export const nameField = z.string().max(255);
export const detailField = z.string().max(2048);
export const addressField = z.string().max(1024);
// Addresses and usernames are identities: compared, stored and made unique in lower case.
export const emailField = z.email({ message: "must be a valid email address" }).max(254).toLowerCase();
export const optionalEmailField = z.union([z.literal(""), emailField]);
export const passwordField = z.string().min(8, { message: "must be at least 8 characters" }).max(1024);
export const usernameField = z.string().max(255).trim().toLowerCase().min(1);
export const e164Field = z.string().regex(E164_PATTERN, { message: "must be an E.164 number such as +15551234567" });
export const phoneNumberField = z.union([z.literal(""), e164Field]);
export const webhookMethodField = z.enum(["", "POST", "GET", "PUT", "DELETE"]);

export function isHttpUrl(value: string): boolean {
  if (!/^https?:\/\//i.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

export const webhookUriField = z
  .string()
  .max(2048)
  .refine((v) => v === "" || isHttpUrl(v), { message: "must be empty or an absolute http(s) URL" });

export const uuidParam = (name: string) =>
  z.string().openapi({ param: { name, in: "path" }, example: "5e4a0680-804e-11ec-8477-2fea5968d85b" });

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string) => UUID_PATTERN.test(value);
