import { createApp } from "./app";
import type { Env } from "./env";
import { reconcile } from "./lifecycle/reconcile";
import { handleCascadeBatch, handleCascadeDeadLetters, type CascadeMessage } from "./queues/cascade";

export { AttemptLimiter } from "./auth/attempt-limiter";
export { CustomerLifecycle } from "./lifecycle/customer-lifecycle";

const app = createApp();

export default {
  fetch: app.fetch,

  async scheduled(controller, env, ctx) {
    ctx.waitUntil(
      reconcile(env, controller.scheduledTime).then((report) => console.log("reconcile", JSON.stringify(report))),
    );
  },

  async queue(batch, env) {
    if (batch.queue.endsWith("-dlq")) return handleCascadeDeadLetters(batch as MessageBatch<CascadeMessage>, env);
    return handleCascadeBatch(batch as MessageBatch<CascadeMessage>, env);
  },
} satisfies ExportedHandler<Env, CascadeMessage>;
