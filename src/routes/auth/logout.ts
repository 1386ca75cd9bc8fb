import { createRoute, z } from "@hono/zod-openapi";
import { deleteCookie } from "hono/cookie";
import { errorResponses } from "../../lib/errors";
import { defineRoute, jsonResponse } from "../../lib/route";

export const logout = defineRoute(
  createRoute({
    method: "post",
    path: "/auth/logout",
    operationId: "PostAuthLogout",
    security: [],
    tags: ["Auth"],
    summary: "Log out (browsers)",
    description:
      "Clears the `token` cookie that POST /auth/login set, so that the browser stops sending it (the console's sign-out). A JWT is not a session: a copy of the token kept elsewhere stays valid until it expires; changing the password revokes every token at once.",
    // 403: a write from another site (middleware/cross-site.ts).
    responses: {
      200: jsonResponse(z.object({}).openapi("LogoutResponse"), "The cookie is cleared"),
      ...errorResponses(400, 403),
    },
  }),
  (c) => {
    // The same attributes as when it was set, or browsers keep it.
    deleteCookie(c, "token", { path: "/", secure: true, httpOnly: true, sameSite: "Strict" });
    return c.json({}, 200);
  },
);
