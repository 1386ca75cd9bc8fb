import { DurableObject } from "cloudflare:workers";
import { clientNetwork } from "./client-network";
import type { Env } from "../env";
import { tooManyRequests } from "../lib/errors";

/** One event to count against a key, and the limits it must stay within. */
export interface TakeRequest {
  /** The event's id, to release it later (a success, or an attempt another key refused). */
  id: string;
  /** Who made it, for per-client limits on a key shared by many clients ("" when not per client). */
  client: string;
  windowMs: number;
  /** Events of all clients within the window. */
  max?: number;
  /** Events of this client within `perClientWindowMs` (at most `windowMs`; `windowMs` when left out). */
  perClientMax?: number;
  perClientWindowMs?: number;
}

export interface Decision {
  allowed: boolean;
  retryAfterSeconds: number;
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * Counts events (failed logins, mails, signups) for one key within a sliding window. One Durable
 * Object per key gives an exact, strongly consistent count across every isolate, and each call runs
 * its reads and its write without an await in between, so concurrent attempts cannot both slip
 * under a limit. Rows live in the object's SQLite storage: an account under a distributed attack
 * holds one small row per attempt, not one ever-growing value.
 */
export class AttemptLimiter extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, client TEXT NOT NULL, t INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS events_client_t ON events (client, t);
      CREATE INDEX IF NOT EXISTS events_t ON events (t);`);
  }

  private count(where = "", ...args: (string | number)[]): number {
    return this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM events ${where}`, ...args).one().n;
  }

  /** When the event that keeps `count` at or over `limit` leaves the window. */
  private retryAfter(count: number, limit: number, windowMs: number, now: number, client?: string): number {
    const t =
      client === undefined
        ? this.sql.exec<{ t: number }>("SELECT t FROM events ORDER BY t LIMIT 1 OFFSET ?", count - limit).one().t
        : this.sql
            .exec<{ t: number }>(
              "SELECT t FROM events WHERE client = ? AND t > ? ORDER BY t LIMIT 1 OFFSET ?",
              client,
              now - windowMs,
              count - limit,
            )
            .one().t;
    return seconds(t + windowMs - now);
  }

  /** Records the event if every limit allows it; a refused event is not recorded. */
  async take(req: TakeRequest): Promise<Decision> {
    const now = Date.now();
    this.sql.exec("DELETE FROM events WHERE t <= ?", now - req.windowMs);
    const total = this.count();
    if (req.max !== undefined && total >= req.max) {
      return { allowed: false, retryAfterSeconds: this.retryAfter(total, req.max, req.windowMs, now) };
    }
    if (req.client && req.perClientMax !== undefined) {
      const windowMs = Math.min(req.perClientWindowMs ?? req.windowMs, req.windowMs);
      const mine = this.count("WHERE client = ? AND t > ?", req.client, now - windowMs);
      if (mine >= req.perClientMax) {
        return {
          allowed: false,
          retryAfterSeconds: this.retryAfter(mine, req.perClientMax, windowMs, now, req.client),
        };
      }
    }
    this.sql.exec("INSERT OR REPLACE INTO events (id, client, t) VALUES (?, ?, ?)", req.id, req.client, now);
    // Fires when the newest event leaves the window: by then every event has, and all goes.
    await this.ctx.storage.setAlarm(now + req.windowMs);
    return { allowed: true, retryAfterSeconds: 0 };
  }

  /** Forgets one event. */
  async release(id: string): Promise<void> {
    this.sql.exec("DELETE FROM events WHERE id = ?", id);
  }

  /** Forgets every event of one client (its successful login clears its own failures, nobody else's). */
  async clearClient(client: string): Promise<void> {
    this.sql.exec("DELETE FROM events WHERE client = ?", client);
  }

  /** No storage lingers for idle keys. */
  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}

const limiter = (env: Env, key: string) => env.ATTEMPT_LIMITER.get(env.ATTEMPT_LIMITER.idFromName(key));

/**
 * Takes one event from each key, all or nothing: when any refuses, the others give theirs back,
 * and the caller gets the longest wait.
 */
export async function takeAll(
  env: Env,
  takes: { key: string; request: Omit<TakeRequest, "id"> }[],
  id = crypto.randomUUID(),
): Promise<Decision> {
  const decisions = await Promise.all(takes.map((t) => limiter(env, t.key).take({ ...t.request, id })));
  if (decisions.every((d) => d.allowed)) return { allowed: true, retryAfterSeconds: 0 };
  await Promise.all(takes.map((t, i) => (decisions[i]?.allowed ? limiter(env, t.key).release(id) : undefined)));
  return { allowed: false, retryAfterSeconds: Math.max(...decisions.map((d) => d.retryAfterSeconds)) };
}

