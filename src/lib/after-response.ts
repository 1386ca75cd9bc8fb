import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";

export type Work = () => Promise<unknown>;

/**
 * Hands work to run once the answer is complete, every middleware included: nothing it does, and
 * nothing about how long it takes, can show in the answer. For work whose cost depends on what
 * the answer must not reveal (whether a username exists).
 */
export function afterResponse(c: Context<AppEnv>, work: Work): void {
  const queue = c.get("afterResponse");
  if (!queue) throw new Error("afterResponse needs the runAfterResponse middleware");
  queue.push(work);
}

/** The outermost middleware: starts the work handed to afterResponse once the answer is built. */
export const runAfterResponse = createMiddleware<AppEnv>(async (c, next) => {
  const queue: Work[] = [];
  c.set("afterResponse", queue);
  await next();
  for (const work of queue) {
    c.executionCtx.waitUntil(
      work().catch((err) =>
        console.error("work after the response failed", err instanceof Error ? err.message : String(err)),
      ),
    );
  }
});
