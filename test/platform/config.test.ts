import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError, parseConfig } from "../../src/config";
import type { Env } from "../../src/env";
import worker from "../../src";
import { BASE } from "../helpers";

const SECRET = "a-jwt-secret-of-at-least-thirty-two-chars";
const SIP_KEY = btoa("0123456789abcdef0123456789abcdef");
const parse = (vars: Record<string, string>) =>
  parseConfig({ JWT_SECRET: SECRET, SIP_CREDENTIALS_KEY: SIP_KEY, ...vars } as unknown as Env);
const problemsOf = (vars: Record<string, unknown>) => {
  try {
    parseConfig(vars as unknown as Env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a ConfigError");
};

describe("the configuration is parsed once, in src/config.ts", () => {
  it("unset and empty settings take their defaults", () => {
    const config = parse({ PUBLIC_BASE_URL: "", CORS_ORIGINS: "", EMAIL_FROM: "" });
    expect(config).toMatchObject({
      adminUsername: "",
      gracePeriodMs: 30 * 24 * 3600 * 1000,
      signupExpiryMs: 3600 * 1000,
      webhookAllowLoopback: false,
      publicBaseUrl: undefined,
      emailFrom: "no-reply@voipbin.net",
      corsOrigins: [],
      apiRateLimit: 600,
      apiRatePeriodSeconds: 60,
    });
  });

  it("values are typed and normalized", () => {
    const config = parse({
      ADMIN_USERNAME: "  Root@Example.COM ",
      SIGNUP_EXPIRY_SECONDS: "120",
      WEBHOOK_ALLOW_LOOPBACK: "true",
      PUBLIC_BASE_URL: "https://api.example.com/",
      CORS_ORIGINS: " https://a.example , http://localhost:8787",
      API_RATE_PERIOD_SECONDS: "10",
      SIP_CREDENTIALS_KEY: ` ${btoa("k".repeat(32))} , ${SIP_KEY}`,
    });
    expect(config).toMatchObject({
      sipCredentialKeys: [btoa("k".repeat(32)), SIP_KEY],
      adminUsername: "root@example.com",
      signupExpiryMs: 120_000,
      webhookAllowLoopback: true,
      publicBaseUrl: "https://api.example.com",
      corsOrigins: ["https://a.example", "http://localhost:8787"],
      apiRatePeriodSeconds: 10,
    });
  });

  it("a bad value is refused with the name of every bad setting, never its value", () => {
    const message = problemsOf({
      JWT_SECRET: "short-secret-value",
      GRACE_PERIOD_SECONDS: "-5",
      SIGNUP_EXPIRY_SECONDS: "1.5",
      WEBHOOK_ALLOW_LOOPBACK: "yes",
      PUBLIC_BASE_URL: "ftp://files.example",
      CORS_ORIGINS: "*",
      API_RATE_PERIOD_SECONDS: "30",
      SIP_CREDENTIALS_KEY: `${SIP_KEY},c2hvcnQta2V5`,
    });
    for (const name of [
      "JWT_SECRET",
      "SIP_CREDENTIALS_KEY",
      "GRACE_PERIOD_SECONDS",
      "SIGNUP_EXPIRY_SECONDS",
      "WEBHOOK_ALLOW_LOOPBACK",
      "PUBLIC_BASE_URL",
      "CORS_ORIGINS",
      "API_RATE_PERIOD_SECONDS",
    ]) {
      expect(message).toContain(name);
    }
    expect(message).not.toContain("short-secret-value");
    expect(message).not.toContain("c2hvcnQta2V5");
    expect(problemsOf({})).toMatch(/JWT_SECRET: is required/);
    expect(problemsOf({})).toMatch(/SIP_CREDENTIALS_KEY: is required/);
  });
});

describe("a bad setting fails the service at its first request", () => {
  afterEach(() => vi.restoreAllMocks());

  it("answers 500 in the envelope, and the log names the setting", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`${BASE}/v1.0/customer`),
      { ...(env as Env), SIGNUP_EXPIRY_SECONDS: "an hour" },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { reason: string; message: string } };
    expect(body.error.reason).toBe("MISCONFIGURED");
    expect(body.error.message).not.toContain("SIGNUP_EXPIRY_SECONDS");
    expect(logged.mock.calls.flat().join("\n")).toMatch(/SIGNUP_EXPIRY_SECONDS: must be a whole number of seconds/);
  });
});
