import { z } from "zod";
import type { Env } from "./env";

// The service's settings ([vars] in wrangler.toml, secrets, .dev.vars), parsed in this one place.
// A bad value stops the service at its first request (and every cron run or queue batch) with a
// message naming the variable, instead of being read as some default deep inside a request.

/** Wrangler passes an empty [vars] entry as "": that means "not set". */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === "" ? undefined : v), schema.optional());

const seconds = (fallback: number) =>
  optional(z.string().regex(/^[1-9]\d{0,9}$/, "must be a whole number of seconds, above 0"))
    .transform((v) => (v === undefined ? fallback : Number(v)) * 1000)
    .pipe(z.number());

const origin = z
  .string()
  .regex(/^https?:\/\/[^/\s]+$/, "must list origins like https://app.example.com (scheme and host, no path)");

/** A 32-byte key in base64 (an AES-256 key). */
const isKey32 = (b64: string) => {
  try {
    return /^[A-Za-z0-9+/]+={0,2}$/.test(b64) && atob(b64).length === 32;
  } catch {
    return false;
  }
};

const EnvSchema = z.object({
  JWT_SECRET: z
    .string({ error: "is required (a secret: `wrangler secret put JWT_SECRET`)" })
    .min(32, "must be at least 32 characters (e.g. `openssl rand -base64 48`)"),
  // Seals extension and trunk passwords (src/lib/sealed.ts): comma-separated keys, the first sealing.
  SIP_CREDENTIALS_KEY: z
    .string({ error: "is required (a secret: `wrangler secret put SIP_CREDENTIALS_KEY`)" })
    .transform((v) =>
      v
        .split(",")
        .map((k) => k.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(z.string().refine(isKey32, "each key must be 32 bytes in base64 (e.g. `openssl rand -base64 32`)"))
        .min(1, "must hold at least one key (e.g. `openssl rand -base64 32`)"),
    ),
  ADMIN_USERNAME: optional(z.string()).transform((v) => (v ?? "").trim().toLowerCase()),
  ADMIN_PASSWORD: optional(z.string()),
  GRACE_PERIOD_SECONDS: seconds(30 * 24 * 3600),
  SIGNUP_EXPIRY_SECONDS: seconds(3600),
  WEBHOOK_ALLOW_LOOPBACK: optional(z.enum(["true", "false"], { error: 'must be "true" or "false"' })).transform(
    (v) => v === "true",
  ),
  PUBLIC_BASE_URL: optional(z.url({ protocol: /^https?$/, error: "must be an http(s) URL" })).transform((v) =>
    v?.replace(/\/+$/, ""),
  ),
  EMAIL_FROM: optional(z.email({ error: "must be an email address" })).transform((v) => v ?? "no-reply@voipbin.net"),
  CORS_ORIGINS: optional(z.string())
    .transform((v) =>
      (v ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(origin)),
  API_RATE_LIMIT: optional(z.string().regex(/^[1-9]\d{0,9}$/, "must be a whole number above 0")).transform((v) =>
    v === undefined ? 600 : Number(v),
  ),
  // The only periods Workers Rate Limiting offers.
  API_RATE_PERIOD_SECONDS: optional(z.enum(["10", "60"], { error: 'must be "10" or "60"' })).transform((v) =>
    v === undefined ? 60 : Number(v),
  ),
});

export interface Config {
  jwtSecret: string;
  /** Keys that seal SIP credentials, base64: the first seals, every one opens (rotation). */
  sipCredentialKeys: [string, ...string[]];
  /** The project super admin, configured only: its username normalized, "" when there is none. */
  adminUsername: string;
  adminPassword: string | undefined;
  gracePeriodMs: number;
  signupExpiryMs: number;
  /** Lets webhooks reach 127.0.0.0/8 and ::1: local testing only. */
  webhookAllowLoopback: boolean;
  /** The origin links in mails and file URLs point at (no trailing slash); else the request's. */
  publicBaseUrl: string | undefined;
  emailFrom: string;
  /** Browser origins allowed to call the API (CORS). */
  corsOrigins: string[];
  /** The budget of the API_RATE_LIMITER binding, mirrored for the RateLimit-Policy header. */
  apiRateLimit: number;
  apiRatePeriodSeconds: number;
}

/** The configuration is invalid; the message names each variable and what is wrong, never its value. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

export function parseConfig(env: Env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  - ${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(
      `Invalid configuration (wrangler.toml [vars], secrets or .dev.vars):\n${[...new Set(problems)].join("\n")}`,
    );
  }
  const v = parsed.data;
  return {
    jwtSecret: v.JWT_SECRET,
    sipCredentialKeys: v.SIP_CREDENTIALS_KEY as [string, ...string[]],
    adminUsername: v.ADMIN_USERNAME,
    adminPassword: v.ADMIN_PASSWORD,
    gracePeriodMs: v.GRACE_PERIOD_SECONDS,
    signupExpiryMs: v.SIGNUP_EXPIRY_SECONDS,
    webhookAllowLoopback: v.WEBHOOK_ALLOW_LOOPBACK,
    publicBaseUrl: v.PUBLIC_BASE_URL,
    emailFrom: v.EMAIL_FROM,
    corsOrigins: v.CORS_ORIGINS,
    apiRateLimit: v.API_RATE_LIMIT,
    apiRatePeriodSeconds: v.API_RATE_PERIOD_SECONDS,
  };
}

// The environment object lives as long as the isolate: parsed once, on first use.
const parsedConfigs = new WeakMap<Env, Config>();

/** The typed configuration of this environment; throws ConfigError if a value is bad. */
export function configOf(env: Env): Config {
  let config = parsedConfigs.get(env);
  if (!config) {
    config = parseConfig(env);
    parsedConfigs.set(env, config);
  }
  return config;
}
