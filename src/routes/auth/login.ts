import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { setCookie } from "hono/cookie";
import { attemptKeys, clientIp } from "../../auth/attempt-limiter";
import { grantDevice, presentedDevice } from "../../auth/device-token";
import { issueToken, TOKEN_TTL_SECONDS } from "../../auth/jwt";
import { verifyPassword } from "../../auth/password";
import { isSuperAdminUsername, loginSuperAdmin } from "../../auth/super-admin";
import { agents, customers, isLiveStatus } from "../../db/schema";
import { errorResponses, unauthenticated } from "../../lib/errors";
import { defineRoute, jsonBody, jsonResponse } from "../../lib/route";
import { configOf } from "../../config";

const deviceTokenDoc =
  "A device token for this account (one year): sent back with later logins, from the body or the cookie, it gives this client its own budget of failed attempts, which nobody else's failures can spend (README, Security limits).";

const LoginSchema = z
  .strictObject({
    username: z.string().min(1).max(255),
    password: z.string().min(1).max(1024),
    device_token: z.string().max(256).optional().openapi({
      description:
        "Optional: the `device_token` an earlier login (or password reset) of this account answered. Browsers send it as the account's `vb_device_…` cookie instead.",
    }),
  })
  .openapi("LoginRequest", { example: { username: "admin@acme-corp.com", password: "yourPassword" } });

const LoginResponseSchema = z
  .object({
    username: z.string(),
    token: z.string().openapi({ description: "JWT, valid 7 days" }),
    device_token: z.string().openapi({ description: deviceTokenDoc }),
  })
  .openapi("LoginResponse");

const invalidCredentials = () => unauthenticated("The username or password is incorrect.");

export const login = defineRoute(
  createRoute({
    method: "post",
    path: "/auth/login",
    tags: ["Auth"],
    summary: "Log in",
    description:
      "Returns a JWT (7-day expiry) and sets it as an HttpOnly `token` cookie, and a device token for the account (also set as an HttpOnly cookie for /auth/login). Failed attempts are limited per account (100 an hour, shared by every client without a device token), per (username, client) and per client; a client presenting a valid device token has its own budget (10 an hour) instead: 429 with Retry-After (README, Security limits). IPv6 clients count by /64. A password or permission change revokes earlier tokens.",
    request: { body: jsonBody(LoginSchema) },
    responses: {
      200: jsonResponse(LoginResponseSchema, "Logged in"),
      ...errorResponses(400, 401, 429),
    },
  }),
  async (c) => {
    const { password, device_token: deviceToken } = c.req.valid("json");
    const username = c.req.valid("json").username.trim().toLowerCase();
    const db = c.get("db");
    // A known device spends its own budget; every other client the account's shared one, known
    // username or not, so the limits reveal nothing (attempt-limiter.ts).
    const device = await presentedDevice(c, username, deviceToken);
    const attempts = attemptKeys(c.env, "login", username, clientIp(c.req), device ?? undefined);
    await attempts.begin();
    let agent: {
      id: string;
      username: string;
      customerId: string;
      permission: number;
      tokenVersion: number | string;
    } | null;
    if (isSuperAdminUsername(c.env, username)) {
      // From configuration alone: nothing in the customers' tables can stand in its way.
      agent = await loginSuperAdmin(c.env, password);
    } else {
      const [row] = await db
        .select({ agent: agents, status: customers.status })
        .from(agents)
        .innerJoin(customers, eq(customers.id, agents.customerId))
        .where(eq(agents.username, username))
        .limit(1);
      // Unknown usernames cost the same PBKDF2 work and get the same answer.
      const ok = await verifyPassword(password, row?.agent.passwordHash);
      agent = ok && row && isLiveStatus(row.status) ? row.agent : null;
    }
    if (!agent) throw invalidCredentials(); // counted since begin()
    await attempts.succeed();
    const token = await issueToken(agent, configOf(c.env).jwtSecret);
    setCookie(c, "token", token, {
      httpOnly: true,
      secure: true,
      sameSite: "Lax",
      path: "/",
      maxAge: TOKEN_TTL_SECONDS,
    });
    return c.json({ username: agent.username, token, device_token: await grantDevice(c, username) }, 200);
  },
);
