import { createRoute, z } from "@hono/zod-openapi";
import { deleteCookie } from "hono/cookie";
import { defineRoute, jsonResponse } from "../../lib/route";

export const logout = defineRoute(
  createRoute({
    method: "post",
    path: "/auth/logout",
    tags: ["Auth"],
    summary: "Log out (browsers)",
    description:
      "Clears the `token` cookie that POST /auth/login set, so that the browser stops sending it (the console's sign-out). A JWT is not a session: a copy of the token kept elsewhere stays valid until it expires; changing the password revokes every token at once.",
    responses: { 200: jsonResponse(z.object({}).openapi("LogoutResponse"), "The cookie is cleared") },
  }),
  (c) => {
    // The same attributes as when it was set, or browsers keep it.
    deleteCookie(c, "token", { path: "/", secure: true, httpOnly: true, sameSite: "Strict" });
    return c.json({}, 200);
  },
);
