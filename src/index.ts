import { createApp } from "./app";
import { routeFilesPathUpload } from "./routes/storage-files/files-path-upload";
import type { Env } from "./env";
import { configOf } from "./config";
import { reconcile } from "./lifecycle/reconcile";
import { handleWebhookBatch, handleWebhookDeadLetters } from "./webhooks/deliver";
import type { WebhookMessage } from "./webhooks/dispatch";
import { handleCascadeBatch, handleCascadeDeadLetters, type CascadeMessage } from "./lifecycle/cascade";

export { AttemptLimiter } from "./auth/attempt-limiter";
export { CustomerLifecycle } from "./lifecycle/customer-lifecycle";

const app = createApp();

// Queue names as in wrangler.toml.
const queueHandlers: Record<string, (batch: MessageBatch<any>, env: Env) => Promise<void>> = {
  "customer-cascade": handleCascadeBatch,
  "customer-cascade-dlq": handleCascadeDeadLetters,
  "customer-webhooks": handleWebhookBatch,
  "customer-webhooks-dlq": handleWebhookDeadLetters,
};

export default {
  fetch: (request: Request, env: Env, ctx: ExecutionContext) => app.fetch(routeFilesPathUpload(request), env, ctx),

  async scheduled(controller, env, ctx) {
    configOf(env); // a bad setting fails the run with its message
    ctx.waitUntil(
      reconcile(env, controller.scheduledTime).then((report) => console.log("reconcile", JSON.stringify(report))),
    );
  },

  async queue(batch, env, _ctx) {
    configOf(env);
    const handler = queueHandlers[batch.queue];
    if (!handler) throw new Error(`no consumer for queue ${batch.queue}`);
    await handler(batch, env);
  },
} satisfies ExportedHandler<Env, CascadeMessage | WebhookMessage>;
