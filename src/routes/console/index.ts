import type { Context, Hono } from "hono";
import type { AppEnv } from "../../app-env";
import { credentialOf } from "../../auth/credentials";
import { type Principal, resolvePrincipal } from "../../auth/principal";
import { type ConsolePage, consolePages, CONSOLE_PATH, home, type Role } from "../../console/pages";
import { consoleHeaders, consoleShell, notFoundPage, refusalPage, type Visitor } from "../../console/shell";
import { Permission } from "../../db/schema";

/**
 * GET /console and its pages: HTML shells, outside the OpenAPI document like /docs. Each page's
 * script reads and writes through the public API with the same `token` cookie as any browser
 * client; the Worker only decides which shell to send, from the same credential check the API runs.
 */

function roleOf(principal: Principal): Role | null {
  if (!principal.customer && (principal.permission & Permission.ProjectSuperAdmin) !== 0) return "operator";
  if (principal.customer && (principal.permission & Permission.CustomerAdmin) !== 0) return "admin";
  return null;
}

async function visitorOf(c: Context<AppEnv>): Promise<Visitor> {
  const credential = credentialOf(c);
  const principal = credential ? await resolvePrincipal(c.env, c.get("db"), credential) : null;
  return principal ? { signedIn: true, role: roleOf(principal) } : { signedIn: false, role: null };
}

const html = (c: Context<AppEnv>, body: string, status: 200 | 403 | 404 = 200) => c.html(body, status, consoleHeaders);

/** Only a path of the console may be where sign-in leads back to (no open redirect). */
const loginFor = (path: string) => `${CONSOLE_PATH}/login?next=${encodeURIComponent(path)}`;

async function servePage(c: Context<AppEnv>, page: ConsolePage) {
  const visitor = await visitorOf(c);
  const path = new URL(c.req.url).pathname;
  if (page.who === "anyone") {
    if (visitor.role) return c.redirect(home[visitor.role], 303);
    return html(c, consoleShell(page, visitor, path));
  }
  if (!visitor.signedIn) return c.redirect(loginFor(path), 303);
  if (visitor.role !== page.who) return html(c, refusalPage(page, visitor), 403);
  return html(c, consoleShell(page, visitor, path));
}

export function registerConsole(app: Hono<AppEnv>) {
  const start = async (c: Context<AppEnv>) => {
    const { role } = await visitorOf(c);
    return c.redirect(role ? home[role] : `${CONSOLE_PATH}/login`, 303);
  };
  app.get(CONSOLE_PATH, start);
  app.get(`${CONSOLE_PATH}/`, start);
  for (const page of consolePages) app.get(page.path, (c) => servePage(c, page));
  app.get(`${CONSOLE_PATH}/*`, async (c) => html(c, notFoundPage(await visitorOf(c)), 404));
}
