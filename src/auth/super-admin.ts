import { Permission } from "../db/schema";
import type { Env } from "../env";
import { alreadyExists } from "../lib/errors";
import { sha256Hex, timingSafeEqual, toHex, utf8 } from "../lib/crypto";
import { verifyPassword } from "./password";
import type { Principal } from "./principal";
import { configOf } from "../config";

/**
 * The project super admin lives in configuration only (ADMIN_USERNAME / ADMIN_PASSWORD): no row
 * in `agents`, so nothing a customer writes can shadow it, and its login never reads D1.
 * Its tokens name this fixed id and carry a credential version derived from the configured
 * username and password: rotating either makes every older super-admin token invalid.
 */
export const SUPER_ADMIN_ID = "00000000-0000-4000-8000-000000000001";

export const superAdminUsername = (env: Env) => configOf(env).adminUsername;
const normalizeUsername = (username: string) => username.trim().toLowerCase();
export const isSuperAdminUsername = (env: Env, username: string) =>
  !!superAdminUsername(env) && normalizeUsername(username) === superAdminUsername(env);

/**
 * Refuses the super admin's username (in any case, with any surrounding spaces) as the username
 * of anything else: signup, operator customer creation and agent creation all call this, and so
 * do customer email changes (an email is a sign-in identity: signup makes it a username).
 */
export function assertNotSuperAdminUsername(
  env: Env,
  username: string | undefined,
  field: "username" | "email" = "username",
): void {
  if (username && isSuperAdminUsername(env, username)) {
    const reason = field === "email" ? "EMAIL_ALREADY_EXISTS" : "USERNAME_ALREADY_EXISTS";
    throw alreadyExists(reason, `The ${field} is already in use.`, [{ field, description: "already in use" }]);
  }
}

const credentialVersions = new WeakMap<Env, Promise<string>>();

/**
 * HMAC(JWT_SECRET, username, password): changes whenever either configured credential (or
 * JWT_SECRET) does. The super admin's tokens carry it (`ver`) and its access keys are stored
 * bound to it, so a rotation stops both at once. "" when no super admin is configured. Computed
 * once per configuration (env object), off the hot path of every request.
 */
export function superAdminCredentialVersion(env: Env): Promise<string> {
  let version = credentialVersions.get(env);
  if (!version) {
    version = (async () => {
      const { adminUsername, adminPassword, jwtSecret } = configOf(env);
      if (!adminUsername || !adminPassword) return "";
      const key = await crypto.subtle.importKey("raw", utf8(jwtSecret), { name: "HMAC", hash: "SHA-256" }, false, [
        "sign",
      ]);
      const mac = await crypto.subtle.sign("HMAC", key, utf8(`super-admin\0${adminUsername}\0${adminPassword}`));
      return toHex(mac).slice(0, 32);
    })();
    credentialVersions.set(env, version);
  }
  return version;
}

/** The super admin's identity, as login issues tokens for it. */
export const superAdminAgent = async (env: Env) => ({
  id: SUPER_ADMIN_ID,
  username: superAdminUsername(env),
  customerId: "",
  permission: Permission.ProjectSuperAdmin as number,
  tokenVersion: await superAdminCredentialVersion(env),
});

/** The configured password checked in constant time; the same PBKDF2 cost as a customer login either way. */
export async function loginSuperAdmin(
  env: Env,
  password: string,
): Promise<Awaited<ReturnType<typeof superAdminAgent>> | null> {
  const { adminUsername, adminPassword } = configOf(env);
  if (!adminPassword || !adminUsername) return null;
  const [given, configured] = await Promise.all([sha256Hex(password), sha256Hex(adminPassword)]);
  await verifyPassword(password, null);
  return timingSafeEqual(utf8(given), utf8(configured)) ? superAdminAgent(env) : null;
}

/** The principal of a super-admin token whose credential version matches the configuration; no D1 read. */
export async function superAdminPrincipal(env: Env, version: unknown): Promise<Principal | null> {
  if (!configOf(env).adminPassword || !superAdminUsername(env) || typeof version !== "string") return null;
  const expected = await superAdminCredentialVersion(env);
  if (!expected || !timingSafeEqual(utf8(version), utf8(expected))) return null;
  return {
    kind: "agent",
    id: SUPER_ADMIN_ID,
    username: superAdminUsername(env),
    permission: Permission.ProjectSuperAdmin,
    customer: null,
  };
}
