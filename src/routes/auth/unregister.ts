import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import { attemptKeys, clientIp } from "../../auth/attempt-limiter";
import { verifyPassword } from "../../auth/password";
import { requireOwnCustomer } from "../../auth/principal";
import { agents } from "../../db/schema";
import { CustomerSchema, serializeCustomer } from "../../domain/customer";
import { ApiError, errorResponses, invalidArgument } from "../../lib/errors";
import { authenticated, defineRoute, jsonBody, jsonResponse } from "../../lib/route";
import { lifecycleOf, unwrap } from "../../lifecycle/customer-lifecycle-client";

export const CONFIRMATION_PHRASE = "DELETE";

const UnregisterSchema = z
  .strictObject({
    password: z.string().max(1024).optional().openapi({
      description:
        "The calling agent's password (agents only): enough to freeze, and needed with the phrase for immediate deletion.",
    }),
    confirmation_phrase: z.string().max(64).optional().openapi({
      description:
        'Exactly "DELETE". Alone it freezes (agents and access keys); immediate deletion needs it (with the password, for agents).',
    }),
    immediate: z
      .boolean()
      .optional()
      .openapi({ description: "Delete permanently now instead of after the grace period." }),
  })
  .openapi("UnregisterRequest", {
    example: { password: "yourPassword", confirmation_phrase: "DELETE", immediate: true },
  });

const wrongPhrase = () =>
  invalidArgument("CONFIRMATION_PHRASE_MISMATCH", 'confirmation_phrase must be exactly "DELETE".', [
    { field: "confirmation_phrase" },
  ]);

/** The calling agent's password, under the brute-force limits of this endpoint. */
async function assertOwnPassword(c: Context<AppEnv>, agentId: string, password: string) {
  const attempts = attemptKeys(c.env, "unregister", agentId, clientIp(c.req));
  await attempts.begin();
  const [agent] = await c
    .get("db")
    .select({ hash: agents.passwordHash })
    .from(agents)
    .where(eq(agents.id, agentId))
    .limit(1);
  if (!(await verifyPassword(password, agent?.hash))) {
    throw new ApiError("UNAUTHENTICATED", "INVALID_PASSWORD", "The password is incorrect.", [{ field: "password" }]);
  }
  await attempts.succeed();
}

export const unregister = defineRoute(
  createRoute({
    method: "post",
    path: "/auth/unregister",
    tags: ["Account lifecycle"],
    summary: "Unregister your account",
    description:
      'Freezes the account and schedules its permanent deletion after the grace period (30 days by default); repeating it keeps the schedule. Confirm with `password` alone or `confirmation_phrase: "DELETE"` alone (access keys: the phrase). With `immediate: true`, deletes it permanently now (every owned resource removed, PII anonymized): that needs the phrase, and for agents the password too.',
    security: authenticated,
    request: { body: jsonBody(UnregisterSchema) },
    responses: {
      200: jsonResponse(CustomerSchema, "The frozen (or deleted and anonymized) customer"),
      ...errorResponses(400, 401, 403, 429),
    },
  }),
  async (c) => {
    const principal = c.get("principal");
    const customer = requireOwnCustomer(principal);
    const input = c.req.valid("json");

    // A phrase, when sent, is exactly "DELETE"; immediate deletion always needs it.
    if (
      (input.immediate || input.confirmation_phrase !== undefined) &&
      input.confirmation_phrase !== CONFIRMATION_PHRASE
    )
      throw wrongPhrase();
    if (principal.kind === "agent") {
      // An agent confirms with its password; to freeze, the phrase alone also does (the
      // contract's form for accounts without a password). Immediate deletion needs both.
      if (input.password === undefined && (input.immediate || input.confirmation_phrase === undefined)) {
        throw invalidArgument(
          "PASSWORD_REQUIRED",
          'Confirm with your password (or, to freeze only, with the phrase "DELETE").',
          [{ field: "password", description: "required" }],
        );
      }
      if (input.password !== undefined) await assertOwnPassword(c, principal.id, input.password);
    } else if (input.confirmation_phrase !== CONFIRMATION_PHRASE) {
      throw wrongPhrase();
    }

    const lifecycle = lifecycleOf(c.env, customer.id);
    const row = unwrap(input.immediate ? await lifecycle.deleteNow(customer.id) : await lifecycle.freeze(customer.id));
    return c.json(serializeCustomer(row), 200);
  },
  { idempotent: true, writesEvents: true },
);

export const cancelUnregister = defineRoute(
  createRoute({
    method: "delete",
    path: "/auth/unregister",
    tags: ["Account lifecycle"],
    summary: "Cancel unregistration (recover the account)",
    description: "During the grace period: back to `active`, the scheduled deletion cancelled.",
    security: authenticated,
    responses: {
      200: jsonResponse(CustomerSchema, "The recovered customer"),
      ...errorResponses(400, 401, 403),
    },
  }),
  async (c) => {
    const customer = requireOwnCustomer(c.get("principal"));
    return c.json(serializeCustomer(unwrap(await lifecycleOf(c.env, customer.id).recover(customer.id))), 200);
  },
  { writesEvents: true },
);
