import type { D1Migration } from "cloudflare:test";
import type { Env as WorkerEnv } from "../src/env";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: D1Migration[];
      /** A 5-requests-a-minute budget (vitest.config.ts) for the rate-limit test. */
      API_RATE_LIMITER_SMALL: RateLimit;
    }
  }
}
