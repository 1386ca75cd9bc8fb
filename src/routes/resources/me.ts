import { createRoute } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import { principalOf, type Principal } from "../../auth/principal";
import { SUPER_ADMIN_ID } from "../../auth/super-admin";
import { accesskeys, agents, ZERO_UUID } from "../../db/schema";
import { errorResponses, unauthenticated } from "../../lib/errors";
import { authenticated, defineRoute, jsonResponse } from "../../lib/route";
import { kindSpecs } from "../../resources/kinds";
import { schemasFor, serializerFor } from "../../resources/schemas";

const { Resource: Agent } = schemasFor(kindSpecs.agents);
const serializeAgent = serializerFor(kindSpecs.agents);

export const getMe = defineRoute(
  createRoute({
    method: "get",
    path: "/v1.0/me",
    tags: ["Agents"],
    summary: "The caller, as an agent",
    description:
      "The signed-in agent. With an access key, the key's identity in the agent shape: its id, name and detail, an empty username, the key's permission (CustomerAdmin, 32; ProjectSuperAdmin, 1, for the super admin's keys), and the defaults of an agent (`vn login` calls this to check a key).",
    security: authenticated,
    responses: { 200: jsonResponse(Agent, "The caller"), ...errorResponses(401) },
  }),
  async (c) => c.json(await meOf(c, await principalOf(c)), 200),
);

/** The caller in the agent shape: its agents row, or an access key (or the super admin) dressed as one. */
export async function meOf(c: Context<AppEnv>, principal: Principal) {
  const db = c.get("db");
  if (principal.kind === "agent" && principal.id !== SUPER_ADMIN_ID) {
    const [row] = await db.select().from(agents).where(eq(agents.id, principal.id)).limit(1);
    if (!row) throw unauthenticated();
    return serializeAgent(row);
  }
  if (principal.kind === "agent") {
    // The super admin lives in configuration, not in the agents table.
    return agentShape(
      { id: SUPER_ADMIN_ID, name: "Project super admin", detail: "", username: principal.username ?? "" },
      principal,
    );
  }
  const [key] = await db.select().from(accesskeys).where(eq(accesskeys.id, principal.id)).limit(1);
  if (!key) throw unauthenticated();
  // An access key in the agent shape: its own id, name and times; no username.
  return agentShape(
    { id: key.id, name: key.name, detail: key.detail, username: "", tmCreate: key.tmCreate, tmUpdate: key.tmUpdate },
    principal,
  );
}

/** A caller that is not an agents row, in the agent shape, with an agent's defaults. */
function agentShape(
  identity: { id: string; name: string; detail: string; username: string; tmCreate?: number; tmUpdate?: number },
  principal: Principal,
) {
  return serializeAgent({
    customerId: principal.customer?.id ?? ZERO_UUID,
    permission: principal.permission,
    ringMethod: "ringall",
    status: "offline",
    tagIds: [],
    addresses: [],
    isGuest: false,
    tmCreate: 0,
    tmUpdate: 0,
    version: 1,
    ...identity,
  });
}
