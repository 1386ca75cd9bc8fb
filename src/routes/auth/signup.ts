import { assertWebhookUriAllowed } from "../../webhooks/policy";
import { createRoute, z } from "@hono/zod-openapi";
import { AccesskeySchema, buildAccesskey, insertAccesskey, serializeAccesskey } from "../../domain/accesskey";
import { CustomerSchema, CustomerUpdateSchema, serializeCustomer } from "../../domain/customer";
import { assertEmailAvailable, buildCustomerCreation, runBatch } from "../../domain/customer-store";
import { assertSignupAllowed, clientIp } from "../../auth/attempt-limiter";
import { assertNotSuperAdminUsername } from "../../auth/super-admin";
import { buildVerification, sendVerificationEmail } from "../../domain/email-verification";
import { recordSignupCredentials } from "../../domain/signup-credentials";
import { ApiError, errorResponses } from "../../lib/errors";
import { lifecycleOf } from "../../lifecycle/customer-lifecycle-client";
import { defineRoute, jsonBody, jsonResponse } from "../../lib/route";
import { withStoredAnswer } from "../../middleware/idempotency";
import { emailField, passwordField } from "../../lib/validation";

const SignupSchema = z
  .strictObject({
    ...CustomerUpdateSchema.shape,
    email: emailField,
    password: passwordField.optional().openapi({
      description:
        'Optional. Left out, the admin agent has no password until it sets one: the "set your password" mail follows the email verification.',
    }),
    accepted_tos: z.literal(true, { message: "the terms of service must be accepted" }),
  })
  .openapi("SignupRequest", {
    example: { email: "admin@acme-corp.com", accepted_tos: true, name: "Acme Corporation" },
  });

const SignupResponseSchema = z
  .object({
    customer: CustomerSchema.optional(),
    accesskey: AccesskeySchema.optional(),
  })
  .openapi("SignupResponse", {
    description:
      "Empty ({}) when the signup could not be made for any reason but invalid input, so that it reveals nothing.",
  });

const ONE_YEAR_SECONDS = 365 * 24 * 3600;

export const signup = defineRoute(
  createRoute({
    method: "post",
    path: "/auth/signup",
    tags: ["Auth"],
    summary: "Sign up",
    description:
      'Creates a customer in status `initial` with its first admin agent (username = email) and an access key named `default` (one year; its token is shown once), and mails a verification link. Until the address is verified, the account\'s credentials read, resend the verification and unregister, and nothing else (403 `ACCOUNT_NOT_ACTIVE`); the verification keeps the key and the password chosen here only if asked to (`signup_credentials: "keep"`). Not verified within SIGNUP_EXPIRY_SECONDS, the account expires. Without a password, the verification is followed by a "set your password" mail. At most 20 signups an hour per client address: past that, 429 with Retry-After.',
    request: { body: jsonBody(SignupSchema) },
    responses: {
      200: jsonResponse(SignupResponseSchema, "The new customer and its access key, or {}"),
      ...errorResponses(400, 429),
    },
  }),
  async (c) => {
    const input = c.req.valid("json");
    const db = c.get("db");
    await assertWebhookUriAllowed(c.env, input.webhook_uri);
    await assertSignupAllowed(c.env, clientIp(c.req));
    const now = Date.now();
    try {
      // The email becomes the admin agent's username; the super admin's is refused like a taken one.
      assertNotSuperAdminUsername(c.env, input.email, "email");
      await assertEmailAvailable(db, input.email);
      const created = await buildCustomerCreation(db, { ...input, username: input.email }, { status: "initial", now });
      const key = await buildAccesskey(created.row.id, { name: "default", expire: ONE_YEAR_SECONDS }, now);
      const verification = await buildVerification(db, c.env, created.row.id, input.email, now);
      // Until the address is proven, the key (and a password chosen here) await its owner's decision.
      const pending = recordSignupCredentials(db, {
        customerId: created.row.id,
        agentId: created.adminAgentId,
        accesskeyId: key.row.id,
        passwordSet: input.password !== undefined,
        now,
      });
      const answer = {
        customer: serializeCustomer(created.row),
        accesskey: serializeAccesskey(key.row, { token: key.token }),
      };
      await runBatch(
        db,
        await withStoredAnswer(
          c,
          [...created.statements, insertAccesskey(db, key.row), pending, verification.statement],
          answer,
        ),
      );
      // The alarm that expires an unverified signup; the cron sweep covers a failure here.
      await lifecycleOf(c.env, created.row.id)
        .trackSignup(created.row.id)
        .catch((err) => console.error("signup alarm not set; the cron sweep will expire it", String(err)));
      // The account exists either way; a mail refused by its limits can be asked for again later.
      const mail = await sendVerificationEmail(c.env, new URL(c.req.url).origin, input.email, verification.token, {
        customerId: created.row.id,
        waitUntil: (p) => c.executionCtx.waitUntil(p),
      });
      if (!mail.sent) console.warn("signup verification mail refused by the mail limits");
      return c.json(answer, 200);
    } catch (err) {
      // A taken email (or any other refusal) looks exactly like success without content.
      if (err instanceof ApiError && err.code < 500) return c.json({}, 200);
      throw err;
    }
  },
  { idempotent: true, writesEvents: true },
);
