import { createRoute, z } from "@hono/zod-openapi";
import { findResettableAgent, issuePasswordReset, resetRecipient } from "../../domain/password-reset";
import { errorResponses } from "../../lib/errors";
import { defineRoute, jsonBody, jsonResponse } from "../../lib/route";
import { usernameField } from "../../lib/validation";

const PasswordForgotSchema = z
  .strictObject({
    username: usernameField.openapi({ description: "The agent's username (usually its email address)." }),
  })
  .openapi("PasswordForgotRequest", { example: { username: "agent@example.com" } });

export const passwordForgot = defineRoute(
  createRoute({
    method: "post",
    path: "/auth/password-forgot",
    operationId: "PostAuthPasswordForgot",
    security: [],
    tags: ["Auth"],
    summary: "Request a password reset mail",
    description:
      "Mails a single-use reset link (`/auth/password-reset?token=…`, valid one hour) to the agent: to its username when that is an email address, else to its customer's email. Always answers 200 with `{}`, known username or not, so it reveals nothing; guest agents and the super admin get no mail.",
    request: { body: jsonBody(PasswordForgotSchema) },
    responses: {
      200: jsonResponse(
        z.object({}).openapi("PasswordForgotResponse"),
        "Accepted: a mail goes out if the username exists",
      ),
      ...errorResponses(400),
    },
  }),
  async (c) => {
    const agent = await findResettableAgent(c.get("db"), c.req.valid("json").username);
    const to = agent && resetRecipient(agent.username, agent.customerEmail);
    // The token, its row and the mail happen after the answer: known and unknown usernames
    // answer after the same one lookup, and a mail limit or a failed send shows nowhere.
    if (agent && to)
      c.executionCtx.waitUntil(issuePasswordReset(c.env, c.get("db"), new URL(c.req.url).origin, agent, to, "forgot"));
    return c.json({}, 200);
  },
);
