import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import { principalOf, requireOwnCustomer } from "../../auth/principal";
import { errorResponses, permissionDenied } from "../../lib/errors";
import { etagOf } from "../../lib/etag";
import { authenticated, defineRoute, jsonBody, jsonResponse } from "../../lib/route";
import { detailField, nameField, passwordField } from "../../lib/validation";
import { requireActive } from "../../lifecycle/guards";
import { setAgentPassword } from "../resources/agent-password";
import { kindContext, READ, writeResponse, type RuleContext } from "../resources/crud";
import { meOf } from "../resources/me";
import { kindRules } from "../resources/rules";
import { inputOf, setterSchemaFor, toColumns } from "../resources/schemas";

// The logged-in agent's own record: any agent of a live customer reads and changes itself.
export const SERVICE_AGENT_TAGS = ["Service Agent"];
const agentsKind = kindContext("agents", kindRules.agents);
const { spec, serialize } = agentsKind;
const Agent = agentsKind.schemas.Resource;

/** The caller as the writer of its own agents row; an access key is not an agent and has none. */
function selfWriter(c: Context<AppEnv>): RuleContext {
  const principal = c.get("principal");
  const customer = requireOwnCustomer(principal, READ);
  if (principal.kind !== "agent")
    throw permissionDenied(
      "AGENT_REQUIRED",
      "Only a signed-in agent changes its own record; an access key is not an agent.",
    );
  requireActive(customer);
  return { db: c.get("db"), env: c.env, customer, principalId: principal.id };
}

const getMe = defineRoute(
  createRoute({
    method: "get",
    path: "/v1.0/service_agents/me",
    tags: SERVICE_AGENT_TAGS,
    summary: "The logged-in agent",
    description: "As GET /v1.0/me, for a caller of a customer: an access key answers its identity in the agent shape.",
    security: authenticated,
    responses: { 200: jsonResponse(Agent, "The caller"), ...errorResponses(401, 403) },
  }),
  async (c) => {
    const principal = await principalOf(c);
    requireOwnCustomer(principal, READ);
    return c.json(await meOf(c, principal), 200);
  },
);

/** A PUT on the caller's own agents row that changes `fields`, through the kind's update (If-Match, version bump). */
function meSetter(suffix: string, Body: z.ZodObject, summary: string) {
  return defineRoute(
    createRoute({
      method: "put",
      path: `/v1.0/service_agents/me${suffix}`,
      tags: SERVICE_AGENT_TAGS,
      summary,
      description:
        "Changes the caller's own agent; fields beyond these are ignored and named in X-Ignored-Fields. An access key is not an agent (403).",
      security: authenticated,
      request: { body: jsonBody(Body) },
      responses: { 200: writeResponse(Agent, "The updated agent"), ...errorResponses(400, 401, 403, 409, 412) },
    }),
    async (c) => {
      const ctx = selfWriter(c);
      const input = c.req.valid("json") as Record<string, unknown>;
      const updated = await agentsKind.update(c, ctx, ctx.principalId, input, await toColumns(spec, input, Date.now()));
      c.header("ETag", etagOf(updated.version));
      return c.json(serialize(updated), 200);
    },
  );
}

const setterBody = (name: string, schemaName: string) =>
  setterSchemaFor(spec, { ...spec.setters!.find((s) => s.name === name)!, required: true }, schemaName);
// The contract requires all three; the Go SDK always sends them (ring_method "" reads as the default).
const MeUpdate = z
  .object({
    name: nameField,
    detail: detailField,
    ring_method: inputOf(spec.fields.find((f) => f.api === "ring_method")!),
  })
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
    path: "/v1.0/service_agents/me/password",
    tags: SERVICE_AGENT_TAGS,
    summary: "Change the logged-in agent's password",
    description:
      "Every token issued to the agent before the change stops working (sign in again). The guest agent's password cannot be changed; an access key is not an agent (403).",
    security: authenticated,
    request: {
      body: jsonBody(
        z
          .object({ password: passwordField })
          .openapi("ServiceAgentMePasswordUpdate", { example: { password: "a-new-strong-password" } }),
      ),
    },
    responses: { 200: writeResponse(Agent, "The agent"), ...errorResponses(400, 401, 403) },
  }),
  async (c) => {
    const ctx = selfWriter(c);
    const updated = await setAgentPassword(ctx.db, ctx.customer.id, ctx.principalId, c.req.valid("json").password);
    return c.json(serialize(updated), 200);
  },
);

// The fixed sub-paths are distinct from /me, so order does not matter here.
export const serviceAgentMeRoutes = [getMe, putMe, putAddresses, putPassword, putStatus];
