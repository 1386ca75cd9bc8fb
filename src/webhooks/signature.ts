import { fromBase64, toBase64, toHex, utf8 } from "../lib/crypto";

async function hmacSha256(key: Uint8Array, message: string): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, utf8(message)));
}

/**
 * `X-VoIPBIN-Signature`: what the platform's receivers check today (key = the secret as UTF-8),
 * over what the request carries: a POST's body, a GET's query string (its event id and timestamp).
 */
export async function voipbinSignature(secret: string, signed: string): Promise<string> {
  return `sha256=${toHex(await hmacSha256(utf8(secret), signed))}`;
}

/** Standard Webhooks `v1,<base64>` over "id.timestamp.body"; the key is the base64 after `whsec_`. */
export async function standardWebhookSignature(
  secret: string,
  id: string,
  timestamp: number,
  body: string,
): Promise<string> {
  const key = fromBase64(secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret);
  return `v1,${toBase64(await hmacSha256(key, `${id}.${timestamp}.${body}`))}`;
}

export interface SignedHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
  "X-VoIPBIN-Signature": string;
}

/** What one delivery carries, as far as its signatures cover it. */
export interface Delivery {
  id: string;
  timestamp: number;
  /** The request body ("" for GET). */
  body: string;
  /** What X-VoIPBIN-Signature signs: the body, or a GET's query string (without "?"). */
  legacySigned: string;
}

/**
 * Headers for one delivery. `secrets` is the current secret, then the previous one while a
 * rotation's overlap lasts: webhook-signature carries a signature of each, X-VoIPBIN-Signature
 * (one value only) the previous secret's until the overlap ends, so a receiver that checks only
 * that header keeps working through the overlap and switches at its end.
 */
export async function signDelivery(secrets: string[], delivery: Delivery): Promise<SignedHeaders> {
  const { id, timestamp, body, legacySigned } = delivery;
  const legacySecret = secrets[secrets.length - 1] ?? "";
  const standard = await Promise.all(secrets.map((s) => standardWebhookSignature(s, id, timestamp, body)));
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": standard.join(" "),
    "X-VoIPBIN-Signature": await voipbinSignature(legacySecret, legacySigned),
  };
}
