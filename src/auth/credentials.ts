import type { Context } from "hono";
import { getCookie } from "hono/cookie";

export const ACCESSKEY_PREFIX = "vb_";

/**
 * The credential a request carries, from any place the platform's clients put it:
 * Authorization: Bearer, ?token=, ?accesskey=, and the `token` / `accesskey` cookies.
 * An access key is recognised by its prefix wherever it arrives.
 */
export function readCredential(c: Context): string | null {
  const header = c.req.header("Authorization");
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (match) return match[1]!;
  }
  return (
    c.req.query("token") ||
    c.req.query("accesskey") ||
    getCookie(c, "token") ||
    getCookie(c, "accesskey") ||
    null
  );
}

export const isAccesskeyToken = (credential: string) => credential.startsWith(ACCESSKEY_PREFIX);
