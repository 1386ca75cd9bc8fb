import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { hashPassword } from "../../auth/password";
import { requireOwnCustomer } from "../../auth/principal";
import type { Db } from "../../db/client";
import { agents, Permission } from "../../db/schema";
import { errorResponses, notFound } from "../../lib/errors";
import { authenticated, defineRoute, jsonBody, jsonResponse } from "../../lib/route";
import { isUuid, passwordField } from "../../lib/validation";
import { requireActive } from "../../lifecycle/guards";
import { kindSpecs } from "../../resources/kinds";
import { schemasFor, serializerFor } from "../../resources/schemas";
import { guestImmutable } from "../../resources/rules";

const { Resource } = schemasFor(kindSpecs.agents);
const serialize = serializerFor(kindSpecs.agents);

export const changeAgentPassword = defineRoute(
  createRoute({
    method: "put",
    path: "/v1.0/agents/{id}/password",
    tags: ["Agents"],
    summary: "Change an agent's password",
    description: "By a CustomerAdmin, or by the agent itself. The guest agent's password cannot be changed.",
    security: authenticated,
    request: {
      params: z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) }),
      body: jsonBody(
        z
          .strictObject({ password: passwordField })
          .openapi("AgentPasswordUpdate", { example: { password: "a-new-strong-password" } }),
      ),
    },
    responses: { 200: jsonResponse(Resource, "The agent"), ...errorResponses(400, 401, 403, 404) },
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
    const updated = await setAgentPassword(c.get("db"), customer.id, id, c.req.valid("json").password);
    return c.json(serialize(updated), 200);
  },
);

/**
 * Sets one of the customer's agents' password. The agents_token_version_bump trigger (migration
 * 0012) bumps its token version in the same statement, so every token issued before is revoked.
 */
export async function setAgentPassword(db: Db, customerId: string, id: string, password: string) {
  const [row] = isUuid(id)
    ? await db
        .select()
        .from(agents)
        .where(and(eq(agents.id, id), eq(agents.customerId, customerId)))
        .limit(1)
    : [];
  if (!row) throw notFound("agent");
  if (row.isGuest) throw guestImmutable();
  const [updated] = await db
    .update(agents)
    .set({ passwordHash: await hashPassword(password), tmUpdate: Date.now(), version: row.version + 1 })
    .where(and(eq(agents.id, id), eq(agents.customerId, customerId)))
    .returning();
  if (!updated) throw notFound("agent");
  return updated;
}
