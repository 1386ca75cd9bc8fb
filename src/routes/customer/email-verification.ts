import { createRoute, z } from "@hono/zod-openapi";
import { requireOwnCustomer } from "../../auth/principal";
import { buildVerification, sendVerificationEmail } from "../../domain/email-verification";
import { mailLimited } from "../../domain/mail";
import { errorResponses, failedPrecondition } from "../../lib/errors";
import { authenticated, defineRoute, jsonResponse } from "../../lib/route";

export const sendOwnEmailVerification = defineRoute(
  createRoute({
    method: "post",
    path: "/v1.0/customer/email_verification",
    tags: ["Customer"],
    summary: "Send a verification email",
    description:
      "Mails a new single-use verification link to the customer's email address. At most 5 mails an hour go to one address and 20 an hour for one customer; past that, 429 with Retry-After.",
    security: authenticated,
    responses: {
      200: jsonResponse(z.object({}).openapi("Empty"), "Sent"),
      ...errorResponses(400, 401, 403, 429),
    },
  }),
  async (c) => {
    const customer = requireOwnCustomer(c.get("principal"));
    if (!customer.email) throw failedPrecondition("NO_EMAIL", "The customer has no email address to verify.");
    if (customer.emailVerified)
      throw failedPrecondition("EMAIL_ALREADY_VERIFIED", "The email address is already verified.");
    const verification = await buildVerification(c.get("db"), c.env, customer.id, customer.email);
    await verification.statement;
    const outcome = await sendVerificationEmail(c.env, new URL(c.req.url).origin, customer.email, verification.token, {
      customerId: customer.id,
      waitUntil: (p) => c.executionCtx.waitUntil(p),
    });
    if (!outcome.sent) throw mailLimited(outcome);
    return c.json({}, 200);
  },
);
