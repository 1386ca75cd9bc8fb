import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import { CustomerSchema, serializeCustomer } from "../../domain/customer";
import { findVerification } from "../../domain/email-verification";
import { sendSetPasswordMails } from "../../domain/password-reset";
import {
  type PendingSignupCredentials,
  pendingSignupCredentials,
  signupCredentialsChoiceField,
} from "../../domain/signup-credentials";
import { errorResponses, invalidArgument } from "../../lib/errors";
import { defineRoute, jsonBody, jsonResponse } from "../../lib/route";
import { iso } from "../../lib/time";
import { lifecycleOf } from "../../lifecycle/customer-lifecycle-client";
import { escapeHtml, htmlPage, page } from "./pages";

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
      'Spends the single-use token from the verification mail: an `initial` customer becomes `active`. For a signup, `signup_credentials` says what becomes of the credentials the signup handed out before the address was proven: kept only with `keep`, else revoked (README, "Signup and ownership"). An admin agent without a password (passwordless signup, or its signup password revoked) then gets a "set your password" mail.',
    request: {
      body: jsonBody(
        z
          .strictObject({
            token: z.string().max(128),
            signup_credentials: signupCredentialsChoiceField.optional(),
          })
          .openapi("EmailVerifyRequest"),
      ),
    },
    responses: {
      200: jsonResponse(z.object({ customer: CustomerSchema }).openapi("EmailVerifyResponse"), "The verified customer"),
      ...errorResponses(400),
    },
  }),
  async (c) => {
    const { token, signup_credentials: choice } = c.req.valid("json");
    const found = await findVerification(c.get("db"), token);
    if (!found) throw invalidToken();
    const result = await lifecycleOf(c.env, found.customerId).verifyEmail(
      found.customerId,
      found.email,
      found.tokenHash,
      // Only an explicit keep keeps what the signup handed out before the proof.
      choice ?? "revoke",
    );
    if (!result.ok) throw invalidToken();
    // An admin without a password (never set, or the signup's revoked) chooses one now that the address is proven.
    c.executionCtx.waitUntil(sendSetPasswordMails(c.env, c.get("db"), new URL(c.req.url).origin, result.customer.id));
    return c.json({ customer: serializeCustomer(result.customer) }, 200);
  },
  { writesEvents: true },
);

const INVALID = page(
  "Link expired",
  `<h1>This link cannot be used</h1><p>It is invalid, already used or expired. Sign in and ask for a new verification mail.</p>`,
  "",
);

/**
 * The page a mail link opens. Opening it changes nothing (mail scanners prefetch links); its
 * buttons post the token, from a script served here so the CSP can forbid inline code. When the
 * signup's credentials await a decision, it says what they are and offers to keep or revoke them.
 */
async function verifyPage(c: Context<AppEnv>): Promise<Response> {
  const found = await findVerification(c.get("db"), c.req.query("token") ?? "");
  if (!found) return htmlPage(c, INVALID, 400);
  const signup = signupSection(await pendingSignupCredentials(c.get("db"), found.customerId));
  const intro = `<p id="message">Confirm <strong>${escapeHtml(found.email)}</strong> as the email address of your VoIPBIN account.</p>`;
  const body = signup
    ? `${intro}
${signup}
<button type="button" data-choice="keep">Confirm my email and keep them</button>
<button type="button" data-choice="revoke">Confirm my email and revoke them</button>`
    : `${intro}
<button type="button" data-choice="">Confirm my email</button>`;
  return htmlPage(c, page("Verify your email", `<h1>Verify your email</h1>\n${body}`, "/auth/email-verify.js"));
}

/** What the signup handed out before the proof, said plainly; null when nothing is left to decide. */
function signupSection(pending: PendingSignupCredentials | null): string | null {
  if (!pending) return null;
  const items = [
    pending.accesskey &&
      `<li>an access key named "${escapeHtml(pending.accesskey.name)}", created at ${iso(pending.accesskey.tmCreate)}</li>`,
    pending.passwordOf && `<li>a password for ${escapeHtml(pending.passwordOf)}, chosen at signup</li>`,
  ].filter(Boolean);
  if (!items.length) return null;
  return `<div id="signup">
<p>The signup of this address, at ${iso(pending.tmSignup)}, created:</p>
<ul>${items.join("")}</ul>
<p>If you made this signup yourself, keep them. If you did not, revoke them: whoever holds them loses access to the account, and you get a mail to choose your own password.</p>
</div>`;
}

export const EMAIL_VERIFY_SCRIPT = `(() => {
  const token = new URLSearchParams(location.search).get("token") || "";
  const buttons = [...document.querySelectorAll("button[data-choice]")];
  const message = document.getElementById("message");
  const signup = document.getElementById("signup");
  const done = {
    keep: "Your email is verified. The signup's credentials stay as they are.",
    revoke: "Your email is verified, and the signup's credentials are revoked. Check your mail for a link to choose your password.",
    "": "Your email is verified. You can close this page.",
  };
  for (const button of buttons) {
    button.addEventListener("click", async () => {
      for (const b of buttons) b.disabled = true;
      const choice = button.dataset.choice;
      const body = choice ? { token, signup_credentials: choice } : { token };
      const res = await fetch("/auth/email-verify", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      message.textContent = res.ok ? done[choice] : "This link is invalid, already used or expired.";
      for (const b of buttons) b.hidden = true;
      if (signup) signup.hidden = true;
    });
  }
})();`;

export function registerEmailVerifyPage(app: {
  get: (path: string, handler: (c: any) => Response | Promise<Response>) => unknown;
}) {
  app.get("/auth/email-verify", verifyPage);
}
