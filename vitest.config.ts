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
            PUBLIC_BASE_URL: "http://api.test",
            // Pinned so a developer's .dev.vars (read by the plugin too) cannot change the tests.
            WEBHOOK_ALLOW_LOOPBACK: "false",
            GRACE_PERIOD_SECONDS: "2592000",
            SIGNUP_EXPIRY_SECONDS: "3600",
            LOGIN_DELAY_CAP_SECONDS: "60",
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
