import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { tooManyRequests } from "../lib/errors";

export const MAX_FAILURES = 10;
export const FAILURE_WINDOW_MS = 15 * 60 * 1000;

export interface LimitState {
  blocked: boolean;
  retryAfterSeconds: number;
}

/**
 * Failed-attempt counter for one key (an account or a client IP): past MAX_FAILURES failures
 * within FAILURE_WINDOW_MS the key is blocked until the oldest of them leaves the window.
 * A Durable Object per key gives an exact, strongly consistent count across every isolate.
 */
export class AttemptLimiter extends DurableObject<Env> {
  private async failures(now: number): Promise<number[]> {
    const all = (await this.ctx.storage.get<number[]>("failures")) ?? [];
    return all.filter((t) => t > now - FAILURE_WINDOW_MS);
  }

  private state(failures: number[], now: number): LimitState {
    if (failures.length < MAX_FAILURES) return { blocked: false, retryAfterSeconds: 0 };
    const oldestRelevant = failures[failures.length - MAX_FAILURES]!;
    return { blocked: true, retryAfterSeconds: Math.max(1, Math.ceil((oldestRelevant + FAILURE_WINDOW_MS - now) / 1000)) };
  }

  async check(): Promise<LimitState> {
    const now = Date.now();
    return this.state(await this.failures(now), now);
  }

  async fail(): Promise<LimitState> {
    const now = Date.now();
    const failures = [...(await this.failures(now)), now].slice(-MAX_FAILURES);
    await this.ctx.storage.put("failures", failures);
    await this.ctx.storage.setAlarm(now + FAILURE_WINDOW_MS);
    return this.state(failures, now);
  }

  async reset(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }

  /** Forget everything once the window has passed: no storage lingers for idle keys. */
  async alarm(): Promise<void> {
    const now = Date.now();
    const failures = await this.failures(now);
    if (failures.length === 0) await this.ctx.storage.deleteAll();
    else await this.ctx.storage.setAlarm(failures[failures.length - 1]! + FAILURE_WINDOW_MS);
  }
}

/** The limiter keys of one kind of attempt: the account it targets and the client it comes from. */
export function attemptKeys(env: Env, action: string, account: string, clientIp: string) {
  const stub = (key: string) => env.ATTEMPT_LIMITER.get(env.ATTEMPT_LIMITER.idFromName(key));
  const stubs = [stub(`${action}:account:${account}`), stub(`${action}:ip:${clientIp}`)];
  return {
    /** Throws 429 with Retry-After when either key is blocked. */
    async assertAllowed(): Promise<void> {
      const states = await Promise.all(stubs.map((s) => s.check()));
      const wait = Math.max(...states.filter((s) => s.blocked).map((s) => s.retryAfterSeconds), 0);
      if (wait > 0) throw tooManyRequests(wait);
    },
    async recordFailure(): Promise<void> {
      await Promise.all(stubs.map((s) => s.fail()));
    },
    /** Success clears the account's count (not the IP's: one good password must not unlock a spray). */
    async recordSuccess(): Promise<void> {
      await stubs[0]!.reset();
    },
  };
}

export const clientIp = (headers: { header(name: string): string | undefined }) =>
  headers.header("CF-Connecting-IP") ?? headers.header("X-Real-IP") ?? "unknown";
