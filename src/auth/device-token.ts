import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../app-env";
import { configOf } from "../config";
import { randomBytes, sha256Hex, timingSafeEqual, toBase64, utf8 } from "../lib/crypto";

/**
 * Device tokens (OWASP's "device cookies"): a successful login, or a password set through a mailed
 * link, hands the client a token signed for that account. A client that presents it on a later
 * login spends its own small guessing budget instead of the account's shared one
 * (attempt-limiter.ts), so an attacker who exhausts the shared budget from any number of
 * addresses cannot keep the owner's known devices out. The token grants nothing else: it is not a
 * credential, and it works only for the account it was issued for.
 *
 * Form: `dv1.<nonce>.<expiry, epoch seconds>.<HMAC-SHA256 of username, nonce and expiry>`, keyed by
 * JWT_SECRET (the label "device-token" keeps the MAC apart from the JWTs'). The nonce names the
 * device's budget. Browsers get it as an HttpOnly cookie scoped to /auth/login; API clients read
 * `device_token` from the answer and send it back in the login body.
 */
export const DEVICE_TOKEN_TTL_SECONDS = 365 * 24 * 3600;
const VERSION = "dv1";
const MAX_TOKEN_LENGTH = 256;

const base64url = (bytes: ArrayBuffer | Uint8Array) =>
  toBase64(bytes).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

const keys = new Map<string, Promise<CryptoKey>>();
const macKey = (secret: string) => {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", utf8(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    keys.set(secret, key);
  }
  return key;
};

const mac = async (secret: string, username: string, nonce: string, exp: string) =>
  base64url(
    await crypto.subtle.sign("HMAC", await macKey(secret), utf8(`device-token\n${username}\n${nonce}\n${exp}`)),
  );

export async function issueDeviceToken(secret: string, username: string, now = Date.now()): Promise<string> {
  const nonce = base64url(randomBytes(16));
  const exp = String(Math.floor(now / 1000) + DEVICE_TOKEN_TTL_SECONDS);
  return `${VERSION}.${nonce}.${exp}.${await mac(secret, username, nonce, exp)}`;
}

/** The device's nonce when `token` is a valid, unexpired device token for `username`; null for anything else. */
export async function verifyDeviceToken(
  secret: string,
  username: string,
  token: string | undefined,
  now = Date.now(),
): Promise<string | null> {
  if (!token || token.length > MAX_TOKEN_LENGTH) return null;
  const [version, nonce, exp, signature, ...rest] = token.split(".");
  if (version !== VERSION || !nonce || !exp || !signature || rest.length) return null;
  if (!/^\d{1,12}$/.test(exp) || Number(exp) * 1000 <= now) return null;
  return timingSafeEqual(utf8(signature), utf8(await mac(secret, username, nonce, exp))) ? nonce : null;
}

/** One cookie per account, so a browser keeps the device tokens of every account it signs in to. */
export const deviceCookieName = async (username: string) => `vb_device_${(await sha256Hex(username)).slice(0, 16)}`;

/** The device (its nonce) a login presents for `username`: the body's `device_token`, else its cookie. */
export async function presentedDevice(
  c: Context<AppEnv>,
  username: string,
  bodyToken?: string,
): Promise<string | null> {
  const secret = configOf(c.env).jwtSecret;
  const fromBody = await verifyDeviceToken(secret, username, bodyToken);
  if (fromBody) return fromBody;
  return verifyDeviceToken(secret, username, getCookie(c, await deviceCookieName(username)));
}

/** Issues a device token for `username`, sets it as the account's device cookie, and returns it. */
export async function grantDevice(c: Context<AppEnv>, username: string): Promise<string> {
  const token = await issueDeviceToken(configOf(c.env).jwtSecret, username);
  setCookie(c, await deviceCookieName(username), token, {
    httpOnly: true,
    secure: true,
    sameSite: "Strict",
    path: "/auth/login",
    maxAge: DEVICE_TOKEN_TTL_SECONDS,
  });
  return token;
}
