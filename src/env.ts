import type { AttemptLimiter } from "./auth/attempt-limiter";
import type { CustomerLifecycle } from "./lifecycle/customer-lifecycle";
import type { CascadeMessage } from "./lifecycle/cascade";
import type { WebhookMessage } from "./webhooks/dispatch";

export interface Env {
  DB: D1Database;
  CUSTOMER_LIFECYCLE: DurableObjectNamespace<CustomerLifecycle>;
  ATTEMPT_LIMITER: DurableObjectNamespace<AttemptLimiter>;
  CASCADE_QUEUE: Queue<CascadeMessage>;
  WEBHOOK_QUEUE: Queue<WebhookMessage>;
  /** Workers Rate Limiting binding: the per-customer budget of the /v1.0 API (wrangler.toml [[ratelimits]]). */
  API_RATE_LIMITER?: RateLimit;
  /** Storage files' bytes, keyed `<customer_id>/<file_id>`. */
  FILES_BUCKET: R2Bucket;
  /** Optional Cloudflare Email Routing binding; without it verification mails go to the log. */
  EMAIL?: SendEmail;

  // The settings as the runtime passes them: strings, unchecked. Read them through configOf(env)
  // (src/config.ts), which validates and types them once.
  ADMIN_USERNAME: string;
  ADMIN_PASSWORD: string;
  JWT_SECRET: string;
  SIP_CREDENTIALS_KEY: string;
  GRACE_PERIOD_SECONDS?: string;
  SIGNUP_EXPIRY_SECONDS?: string;
  WEBHOOK_ALLOW_LOOPBACK?: string;
  PUBLIC_BASE_URL?: string;
  EMAIL_FROM?: string;
  CORS_ORIGINS?: string;
  /** The API_RATE_LIMITER binding's limit and period, as configured in wrangler.toml (for the RateLimit-Policy header). */
  API_RATE_LIMIT?: string;
  API_RATE_PERIOD_SECONDS?: string;
}
