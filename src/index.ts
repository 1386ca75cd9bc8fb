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
    // Queue names as in wrangler.toml; each carries one kind of message.
    switch (batch.queue) {
      case "customer-cascade":
        return handleCascadeBatch(batch as MessageBatch<CascadeMessage>, env);
      case "customer-cascade-dlq":
        return handleCascadeDeadLetters(batch as MessageBatch<CascadeMessage>, env);
      case "customer-webhooks":
        return handleWebhookBatch(batch as MessageBatch<WebhookMessage>, env);
      case "customer-webhooks-dlq":
        return handleWebhookDeadLetters(batch as MessageBatch<WebhookMessage>, env);
      default:
        throw new Error(`no consumer for queue ${batch.queue}`);
    }
  },
} satisfies ExportedHandler<Env, CascadeMessage | WebhookMessage>;
