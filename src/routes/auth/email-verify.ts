import { createRoute, z } from "@hono/zod-openapi";
import { CustomerSchema, serializeCustomer } from "../../domain/customer";
import { findVerification } from "../../domain/email-verification";
import { errorResponses, invalidArgument } from "../../lib/errors";
import { lifecycleOf } from "../../lifecycle/transitions";
import { defineRoute, jsonBody, jsonResponse } from "../../lib/route";

const invalidToken = () =>
  invalidArgument("INVALID_VERIFICATION_TOKEN", "The verification token is unknown, already used or expired.", [{ field: "token" }]);

export const verifyEmail = defineRoute(
  createRoute({
    method: "post",
    path: "/auth/email-verify",
    tags: ["Auth"],
    summary: "Verify an email address",
    description: "Spends the single-use token from the verification mail: an `initial` customer becomes `active`.",
    request: { body: jsonBody(z.strictObject({ token: z.string().max(128) }).openapi("EmailVerifyRequest")) },
    responses: {
      200: jsonResponse(z.object({ customer: CustomerSchema }).openapi("EmailVerifyResponse"), "The verified customer"),
      ...errorResponses(400),
    },
  }),
  async (c) => {
    const found = await findVerification(c.get("db"), c.req.valid("json").token);
    if (!found) throw invalidToken();
    const result = await lifecycleOf(c.env, found.customerId).verifyEmail(found.customerId, found.email, found.tokenHash);
    if (!result.ok) throw invalidToken();
    return c.json({ customer: serializeCustomer(result.customer) }, 200);
  },
);

// The page a mail link opens. Opening it changes nothing (mail scanners prefetch links); its
// button posts the token, from a script served here so the CSP can forbid inline code.
const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Verify your email · VoIPBIN</title><link rel="stylesheet" href="/auth/email-verify.css"></head>
<body><main>
<h1>Verify your email</h1>
<p id="message">Confirm the email address of your VoIPBIN account.</p>
<button id="confirm" type="button">Confirm my email</button>
</main><script src="/auth/email-verify.js"></script></body></html>`;

const SCRIPT = `(() => {
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

const STYLE = `body{font-family:system-ui,sans-serif;display:flex;justify-content:center;padding:4rem 1rem;color:#1f2937}
main{max-width:28rem}button{font-size:1rem;padding:.6rem 1.2rem;border-radius:.4rem;border:0;background:#2563eb;color:#fff;cursor:pointer}`;

const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function registerEmailVerifyPage(app: { get: (path: string, handler: (c: any) => Response) => unknown }) {
  app.get("/auth/email-verify", (c) =>
    c.html(PAGE, 200, { "Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" }),
  );
  app.get("/auth/email-verify.js", (c) => c.body(SCRIPT, 200, { "Content-Type": "text/javascript; charset=utf-8" }));
  app.get("/auth/email-verify.css", (c) => c.body(STYLE, 200, { "Content-Type": "text/css; charset=utf-8" }));
}
