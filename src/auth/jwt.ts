import { sign, verify } from "hono/jwt";
import { BoundedMemo } from "../lib/bounded-memo";

export const TOKEN_TTL_SECONDS = 7 * 24 * 3600;

export interface TokenClaims {
  sub: string; // agent id
  username: string;
  customer_id: string;
  permission: number;
  /**
   * The credential version the token was issued under: an agent's `token_version` (bumped by a
   * trigger on any password or permission change), or the super admin's configuration hash.
   * A token whose version is no longer current answers 401.
   */
  ver: number | string;
  iat: number;
  exp: number;
}

export async function issueToken(
  agent: { id: string; username: string; customerId: string; permission: number; tokenVersion: number | string },
  secret: string,
  now = Date.now(),
): Promise<string> {
  const iat = Math.floor(now / 1000);
  const claims: TokenClaims = {
    sub: agent.id,
    username: agent.username,
    customer_id: agent.customerId,
    permission: agent.permission,
    ver: agent.tokenVersion,
    iat,
    exp: iat + TOKEN_TTL_SECONDS,
  };
  return sign({ ...claims }, secret, "HS256");
}

export interface VerifiedClaims {
  agentId: string;
  customerId: string;
  version: unknown;
  issuedAt: number;
}

/**
 * Tokens whose signature this isolate has already checked, with the secret it was checked under
 * and when the token expires. Checking an HS256 signature was a third of the isolate's CPU on a
 * read with an agent's token (bench/README.md); a client sends the same token request after
 * request. Only the signature check is remembered: expiry is checked on every use, and
 * revocation (the agent's token_version) is still read from D1 with every request. Only valid
 * tokens are kept, so garbage cannot fill it; the bound keeps it small.
 */
export class VerifiedTokens {
  #memo: BoundedMemo<{ secret: string; claims: VerifiedClaims }>;

  constructor(capacity = 5_000) {
    this.#memo = new BoundedMemo(capacity);
  }

  get size(): number {
    return this.#memo.size;
  }

  get(token: string, secret: string, nowMs: number): VerifiedClaims | undefined {
    const entry = this.#memo.get(token, nowMs);
    if (entry?.secret === secret) return entry.claims;
    if (entry) this.#memo.delete(token);
    return undefined;
  }

  set(token: string, secret: string, claims: VerifiedClaims, expiresAtMs: number): void {
    this.#memo.set(token, { secret, claims }, expiresAtMs);
  }
}

const verified = new VerifiedTokens();

/** The agent (and the customer it belongs to) of a valid, unexpired token; null for anything else. */
export async function verifyToken(token: string, secret: string, now = Date.now()): Promise<VerifiedClaims | null> {
  const known = verified.get(token, secret, now);
  if (known) return known;
  try {
    const payload = await verify(token, secret, "HS256");
    // A token without `exp` is not one this service issued; expiry is checked against `now`, as for a remembered token.
    if (typeof payload.sub !== "string" || typeof payload.exp !== "number" || payload.exp * 1000 <= now) return null;
    const claims: VerifiedClaims = {
      agentId: payload.sub,
      customerId: typeof payload.customer_id === "string" ? payload.customer_id : "",
      version: payload.ver,
      issuedAt: typeof payload.iat === "number" ? payload.iat : 0,
    };
    verified.set(token, secret, claims, payload.exp * 1000);
    return claims;
  } catch {
    return null;
  }
}
