import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            ADMIN_USERNAME: "root@test.local",
            ADMIN_PASSWORD: "root-password-for-tests",
            JWT_SECRET: "test-jwt-secret-0123456789abcdef0123456789",
            // 32 bytes, base64: seals extension and trunk passwords (src/lib/sealed.ts).
            SIP_CREDENTIALS_KEY: "cOZIppJvHVAHUPO6mJjYrlD/qMjZUHQYRusmJ44MFxs=",
            PUBLIC_BASE_URL: "http://api.test",
            // Pinned so a developer's .dev.vars (read by the plugin too) cannot change the tests.
            WEBHOOK_ALLOW_LOOPBACK: "false",
            GRACE_PERIOD_SECONDS: "2592000",
            SIGNUP_EXPIRY_SECONDS: "3600",
            API_RATE_LIMIT: "100000",
            API_RATE_PERIOD_SECONDS: "60",
          },
          // A budget the suite cannot trip, and a small one the rate-limit test swaps in.
          ratelimits: {
            API_RATE_LIMITER: { namespace_id: "1001", simple: { limit: 100000, period: 60 } },
            API_RATE_LIMITER_SMALL: { namespace_id: "1002", simple: { limit: 5, period: 60 } },
          },
        },
      }),
    ],
    test: {
      setupFiles: ["./test/setup.ts"],
      include: ["test/**/*.test.ts"],
      exclude: ["test/browser/**"],
      testTimeout: 30_000,
      hookTimeout: 30_000,
    },
  };
});
