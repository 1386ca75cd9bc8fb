import { createMiddleware } from "hono/factory";
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import { credentialOf } from "../../auth/credentials";
import { ApiError, unauthenticated } from "../../lib/errors";
import { READ } from "../../resources/store";
import type { RouteOptions } from "../resources/crud";

// Who calls /v1.0/service_agents/*: a signed-in agent of a live customer, with its login token
// (Bearer, ?token=, or ?accesskey=, where the Go SDK puts every credential). An access key is not
// an agent: the platform answers it 401 here, and so does this service.

export const SERVICE_AGENTS = "/v1.0/service_agents";
export const SERVICE_AGENT_TAGS = ["Service Agent"];

const notAnAgent = () =>
  new ApiError(
    "UNAUTHENTICATED",
    "AGENT_TOKEN_REQUIRED",
    "The agent API takes an agent's login token (POST /auth/login); an access key is not an agent.",
  );

/** Route middleware of every service_agents route: an access key is refused before anything is read. */
export const agentsOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (credentialOf(c)?.kind === "accesskey") throw notAnAgent();
  await next();
});

/**
 * The calling agent's id, from its verified token: queries batched with the credential check
 * (one D1 round trip) need it before the check has run. The batch hands their rows over only if
 * the token still stands for this agent of this customer (src/auth/principal.ts).
 */
export async function agentIdOf(c: Context<AppEnv>): Promise<string> {
  const credential = credentialOf(c);
  const claims = credential?.kind === "jwt" ? await credential.claims : null;
  if (!claims) throw unauthenticated("The credential is invalid, expired or revoked.");
  return claims.agentId;
}

/** Every agent of the customer (CustomerAgent, Manager or Admin) calls these, reads and writes alike. */
export const AGENT_ROUTES: RouteOptions = { tags: SERVICE_AGENT_TAGS, mask: READ, middleware: [agentsOnly] };
