import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv } from "../app-env";
import { sha256Hex } from "../lib/crypto";
import { verifyToken } from "./jwt";
import { configOf } from "../config";

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
  return c.req.query("token") || c.req.query("accesskey") || getCookie(c, "token") || getCookie(c, "accesskey") || null;
}

export const isAccesskeyToken = (credential: string) => credential.startsWith(ACCESSKEY_PREFIX);

/** A credential decoded: an access key's hash, or a JWT's verified claims (null when invalid). */
export type DecodedCredential =
  | { kind: "accesskey"; tokenHash: Promise<string> }
  | { kind: "jwt"; claims: ReturnType<typeof verifyToken> };

/**
 * The request's credential, decoded once: the rate limiter and authentication both need it, and
 * a second HMAC or SHA-256 per request is CPU on every call.
 */
export function credentialOf(c: Context<AppEnv>): DecodedCredential | null {
  const cached = c.get("credential");
  if (cached !== undefined) return cached;
  const raw = readCredential(c);
  const decoded: DecodedCredential | null =
    raw === null
      ? null
      : isAccesskeyToken(raw)
        ? { kind: "accesskey", tokenHash: sha256Hex(raw) }
        : { kind: "jwt", claims: verifyToken(raw, configOf(c.env).jwtSecret) };
  c.set("credential", decoded);
  return decoded;
}
