import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import type { Env } from "../../src/env";
import worker from "../../src";
import { BASE } from ".";

/**
 * A D1 binding that calls `before` with the SQL of every statement (or batch) just before it
 * runs: a seam to put a concurrent writer exactly between a route's read and its write.
 */
export function seamD1(before: (sqls: string[]) => Promise<void> | void): D1Database {
  const sqlOf = new WeakMap<object, string>();
  const nativeOf = new WeakMap<object, D1PreparedStatement>();
  const wrap = (stmt: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        if (prop === "bind") return (...args: unknown[]) => wrap(target.bind(...args), sql);
        if (prop === "all" || prop === "raw" || prop === "first" || prop === "run") {
          return async (...args: unknown[]) => {
            await before([sql]);
            return (target as any)[prop](...args);
          };
        }
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    sqlOf.set(proxy, sql);
    nativeOf.set(proxy, stmt);
    return proxy;
  };
  // The Worker opens a D1 session per request (read replication): its sessions get the seam too.
  const wrapClient = <T extends D1Database | D1DatabaseSession>(client: T): T =>
    new Proxy(client, {
      get(target, prop) {
        if (prop === "withSession")
          return (constraint?: string) => wrapClient((target as D1Database).withSession(constraint));
        if (prop === "prepare") return (sql: string) => wrap(target.prepare(sql), sql);
        if (prop === "batch") {
          return async (statements: D1PreparedStatement[]) => {
            await before(statements.map((s) => sqlOf.get(s) ?? ""));
            return target.batch(statements.map((s) => nativeOf.get(s) ?? s));
          };
        }
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  return wrapClient(env.DB);
}

/** Statements that write `table` (as drizzle and the raw batches spell them). */
export const writesTo = (table: string) => (sqls: string[]) =>
  sqls.some((s) => new RegExp(`^\\s*(insert into|update|delete from) "?${table}"?\\b`, "i").test(s));

/** One request through the Worker with the D1 binding swapped. */
export async function fetchWithDb(
  db: D1Database,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { "CF-Connecting-IP": "198.18.0.2", ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const ctx = createExecutionContext();
  const testEnv: Env = { ...(env as Env), DB: db };
  const res = await worker.fetch(
    new Request(`${BASE}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    }),
    testEnv,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}
