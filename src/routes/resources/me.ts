import { createRoute } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { principalOf } from "../../auth/principal";
import { accesskeys, agents, Permission, ZERO_UUID } from "../../db/schema";
import { errorResponses, unauthenticated } from "../../lib/errors";
import { authenticated, defineRoute, jsonResponse } from "../../lib/route";
import { kindSpecs } from "../../resources/kinds";
import { schemasFor, serializerFor } from "./schemas";

const { Resource: Agent } = schemasFor(kindSpecs.agents);
const serializeAgent = serializerFor(kindSpecs.agents);

export const getMe = defineRoute(
  createRoute({
    method: "get",
    path: "/v1.0/me",
    tags: ["Agents"],
    summary: "The caller, as an agent",
    description:
      "The signed-in agent. With an access key, the key's identity in the agent shape: its id, name and detail, an empty username, permission CustomerAdmin (32), and the defaults of an agent (`vn login` calls this to check a key).",
    security: authenticated,
    responses: { 200: jsonResponse(Agent, "The caller"), ...errorResponses(401) },
  }),
  async (c) => {
    const principal = await principalOf(c);
    const db = c.get("db");
    if (principal.kind === "agent") {
      const [row] = await db.select().from(agents).where(eq(agents.id, principal.id)).limit(1);
      if (!row) throw unauthenticated();
      return c.json(serializeAgent(row), 200);
    }
    const [key] = await db.select().from(accesskeys).where(eq(accesskeys.id, principal.id)).limit(1);
    if (!key) throw unauthenticated();
    // An access key in the agent shape: its own id, name and times; no username; CustomerAdmin.
    const asAgent = serializeAgent({
      id: key.id,
      customerId: principal.customer?.id ?? ZERO_UUID,
      name: key.name,
      detail: key.detail,
      username: "",
      permission: Permission.CustomerAdmin,
      ringMethod: "ringall",
      status: "offline",
      tagIds: [],
      addresses: [],
      isGuest: false,
      tmCreate: key.tmCreate,
      tmUpdate: key.tmUpdate,
      version: 1,
    });
    return c.json(asAgent, 200);
  },
);
