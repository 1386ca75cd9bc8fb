import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import { principalWithOwnRaw, requireOwnCustomer } from "../../auth/principal";
import { recordReader } from "../../db/raw";
import { agents } from "../../db/schema";
import { errorResponses, unauthenticated } from "../../lib/errors";
import { etagOf, ifMatch } from "../../lib/etag";
import { authenticated, defineRoute, jsonBody, jsonResponse } from "../../lib/route";
import { detailField, nameField, passwordField } from "../../lib/validation";
import { currentPasswordField, setAgentPassword } from "../resources/agent-password";
import { fieldOf } from "../../resources/kinds";
import { kindRules } from "../../resources/rules";
import { inputOf, setterSchemaFor } from "../../resources/schemas";
import { kindContext, READ, type RuleContext } from "../../resources/store";
import { writeResponse } from "../resources/crud";
import { agentIdOf, agentsOnly, SERVICE_AGENT_TAGS, SERVICE_AGENTS } from "./caller";
import { operationIdOf } from "../../lib/operation-id";

// The logged-in agent's own record: any agent of a live customer reads and changes itself.
const agentsKind = kindContext("agents", kindRules.agents);
const { spec, serialize } = agentsKind;
const Agent = agentsKind.schemas.Resource;
const tags = SERVICE_AGENT_TAGS;
const middleware = [agentsOnly];
const agentRow = recordReader(agents);
const AGENT_SELF_SQL = `SELECT ${agentRow.columns} FROM agents WHERE id = ? AND customer_id = `;

const getMe = defineRoute(
  createRoute({
    method: "get",
    path: `${SERVICE_AGENTS}/me`,
    operationId: operationIdOf("get", `${SERVICE_AGENTS}/me`),
    tags,
    summary: "The logged-in agent",
    security: authenticated,
    middleware,
    responses: { 200: jsonResponse(Agent, "The caller"), ...errorResponses(401, 403) },
  }),
  async (c) => {
    const id = await agentIdOf(c);
    // The agent's row in the same D1 batch as the credential check: one round trip.
    const [principal, row] = await principalWithOwnRaw(c, (scope) => ({
      statement: (d1) => d1.prepare(`${AGENT_SELF_SQL}${scope.sql} LIMIT 1`).bind(id, ...scope.params),
      read: (records) => (records[0] ? agentRow.read(records[0]) : null),
    }));
    requireOwnCustomer(principal, READ);
    if (!row) throw unauthenticated();
    c.header("ETag", etagOf(row.version));
    return c.json(serialize(row), 200);
  },
);

/** The caller as the writer of its own agents row (requireOwnCustomer refuses the super admin, who has none). */
function selfWriter(c: Context<AppEnv>): RuleContext {
  return agentsKind.writer(c, READ);
}

/** A PUT on the caller's own agents row that changes the body's fields, through the kind's update (If-Match, version bump). */
function meSetter(suffix: string, Body: z.ZodObject, summary: string) {
  return defineRoute(
    createRoute({
      method: "put",
      path: `${SERVICE_AGENTS}/me${suffix}`,
      operationId: operationIdOf("put", `${SERVICE_AGENTS}/me${suffix}`),
      tags,
      summary,
      description: "Changes the caller's own agent; fields beyond these are ignored and named in X-Ignored-Fields.",
      security: authenticated,
      middleware,
      request: { body: jsonBody(Body) },
      responses: { 200: writeResponse(Agent, "The updated agent"), ...errorResponses(400, 401, 403, 409, 412) },
    }),
    async (c) => {
      const ctx = selfWriter(c);
      const input: Record<string, unknown> = c.req.valid("json");
      const change = await agentsKind.columnsOf(ctx, ctx.principalId, input, Date.now());
      const updated = await agentsKind.update(ctx, ctx.principalId, change, { input, expected: ifMatch(c) });
      c.header("ETag", etagOf(updated.version));
      return c.json(serialize(updated), 200);
    },
  );
}

const setterBody = (name: string, schemaName: string) => {
  const setter = spec.setters?.find((s) => s.name === name);
  if (!setter) throw new Error(`agents has no setter ${name}`);
  return setterSchemaFor(spec, { ...setter, required: true }, schemaName);
};
// The contract requires all three; the Go SDK always sends them (ring_method "" reads as the default).
const MeUpdate = z
  .object({ name: nameField, detail: detailField, ring_method: inputOf(fieldOf(spec, "ring_method")) })
  .openapi("ServiceAgentMeUpdate", { example: { name: "John Smith", detail: "Sales", ring_method: "ringall" } });

const putMe = meSetter("", MeUpdate, "Change the logged-in agent's name, detail and ring method");
const putAddresses = meSetter(
  "/addresses",
  setterBody("addresses", "ServiceAgentMeAddressesUpdate"),
  "Set the logged-in agent's addresses",
);
const putStatus = meSetter(
  "/status",
  setterBody("status", "ServiceAgentMeStatusUpdate"),
  "Set the logged-in agent's status",
);

const putPassword = defineRoute(
  createRoute({
    method: "put",
    path: `${SERVICE_AGENTS}/me/password`,
    operationId: operationIdOf("put", `${SERVICE_AGENTS}/me/password`),
    tags,
    summary: "Change the logged-in agent's password",
    description:
      "Every token issued to the agent before the change stops working (sign in again). As with PUT /v1.0/agents/{self}/password, the agent proves it is the owner: with `current_password`, or with a token from a login in the last 5 minutes (otherwise 403 RECENT_LOGIN_REQUIRED). The guest agent's password cannot be changed.",
    security: authenticated,
    middleware,
    request: {
      body: jsonBody(
        z
          .object({ password: passwordField, current_password: currentPasswordField })
          .openapi("ServiceAgentMePasswordUpdate", { example: { password: "a-new-strong-password" } }),
      ),
    },
    responses: { 200: writeResponse(Agent, "The agent"), ...errorResponses(400, 401, 403, 409, 429) },
  }),
  async (c) => {
    const ctx = selfWriter(c);
    // The same change as PUT /v1.0/agents/{self}/password, with the same proof of ownership.
    const { password, current_password: currentPassword } = c.req.valid("json");
    const updated = await setAgentPassword(c, ctx.customer.id, ctx.principalId, password, { currentPassword });
    return c.json(serialize(updated), 200);
  },
);

// The fixed sub-paths are distinct from /me, so order does not matter here.
export const serviceAgentMeRoutes = [getMe, putMe, putAddresses, putPassword, putStatus];
