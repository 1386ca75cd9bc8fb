import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { expect, vi } from "vitest";
import type { Env } from "../../src/env";
import worker from "../../src";
import { BASE, readResponse } from ".";

/**
 * One request through the Worker's fetch handler that also waits for the work it left in
 * waitUntil (mails are sent there), optionally with another env (a D1 or EMAIL binding swapped).
 */
export async function callAndSettle(
  method: string,
  path: string,
  options: { body?: unknown; env?: Partial<Env>; token?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = {
    "CF-Connecting-IP": `198.18.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`,
    ...options.headers,
  };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  const ctx = createExecutionContext();
  const request = new Request(`${BASE}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const res = await worker.fetch(request, { ...env, ...options.env } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return readResponse(res);
}

/**
 * The mails the service writes to its log (no EMAIL binding in tests), from now until `stop()`.
 * Links are read out of them as a user would from the mail.
 */
export function mailbox() {
  const lines: string[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(" "));
  });
  const to = (address: string) => lines.filter((l) => l.includes(`\nTo: ${address}\n`));
  return {
    to,
    /** The token of the newest password-reset link mailed to `address` (waits for it). */
    async resetToken(address: string): Promise<string> {
      let token: string | undefined;
      await vi.waitFor(() => {
        const links = to(address).flatMap((l) =>
          [...l.matchAll(/\/auth\/password-reset\?token=([0-9a-f]{64})/g)].map((m) => m[1]!),
        );
        token = links.at(-1);
        expect(token, `no reset link mailed to ${address}`).toBeDefined();
      });
      return token!;
    },
    stop: () => spy.mockRestore(),
  };
}
