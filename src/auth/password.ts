import { fromBase64, randomBytes, timingSafeEqual, toBase64, utf8 } from "../lib/crypto";

// PBKDF2-SHA256 through WebCrypto. 100,000 iterations is the most Workers allow in production.
// Stored as `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>` so the cost can be raised later
// without breaking existing hashes.
const SCHEME = "pbkdf2-sha256";
export const PBKDF2_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const HASH_BYTES = 32;

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", utf8(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    key,
    HASH_BYTES * 8,
  );
  return new Uint8Array(bits);
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, PBKDF2_ITERATIONS);
  return `${SCHEME}$${PBKDF2_ITERATIONS}$${toBase64(salt)}$${toBase64(hash)}`;
}

/** A stored value that no password matches: for guest agents, which never log in with one. */
export function unusablePasswordHash(): string {
  return `!unusable$${toBase64(randomBytes(16))}`;
}

/**
 * The stored hash of an agent whose password was never set (passwordless signup, operator
 * creation, or a signup's password revoked by the mailbox owner): no password matches it, and
 * its prefix marks the agent as due a "set your password" mail (src/domain/password-reset.ts).
 */
export const UNSET_PASSWORD_PREFIX = "!unset$";
export const unsetPasswordHash = () => `${UNSET_PASSWORD_PREFIX}${toBase64(randomBytes(16))}`;

// Verified against when the username is unknown, so both cases cost the same PBKDF2 work.
const DUMMY_HASH = `${SCHEME}$${PBKDF2_ITERATIONS}$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`;

export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const parts = (stored ?? DUMMY_HASH).split("$");
  const usable = stored != null && parts.length === 4 && parts[0] === SCHEME;
  const [, iterText, saltB64, hashB64] = usable ? parts : DUMMY_HASH.split("$");
  const iterations = Number(iterText);
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > PBKDF2_ITERATIONS) return false;
  const expected = fromBase64(hashB64 ?? "");
  const actual = await derive(password, fromBase64(saltB64 ?? ""), iterations);
  return timingSafeEqual(actual, expected) && usable;
}
