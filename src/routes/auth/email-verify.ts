import { createRoute, z } from "@hono/zod-openapi";
import { CustomerSchema, serializeCustomer } from "../../domain/customer";
import { findVerification } from "../../domain/email-verification";
import { errorResponses, invalidArgument } from "../../lib/errors";
import { lifecycleOf } from "../../lifecycle/customer-lifecycle-client";
import { defineRoute, jsonBody, jsonResponse } from "../../lib/route";
import { sendSetPasswordMails } from "../../domain/password-reset";
import { htmlPage, page } from "./pages";

const invalidToken = () =>
  invalidArgument("INVALID_VERIFICATION_TOKEN", "The verification token is unknown, already used or expired.", [
    { field: "token" },
  ]);

export const verifyEmail = defineRoute(
  createRoute({
    method: "post",
    path: "/auth/email-verify",
    tags: ["Auth"],
    summary: "Verify an email address",
    description:
      'Spends the single-use token from the verification mail: an `initial` customer becomes `active`. An admin agent without a password (passwordless signup) then gets a "set your password" mail.',
    request: { body: jsonBody(z.strictObject({ token: z.string().max(128) }).openapi("EmailVerifyRequest")) },
    responses: {
      200: jsonResponse(z.object({ customer: CustomerSchema }).openapi("EmailVerifyResponse"), "The verified customer"),
      ...errorResponses(400),
    },
  }),
  async (c) => {
    const found = await findVerification(c.get("db"), c.req.valid("json").token);
    if (!found) throw invalidToken();
    const result = await lifecycleOf(c.env, found.customerId).verifyEmail(
      found.customerId,
      found.email,
      found.tokenHash,
    );
    if (!result.ok) throw invalidToken();
    // A passwordless account's admin chooses a password once its address is proven.
    c.executionCtx.waitUntil(
      sendSetPasswordMails(c.env, c.get("db"), new URL(c.req.url).origin, result.customer.id, result.customer.email),
    );
    return c.json({ customer: serializeCustomer(result.customer) }, 200);
  },
  { writesEvents: true },
);

// The page a mail link opens. Opening it changes nothing (mail scanners prefetch links); its
// button posts the token, from a script served here so the CSP can forbid inline code.
const PAGE = page(
  "Verify your email",
  `<h1>Verify your email</h1>
<p id="message">Confirm the email address of your VoIPBIN account.</p>
<button id="confirm" type="button">Confirm my email</button>`,
  "/auth/email-verify.js",
);

export const EMAIL_VERIFY_SCRIPT = `(() => {
  const token = new URLSearchParams(location.search).get("token") || "";
  const button = document.getElementById("confirm");
  const message = document.getElementById("message");
  if (!token) { message.textContent = "This link has no verification token."; button.hidden = true; return; }
  button.addEventListener("click", async () => {
    button.disabled = true;
    const res = await fetch("/auth/email-verify", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token }) });
    message.textContent = res.ok ? "Your email is verified. You can close this page." : "This link is invalid, already used or expired.";
    button.hidden = true;
  });
})();`;

export function registerEmailVerifyPage(app: { get: (path: string, handler: (c: any) => Response) => unknown }) {
  app.get("/auth/email-verify", (c) => htmlPage(c, PAGE));
}
