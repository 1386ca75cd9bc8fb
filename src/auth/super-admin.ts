import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { agents, Permission, ZERO_UUID, type AgentRow } from "../db/schema";
import type { Env } from "../env";
import { sha256Hex, timingSafeEqual, utf8 } from "../lib/crypto";
import { hashPassword, verifyPassword } from "./password";

export const superAdminUsername = (env: Env) => (env.ADMIN_USERNAME ?? "").trim().toLowerCase();
export const isSuperAdminUsername = (env: Env, username: string) => !!superAdminUsername(env) && username === superAdminUsername(env);

/**
 * The project super admin lives in configuration (ADMIN_USERNAME / ADMIN_PASSWORD). Its password is
 * checked against the configured one, so rotating the secret takes effect at once; the agent row
 * (what its tokens point at) is created or brought up to date idempotently on a successful login.
 */
export async function loginSuperAdmin(env: Env, db: Db, password: string): Promise<AgentRow | null> {
  if (!env.ADMIN_PASSWORD) return null;
  const [given, configured] = await Promise.all([sha256Hex(password), sha256Hex(env.ADMIN_PASSWORD)]);
  if (!timingSafeEqual(utf8(given), utf8(configured))) {
    await verifyPassword(password, null); // same cost as a real check
    return null;
  }
  const [existing] = await db.select().from(agents).where(eq(agents.username, superAdminUsername(env))).limit(1);
  if (existing && existing.customerId !== ZERO_UUID) {
    console.warn("ADMIN_USERNAME belongs to a customer's agent; the super admin cannot log in under it");
    return null;
  }
  if (existing && existing.permission === Permission.ProjectSuperAdmin && (await verifyPassword(password, existing.passwordHash))) {
    return existing;
  }
  const now = Date.now();
  const passwordHash = await hashPassword(password);
  const [row] = await db
    .insert(agents)
    .values({
      id: crypto.randomUUID(),
      customerId: ZERO_UUID,
      username: superAdminUsername(env),
      passwordHash,
      name: "Project super admin",
      permission: Permission.ProjectSuperAdmin,
      tmCreate: now,
      tmUpdate: now,
    })
    .onConflictDoUpdate({
      target: agents.username,
      set: { passwordHash, permission: Permission.ProjectSuperAdmin, tmUpdate: now },
      setWhere: eq(agents.customerId, ZERO_UUID),
    })
    .returning();
  return row ?? null;
}
