import { createRoute, z } from "@hono/zod-openapi";
import { clientIp, takeAll } from "../../auth/attempt-limiter";
import { requestPasswordReset } from "../../domain/password-reset";
import { afterResponse } from "../../lib/after-response";
import { errorResponses, tooManyRequests } from "../../lib/errors";
import { defineRoute, jsonBody, jsonResponse } from "../../lib/route";
import { usernameField } from "../../lib/validation";

const PasswordForgotSchema = z
  .strictObject({
    username: usernameField.openapi({ description: "The agent's username (usually its email address)." }),
  })
  .openapi("PasswordForgotRequest", { example: { username: "agent@example.com" } });

/** Requests per client (IPv6: per /64) per hour, whatever the usernames. */
export const PASSWORD_FORGOT_PER_CLIENT_PER_HOUR = 10;

export const passwordForgot = defineRoute(
  createRoute({
    method: "post",
    path: "/auth/password-forgot",
    operationId: "PostAuthPasswordForgot",
    security: [],
    tags: ["Auth"],
    summary: "Request a password reset mail",
    description: `Mails a single-use reset link (\`/auth/password-reset?token=…\`, valid one hour) to the agent: to its username when that is an email address, else to its customer's email. Always answers 200 with \`{}\`, known username or not, and at the same cost: the lookup and the mail happen after the answer. Guest agents and the super admin get no mail. At most ${PASSWORD_FORGOT_PER_CLIENT_PER_HOUR} requests an hour per client address (IPv6: per /64), then 429 with Retry-After; one client gets at most 2 of the 10 reset mails an address can receive in an hour, so no client can use up another's.`,
    request: { body: jsonBody(PasswordForgotSchema) },
    responses: {
      200: jsonResponse(
        z.object({}).openapi("PasswordForgotResponse"),
        "Accepted: a mail goes out if the username exists",
      ),
      ...errorResponses(400, 429),
    },
  }),
  async (c) => {
    const client = clientIp(c.req); // IPv6: its /64
    // Counted for every request alike, known username or not: the limit reveals nothing.
    const decision = await takeAll(c.env, [
      {
        key: `password-forgot:client:${client}`,
        request: { client: "", windowMs: 3600 * 1000, max: PASSWORD_FORGOT_PER_CLIENT_PER_HOUR },
      },
    ]);
    if (!decision.allowed)
      throw tooManyRequests(
        decision.retryAfterSeconds,
        "TOO_MANY_RESET_REQUESTS",
        "Too many password reset requests from this client; try again later.",
      );
    const { username } = c.req.valid("json");
    const origin = new URL(c.req.url).origin;
    // Everything that depends on the username happens once the answer is out.
    afterResponse(c, () => requestPasswordReset(c.env, origin, username, client));
    return c.json({}, 200);
  },
);
