import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { grantDevice } from "../../auth/device-token";
import { hashPassword } from "../../auth/password";
import { agents } from "../../db/schema";
import { checkPasswordReset, completePasswordReset, RESET_TOKEN_PATTERN } from "../../domain/password-reset";
import { errorResponses, failedPrecondition, invalidArgument } from "../../lib/errors";
import { defineRoute, jsonBody, jsonResponse } from "../../lib/route";
import { passwordField } from "../../lib/validation";
import { htmlPage, page } from "./pages";

const tokenField = z
  .string()
  .regex(RESET_TOKEN_PATTERN, { message: "must be 64 lowercase hexadecimal characters" })
  .openapi({
    description: "The token of the reset link.",
    example: "a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6abcd",
  });

const PasswordResetSchema = z
  .strictObject({ token: tokenField, password: passwordField })
  .openapi("PasswordResetRequest", {
    example: {
      token: "a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6abcd",
      password: "myNewSecurePassword123",
    },
  });

const invalidToken = () =>
  invalidArgument("INVALID_RESET_TOKEN", "The reset token is unknown, already used or expired.", [{ field: "token" }]);

export const resetPassword = defineRoute(
  createRoute({
    method: "post",
    path: "/auth/password-reset",
    tags: ["Auth"],
    summary: "Set a new password with a reset token",
    description:
      "Spends the single-use token of a reset (or \"set your password\") link, valid one hour, and sets the agent's password; the agent's tokens issued before stop working. Guest agents cannot reset. Answers a device token for the account (also set as its HttpOnly cookie for /auth/login): the mailbox's owner signs in with it even while the account's shared login budget is spent by others.",
    request: { body: jsonBody(PasswordResetSchema) },
    responses: {
      200: jsonResponse(
        z
          .object({
            device_token: z.string().openapi({
              description: "A device token for the account: send it with `POST /auth/login` (README, Security limits).",
            }),
          })
          .openapi("PasswordResetResponse"),
        "The password is set",
      ),
      ...errorResponses(400),
    },
  }),
  async (c) => {
    const { token, password } = c.req.valid("json");
    const check = await checkPasswordReset(c.get("db"), token);
    if (!check.ok && check.reason === "guest")
      throw failedPrecondition("GUEST_AGENT", "The guest agent's password cannot be reset.");
    if (!check.ok) throw invalidToken();
    // Whoever spends the token first (a conditional write) sets the password; a second use fails.
    if (!(await completePasswordReset(c.env.DB, token, check.agentId, await hashPassword(password))))
      throw invalidToken();
    // Proof of the mailbox is the way back in for an owner on a new device during an attack.
    const [agent] = await c
      .get("db")
      .select({ username: agents.username })
      .from(agents)
      .where(eq(agents.id, check.agentId))
      .limit(1);
    if (!agent) throw invalidToken(); // deleted meanwhile
    return c.json({ device_token: await grantDevice(c, agent.username) }, 200);
  },
);

const FORM = page(
  "Choose your password",
  `<h1>Choose your password</h1>
<form id="reset">
<label for="password">New password (at least 8 characters)</label>
<input id="password" type="password" autocomplete="new-password" minlength="8" maxlength="1024" required>
<label for="again">Repeat it</label>
<input id="again" type="password" autocomplete="new-password" minlength="8" maxlength="1024" required>
<button type="submit">Set password</button>
</form>
<p id="message" role="status"></p>`,
  "/auth/password-reset.js",
);

const INVALID = page(
  "Link expired",
  `<h1>This link cannot be used</h1><p>It is invalid, already used or expired. Ask for a new one with "forgot password".</p>`,
  "",
);

export const PASSWORD_RESET_SCRIPT = `(() => {
  const token = new URLSearchParams(location.search).get("token") || "";
  const form = document.getElementById("reset");
  const message = document.getElementById("message");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const password = document.getElementById("password").value;
    if (password !== document.getElementById("again").value) { message.textContent = "The two passwords differ."; return; }
    form.querySelector("button").disabled = true;
    const res = await fetch("/auth/password-reset", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token, password }) });
    if (res.ok) { form.hidden = true; message.textContent = "Your password is set. You can sign in now."; return; }
    form.querySelector("button").disabled = false;
    const body = await res.json().catch(() => null);
    message.textContent = (body && body.error && body.error.message) || "The password could not be set.";
  });
})();`;

export const passwordResetForm = defineRoute(
  createRoute({
    method: "get",
    path: "/auth/password-reset",
    tags: ["Auth"],
    summary: "The password reset form (the mail's link)",
    description:
      "An HTML form (strict CSP, no external assets) that posts the new password to `POST /auth/password-reset`. Opening it changes nothing; an unknown, used or expired token shows an explanation with status 400.",
    request: { query: z.object({ token: tokenField.openapi({ param: { name: "token", in: "query" } }) }) },
    responses: {
      200: { description: "The form", content: { "text/html": { schema: z.string() } } },
      ...errorResponses(400),
    },
  }),
  async (c) => {
    const check = await checkPasswordReset(c.get("db"), c.req.valid("query").token);
    return check.ok ? htmlPage(c, FORM) : htmlPage(c, INVALID, 400);
  },
);
