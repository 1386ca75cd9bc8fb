import { fromBase64, toBase64, toHex, utf8 } from "../lib/crypto";

async function hmacSha256(key: Uint8Array, message: string): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, utf8(message)));
}

/** `X-VoIPBIN-Signature`: what the platform's receivers check today (key = the secret as UTF-8). */
export async function voipbinSignature(secret: string, body: string): Promise<string> {
  return `sha256=${toHex(await hmacSha256(utf8(secret), body))}`;
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

/** Headers for one delivery; with several secrets (a rotation in progress) every one signs. */
export async function signDelivery(
  secrets: string[],
  id: string,
  timestamp: number,
  body: string,
): Promise<SignedHeaders> {
  // The customer's current secret comes first (webhooks/secrets.ts).
  const [current = ""] = secrets;
  const standard = await Promise.all(secrets.map((s) => standardWebhookSignature(s, id, timestamp, body)));
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": standard.join(" "),
    "X-VoIPBIN-Signature": await voipbinSignature(current, body),
  };
}
