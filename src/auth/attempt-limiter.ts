import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { tooManyRequests } from "../lib/errors";
import { configOf } from "../config";

/** One event to count against a key, and the limits it must stay within. */
export interface TakeRequest {
  /** The event's id, to release it later (a success, or an attempt another key refused). */
  id: string;
  /** Who made it, for per-client limits on a key shared by many clients ("" when not per client). */
  client: string;
  windowMs: number;
  /** Events of all clients within the window. */
  max?: number;
  /** Events of this client within the window. */
  perClientMax?: number;
  /**
   * A growing wait between the attempts of a client that already has events here: none while the
   * key holds fewer than `freeEvents`, then baseMs doubling with each further event, capped.
   * A client without events here is never delayed.
   */
  delay?: { freeEvents: number; baseMs: number; capMs: number };
}

export interface Decision {
  allowed: boolean;
  retryAfterSeconds: number;
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export const delayMs = (events: number, delay: NonNullable<TakeRequest["delay"]>) =>
  events < delay.freeEvents ? 0 : Math.min(delay.capMs, delay.baseMs * 2 ** Math.min(events - delay.freeEvents, 30));

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
              "SELECT t FROM events WHERE client = ? ORDER BY t LIMIT 1 OFFSET ?",
              client,
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
    if (req.client) {
      const mine = this.count("WHERE client = ?", req.client);
      if (req.perClientMax !== undefined && mine >= req.perClientMax) {
        return {
          allowed: false,
          retryAfterSeconds: this.retryAfter(mine, req.perClientMax, req.windowMs, now, req.client),
        };
      }
      if (req.delay && mine > 0) {
        const last = this.sql
          .exec<{ t: number }>("SELECT max(t) AS t FROM events WHERE client = ?", req.client)
          .one().t;
        const readyAt = last + delayMs(total, req.delay);
        if (now < readyAt) return { allowed: false, retryAfterSeconds: seconds(readyAt - now) };
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
  await Promise.all(takes.map((t, i) => (decisions[i]!.allowed ? limiter(env, t.key).release(id) : undefined)));
  return { allowed: false, retryAfterSeconds: Math.max(...decisions.map((d) => d.retryAfterSeconds)) };
}

export const FAILURE_WINDOW_MS = 15 * 60 * 1000;
/** Failures of one client against one account, per window. */
export const MAX_FAILURES_PER_ACCOUNT_AND_CLIENT = 10;
/** Failures of one client across all accounts, per window: far above one person's typos. */
export const MAX_FAILURES_PER_CLIENT = 100;
/** Account-wide failures before clients that already failed on the account must wait between attempts. */
export const DELAY_FREE_FAILURES = 10;

const delayCapMs = (env: Env) => configOf(env).loginDelayCapMs;

/**
 * The password-guessing policy of one kind of attempt (login, unregister's password check):
 * - per (account, client): at most MAX_FAILURES_PER_ACCOUNT_AND_CLIENT failures per window;
 * - per client: at most MAX_FAILURES_PER_CLIENT failures per window, across accounts;
 * - per account: no hard limit (that would let anyone lock the owner out); past DELAY_FREE_FAILURES
 *   failures a client that already failed on it waits a delay doubling with the account's count,
 *   capped at LOGIN_DELAY_CAP_SECONDS. A client with no failures there is never held back.
 * Each attempt counts as a failure from the moment it starts (so parallel attempts cannot slip
 * past a limit together) until it succeeds.
 */
export function attemptKeys(env: Env, action: string, account: string, client: string) {
  const id = crypto.randomUUID();
  const accountKey = `${action}:account:${account}`;
  const clientKey = `${action}:client:${client}`;
  return {
    /** Starts the attempt; 429 with Retry-After when a limit refuses it. */
    async begin(): Promise<void> {
      const decision = await takeAll(
        env,
        [
          {
            key: accountKey,
            request: {
              client,
              windowMs: FAILURE_WINDOW_MS,
              perClientMax: MAX_FAILURES_PER_ACCOUNT_AND_CLIENT,
              delay: { freeEvents: DELAY_FREE_FAILURES, baseMs: 1000, capMs: delayCapMs(env) },
            },
          },
          { key: clientKey, request: { client: "", windowMs: FAILURE_WINDOW_MS, max: MAX_FAILURES_PER_CLIENT } },
        ],
        id,
      );
      if (!decision.allowed) throw tooManyRequests(decision.retryAfterSeconds);
    },
    /** The attempt succeeded: it does not count, and this client's failures on the account are forgotten. */
    async succeed(): Promise<void> {
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
export const clientIp = (headers: { header(name: string): string | undefined }) =>
  headers.header("CF-Connecting-IP") ?? "unknown";
