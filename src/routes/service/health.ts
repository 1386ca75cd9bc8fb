import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { version } from "../../../package.json";
import type { AppEnv } from "../../app-env";
import { defineRoute, jsonResponse } from "../../lib/route";

/** How long D1 may take to answer `SELECT 1` before the instance reports itself unhealthy. */
const DB_TIMEOUT_MS = 2000;

const HealthSchema = z
  .object({
    status: z.enum(["ok", "unavailable"]),
    version: z.string().openapi({ example: "0.1.0" }),
    checks: z.object({ database: z.enum(["ok", "unavailable"]) }),
  })
  .openapi("Health");

async function databaseAnswers(c: Context<AppEnv>): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), DB_TIMEOUT_MS);
  });
  const query = c.env.DB.prepare("SELECT 1 AS ok")
    .first<{ ok: number }>()
    .then((row) => row?.ok === 1)
    .catch((err: unknown) => {
      console.error("health: D1 did not answer", err instanceof Error ? err.message : String(err));
      return false;
    });
  try {
    return await Promise.race([query, timeout]);
  } finally {
    if (timer !== null) clearTimeout(timer);
  }
}

/** GET /health: for load balancers and monitors. Public, uncached, one cheap D1 query. */
export const health = defineRoute(
  createRoute({
    method: "get",
    path: "/health",
    tags: ["Service"],
    summary: "Health check",
    description:
      "200 with the build's version when the Worker runs and D1 answers a trivial query within 2 seconds; " +
      "503 (same body, `status: unavailable`) when it does not. Needs no credential.",
    security: [],
    responses: {
      200: jsonResponse(HealthSchema, "Healthy"),
      503: jsonResponse(HealthSchema, "D1 did not answer"),
    },
  }),
  async (c) => {
    c.header("Cache-Control", "no-store");
    const ok = await databaseAnswers(c);
    if (!ok) return c.json({ status: "unavailable", version, checks: { database: "unavailable" } } as const, 503);
    return c.json({ status: "ok", version, checks: { database: "ok" } } as const, 200);
  },
);