/** The window of the per-client limits. */
export const FAILURE_WINDOW_MS = 15 * 60 * 1000;
/** The window of the per-account and per-device budgets. */
export const ACCOUNT_WINDOW_MS = 3600 * 1000;
/** Failures of one client against one account, per FAILURE_WINDOW_MS. */
export const MAX_FAILURES_PER_ACCOUNT_AND_CLIENT = 10;
/** Failures of one client across all accounts, per FAILURE_WINDOW_MS: far above one person's typos. */
export const MAX_FAILURES_PER_CLIENT = 100;
/** Failures against one account per hour, shared by every client without a device token for it. */
export const MAX_FAILURES_PER_ACCOUNT = 100;
/** Failures per hour of one device token (src/auth/device-token.ts), its own budget. */
export const MAX_FAILURES_PER_DEVICE = 10;

/**
 * The password-guessing policy of one kind of attempt (login; the password checks of unregister
 * and of a password change), README "Security limits":
 * - a client presenting a valid device token for the account (`device`, its nonce) spends only
 *   that device's budget, MAX_FAILURES_PER_DEVICE an hour: nothing other clients spent holds it
 *   back. Past its budget it is treated like any other client;
 * - every other client spends the account's shared budget, MAX_FAILURES_PER_ACCOUNT an hour,
 *   whatever its address: an attacker with any number of addresses gets that many guesses, and the
 *   owner's known devices still get in. Within it, one client has MAX_FAILURES_PER_ACCOUNT_AND_CLIENT
 *   per 15 minutes on the account and MAX_FAILURES_PER_CLIENT across accounts.
 * Each attempt counts as a failure from the moment it starts (so parallel attempts cannot slip
 * past a limit together) until it succeeds.
 */
export function attemptKeys(env: Env, action: string, account: string, client: string, device?: string) {
  const id = crypto.randomUUID();
  const accountKey = `${action}:account:${account}`;
  const clientKey = `${action}:client:${client}`;
  const deviceKey = `${action}:device:${account}:${device}`;
  let onDevice = false;
  return {
    /** Starts the attempt; 429 with Retry-After when a limit refuses it. */
    async begin(): Promise<void> {
      if (device) {
        const own = await limiter(env, deviceKey).take({
          id,
          client: "",
          windowMs: ACCOUNT_WINDOW_MS,
          max: MAX_FAILURES_PER_DEVICE,
        });
        onDevice = own.allowed;
        if (onDevice) return;
      }
      const decision = await takeAll(
        env,
        [
          {
            key: accountKey,
            request: {
              client,
              windowMs: ACCOUNT_WINDOW_MS,
              max: MAX_FAILURES_PER_ACCOUNT,
              perClientMax: MAX_FAILURES_PER_ACCOUNT_AND_CLIENT,
              perClientWindowMs: FAILURE_WINDOW_MS,
            },
          },
          { key: clientKey, request: { client: "", windowMs: FAILURE_WINDOW_MS, max: MAX_FAILURES_PER_CLIENT } },
        ],
        id,
      );
      if (!decision.allowed) throw tooManyRequests(decision.retryAfterSeconds);
    },
    /** The attempt succeeded: it does not count, and this client's (or device's) failures on the account are forgotten. */
    async succeed(): Promise<void> {
      if (onDevice) return limiter(env, deviceKey).clearClient("");
      await Promise.all([limiter(env, accountKey).clearClient(client), limiter(env, clientKey).release(id)]);
    },
  };
}

/** Signups per client address per hour: each makes an account and sends a mail. */
export const SIGNUPS_PER_CLIENT_PER_HOUR = 20;

/** Counts a signup against its client's hourly budget; 429 with Retry-After past it. */
export async function assertSignupAllowed(env: Env, client: string): Promise<void> {
  const decision = await takeAll(env, [
    {
      key: `signup:client:${client}`,
      request: { client: "", windowMs: 3600 * 1000, max: SIGNUPS_PER_CLIENT_PER_HOUR },
    },
  ]);
  if (!decision.allowed)
    throw tooManyRequests(
      decision.retryAfterSeconds,
      "TOO_MANY_SIGNUPS",
      "Too many signups from this client; try again later.",
    );
}

/** The client's address as Cloudflare saw it. No other header counts: any client can forge those. */
export const connectingIp = (headers: { header(name: string): string | undefined }) =>
  headers.header("CF-Connecting-IP") ?? "unknown";

/** The client an address stands for (IPv4 as it is, IPv6 by its /64): src/auth/client-network.ts. */
export const limiterClient = clientNetwork;

/**
 * The client as every per-client limit counts it: its IPv4 address, or the /64 of its IPv6
 * address (one subscriber or host holds a whole /64, so counting single IPv6 addresses would give
 * it 2^64 clients).
 */
export const clientIp = (headers: { header(name: string): string | undefined }) => limiterClient(connectingIp(headers));
