import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import { attemptKeys, clientIp } from "../../auth/attempt-limiter";
import { credentialOf } from "../../auth/credentials";
import { hashPassword, verifyPassword } from "../../auth/password";
import { requireOwnCustomer } from "../../auth/principal";
import { agents, Permission } from "../../db/schema";
import { ApiError, concurrentUpdate, errorResponses, notFound, permissionDenied } from "../../lib/errors";
import { authenticated, defineRoute, jsonBody, jsonResponse } from "../../lib/route";
import { isUuid, passwordField } from "../../lib/validation";
import { requireActive } from "../../lifecycle/guards";
import { kindSpecs } from "../../resources/kinds";
import { schemasFor, serializerFor } from "../../resources/schemas";
import { guestImmutable } from "../../resources/rules";

/** How recent a login proves the owner is at the keyboard (OWASP: re-authenticate for sensitive changes). */
export const FRESH_LOGIN_SECONDS = 5 * 60;

/**
 * An agent changing its own password proves it: its current password (under the password-guessing
 * limits, keyed by agent), or a token issued by a login within FRESH_LOGIN_SECONDS.
 */
async function proveOwner(c: Context<AppEnv>, agent: { id: string; passwordHash: string }, currentPassword?: string) {
  if (currentPassword === undefined) {
    const credential = credentialOf(c);
    const claims = credential?.kind === "jwt" ? await credential.claims : null;
    if (claims && Date.now() / 1000 - claims.issuedAt <= FRESH_LOGIN_SECONDS) return;
    throw permissionDenied(
      "RECENT_LOGIN_REQUIRED",
      "Changing your own password needs current_password, or a token from a login in the last 5 minutes.",
      [{ field: "current_password", description: "required: the token is not from a recent login" }],
    );
  }
  const attempts = attemptKeys(c.env, "password-change", agent.id, clientIp(c.req));
  await attempts.begin();
  if (!(await verifyPassword(currentPassword, agent.passwordHash)))
    throw new ApiError("UNAUTHENTICATED", "INVALID_PASSWORD", "The current password is incorrect.", [
      { field: "current_password" },
    ]);
  await attempts.succeed();
}

/** The proof an agent changing its own password gives when its token is not from a recent login. */
export const currentPasswordField = z.string().min(1).max(1024).optional().openapi({
  description:
    "The agent's current password: the proof an agent changing its own password gives when its token is not from a login in the last 5 minutes. Not needed when a CustomerAdmin sets another agent's password.",
});

const { Resource } = schemasFor(kindSpecs.agents);
const serialize = serializerFor(kindSpecs.agents);

export const changeAgentPassword = defineRoute(
  createRoute({
    method: "put",
    path: "/v1.0/agents/{id}/password",
    tags: ["Agents"],
    summary: "Change an agent's password",
    description:
      "By a CustomerAdmin, or by the agent itself. An agent changing its own password proves it is the owner: with `current_password`, or with a token from a login in the last 5 minutes (otherwise 403 RECENT_LOGIN_REQUIRED); wrong `current_password` answers 401 and counts against the password-guessing limits (429). The change revokes the agent's earlier tokens. The guest agent's password cannot be changed.",
    security: authenticated,
    request: {
      params: z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) }),
      body: jsonBody(
        z
          .strictObject({
            password: passwordField,
            current_password: currentPasswordField,
          })
          .openapi("AgentPasswordUpdate", { example: { password: "a-new-strong-password" } }),
      ),
    },
    responses: { 200: jsonResponse(Resource, "The agent"), ...errorResponses(400, 401, 403, 404, 409, 429) },
  }),
  async (c) => {
    const principal = c.get("principal");
    const id = c.req.valid("param").id.toLowerCase();
    const self = principal.kind === "agent" && principal.id === id;
    const customer = requireOwnCustomer(
      principal,
      self
        ? Permission.CustomerAgent | Permission.CustomerAdmin | Permission.CustomerManager
        : Permission.CustomerAdmin,
    );
    requireActive(customer);
    if (!self && (principal.permission & Permission.CustomerAdmin) === 0)
      throw permissionDenied("PERMISSION_DENIED", "Only a CustomerAdmin changes another agent's password.");
    const { password, current_password: currentPassword } = c.req.valid("json");
    const updated = await setAgentPassword(c, customer.id, id, password, self ? { currentPassword } : null);
    return c.json(serialize(updated), 200);
  },
);

/**
 * Sets one of the customer's agents' password. `owner` is set when the agent changes its own: it
 * must then prove it (a stolen token alone must not become a permanent takeover, since the change
 * revokes the owner's tokens). The agents_token_version_bump trigger (migration 0012) bumps the
 * token version in the same statement, so every token issued before is revoked.
 */
export async function setAgentPassword(
  c: Context<AppEnv>,
  customerId: string,
  id: string,
  password: string,
  owner: { currentPassword?: string } | null,
) {
  const db = c.get("db");
  const [row] = isUuid(id)
    ? await db
        .select()
        .from(agents)
        .where(and(eq(agents.id, id), eq(agents.customerId, customerId)))
        .limit(1)
    : [];
  if (!row) throw notFound("agent");
  if (row.isGuest) throw guestImmutable();
  if (owner) await proveOwner(c, row, owner.currentPassword);
  const [updated] = await db
    .update(agents)
    .set({ passwordHash: await hashPassword(password), tmUpdate: Date.now(), version: row.version + 1 })
    // An owner's proof was checked against this password: a change made meanwhile voids it.
    .where(
      and(
        eq(agents.id, id),
        eq(agents.customerId, customerId),
        owner ? eq(agents.passwordHash, row.passwordHash) : undefined,
      ),
    )
    .returning();
  if (!updated) throw owner ? concurrentUpdate("agent") : notFound("agent");
  return updated;
}
