import { sign, verify } from "hono/jwt";

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

/** The agent (and the customer it belongs to) of a valid, unexpired token; null for anything else. */
export async function verifyToken(
  token: string,
  secret: string,
): Promise<{ agentId: string; customerId: string; version: unknown; issuedAt: number } | null> {
  try {
    const payload = await verify(token, secret, "HS256");
    if (typeof payload.sub !== "string") return null;
    return {
      agentId: payload.sub,
      customerId: typeof payload.customer_id === "string" ? payload.customer_id : "",
      version: payload.ver,
      issuedAt: typeof payload.iat === "number" ? payload.iat : 0,
    };
  } catch {
    return null;
  }
}
