import { fromBase64, sha256Hex, toBase64, utf8 } from "./crypto";
import { ApiError } from "./errors";

// Secrets the service must be able to give back (SIP passwords: a registrar checks them with
// digest authentication, so a one-way hash is useless), sealed with AES-256-GCM under a key from
// the Worker's secrets. The key setting holds one or more base64 keys of 32 bytes, comma
// separated: the first seals, every one opens (rotation: put the new key first, re-save the
// rows, then drop the old one). Each sealed value names its key by a short fingerprint and is
// bound (additional data) to the row it belongs to, so it cannot be copied to another row.

const VERSION = "v1";

interface SealingKey {
  id: string;
  key: CryptoKey;
}

export const sealingKeyMissing = (setting: string) =>
  new ApiError(
    "INTERNAL",
    "SEALING_KEY_MISSING",
    `The service cannot store or read this secret: ${setting} is not configured.`,
    [],
    500,
  );

// Imported once per isolate and setting value: importKey and the fingerprint cost a little CPU.
const imported = new Map<string, Promise<KeyRing>>();

/** The keys of a setting, the sealing one first (never empty). */
type KeyRing = [SealingKey, ...SealingKey[]];

async function importKeys(setting: string, value: string): Promise<KeyRing> {
  const keys: SealingKey[] = [];
  for (const part of value.split(",")) {
    const b64 = part.trim();
    if (!b64) continue;
    let bytes: Uint8Array;
    try {
      bytes = fromBase64(b64);
    } catch {
      bytes = new Uint8Array();
    }
    if (bytes.byteLength !== 32) {
      console.error(`${setting}: every key must be 32 bytes in base64; one is not`);
      throw sealingKeyMissing(setting);
    }
    const key = await crypto.subtle.importKey("raw", bytes, "AES-GCM", false, ["encrypt", "decrypt"]);
    keys.push({ id: (await sha256Hex(b64)).slice(0, 8), key });
  }
  const [first, ...rest] = keys;
  if (!first) throw sealingKeyMissing(setting);
  return [first, ...rest];
}

function keysOf(setting: string, value: string | undefined): Promise<KeyRing> {
  if (!value?.trim()) return Promise.reject(sealingKeyMissing(setting));
  let keys = imported.get(value);
  if (!keys) {
    keys = importKeys(setting, value);
    // A bad setting is not cached: fixing the secret takes effect without a new isolate.
    keys.catch(() => imported.delete(value));
    imported.set(value, keys);
  }
  return keys;
}

/** A sealer for one secret setting (its name, for messages, and its value from the env). */
export function sealer(setting: string, value: string | undefined) {
  return {
    /** `plain` sealed for the row `bound` names. */
    async seal(plain: string, bound: string): Promise<string> {
      const [current] = await keysOf(setting, value);
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const ct = await crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData: utf8(bound) },
        current.key,
        utf8(plain),
      );
      return `${VERSION}.${current.id}.${toBase64(iv)}.${toBase64(ct)}`;
    },
    /** The plain text of a sealed value of the row `bound` names; an error when no key opens it. */
    async open(sealed: string, bound: string): Promise<string> {
      const [version, id, iv, ct] = sealed.split(".");
      const key = (await keysOf(setting, value)).find((k) => k.id === id);
      if (version !== VERSION || !key || !iv || !ct) throw unreadable(setting);
      try {
        const plain = await crypto.subtle.decrypt(
          { name: "AES-GCM", iv: fromBase64(iv), additionalData: utf8(bound) },
          key.key,
          fromBase64(ct),
        );
        return new TextDecoder().decode(plain);
      } catch {
        throw unreadable(setting);
      }
    },
  };
}

function unreadable(setting: string): ApiError {
  // Never the value: only that a stored secret does not open under the configured keys.
  console.error(`a sealed secret does not open with the keys in ${setting} (removed key, or tampered row)`);
  return new ApiError(
    "INTERNAL",
    "SEALED_SECRET_UNREADABLE",
    `A stored secret cannot be read with the keys in ${setting}.`,
    [],
    500,
  );
}
