import { fromBase64, sha256Hex, toBase64, utf8 } from "./crypto";
import { ApiError } from "./errors";

// Secrets the service must be able to give back (SIP passwords: a registrar checks them with
// digest authentication, so a one-way hash is useless), sealed with AES-256-GCM under keys from
// the Worker's secrets (validated in src/config.ts): the first key seals, every one opens
// (rotation: put the new key first, re-save the rows, then drop the old one). Each sealed value
// names its key by a short fingerprint and is bound (additional data) to the row it belongs to,
// so it cannot be copied to another row.

const VERSION = "v1";

interface SealingKey {
  id: string;
  key: CryptoKey;
}

/** The keys, the sealing one first. */
type KeyRing = [SealingKey, ...SealingKey[]];

// Imported once per isolate and key list: importKey and the fingerprints cost a little CPU.
const imported = new Map<string, Promise<KeyRing>>();

async function importKey(b64: string): Promise<SealingKey> {
  const key = await crypto.subtle.importKey("raw", fromBase64(b64), "AES-GCM", false, ["encrypt", "decrypt"]);
  return { id: (await sha256Hex(b64)).slice(0, 8), key };
}

function keyRing(keys: readonly [string, ...string[]]): Promise<KeyRing> {
  const cacheKey = keys.join(",");
  let ring = imported.get(cacheKey);
  if (!ring) {
    const [first, ...rest] = keys;
    ring = Promise.all([importKey(first), ...rest.map(importKey)]) as Promise<KeyRing>;
    imported.set(cacheKey, ring);
  }
  return ring;
}

/** A sealer over base64 AES-256 keys; `setting` names them in messages. */
export function sealer(setting: string, keys: readonly [string, ...string[]]) {
  return {
    /** `plain` sealed for the row `bound` names. */
    async seal(plain: string, bound: string): Promise<string> {
      const [current] = await keyRing(keys);
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
      const key = (await keyRing(keys)).find((k) => k.id === id);
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
