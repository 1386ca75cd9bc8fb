import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { attemptKeys, clientIp } from "../../auth/attempt-limiter";
import { verifyPassword } from "../../auth/password";
import { requireOwnCustomer } from "../../auth/principal";
import { agents } from "../../db/schema";
import { CustomerSchema, serializeCustomer } from "../../domain/customer";
import { ApiError, errorResponses, invalidArgument } from "../../lib/errors";
import { authenticated, defineRoute, jsonBody, jsonResponse } from "../../lib/route";
import { lifecycleOf, unwrap } from "../../lifecycle/transitions";

export const CONFIRMATION_PHRASE = "DELETE";

const UnregisterSchema = z
  .strictObject({
    password: z.string().max(1024).optional().openapi({ description: "The calling agent's password (agents only)." }),
    confirmation_phrase: z.string().max(64).optional().openapi({ description: 'Exactly "DELETE": required for immediate deletion and for access-key callers.' }),
    immediate: z.boolean().optional().openapi({ description: "Delete permanently now instead of after the grace period." }),
  })
  .openapi("UnregisterRequest", { example: { password: "yourPassword", confirmation_phrase: "DELETE", immediate: true } });

const wrongPhrase = () =>
  invalidArgument("CONFIRMATION_PHRASE_MISMATCH", 'confirmation_phrase must be exactly "DELETE".', [{ field: "confirmation_phrase" }]);

export const unregister = defineRoute(
  createRoute({
    method: "post",
    path: "/auth/unregister",
    tags: ["Account lifecycle"],
    summary: "Unregister your account",
    description:
      "Freezes the account and schedules its permanent deletion after the grace period (30 days by default); repeating it keeps the schedule. With `immediate: true` and the phrase `DELETE`, deletes it permanently now: every owned resource is removed and PII anonymized. Agents confirm with their password; access keys with the phrase.",
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

    if (input.immediate && input.confirmation_phrase !== CONFIRMATION_PHRASE) throw wrongPhrase();
    if (principal.kind === "agent") {
      if (input.password === undefined) {
        throw invalidArgument("PASSWORD_REQUIRED", "Confirm with your password.", [{ field: "password", description: "required" }]);
      }
      const attempts = attemptKeys(c.env, "unregister", principal.id, clientIp(c.req));
      await attempts.begin();
      const [agent] = await c.get("db").select({ hash: agents.passwordHash }).from(agents).where(eq(agents.id, principal.id)).limit(1);
      if (!(await verifyPassword(input.password, agent?.hash))) {
        throw new ApiError("UNAUTHENTICATED", "INVALID_PASSWORD", "The password is incorrect.", [{ field: "password" }]);
      }
      await attempts.succeed();
    } else if (input.confirmation_phrase !== CONFIRMATION_PHRASE) {
      throw wrongPhrase();
    }

    const lifecycle = lifecycleOf(c.env, customer.id);
    const row = unwrap(input.immediate ? await lifecycle.deleteNow(customer.id) : await lifecycle.freeze(customer.id));
    return c.json(serializeCustomer(row), 200);
  },
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
);
