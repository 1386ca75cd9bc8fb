import type { Env } from "../env";
import { invalidArgument } from "../lib/errors";
import { checkResolved, checkUriSyntax, resolveHost } from "./ssrf";
import { configOf } from "../config";

/** Only local testing lets 127.0.0.0/8 and ::1 through; nothing else ever is. */
export const loopbackAllowed = (env: Env) => configOf(env).webhookAllowLoopback;

const notAllowed = (reason: string) =>
  invalidArgument("WEBHOOK_URI_NOT_ALLOWED", `webhook_uri is not allowed: ${reason}.`, [
    { field: "webhook_uri", description: reason },
  ]);

/**
 * Checked when a webhook_uri is set. A name that cannot be resolved right now is accepted: the
 * same check runs again before every delivery, which is where it must hold.
 */
export async function assertWebhookUriAllowed(env: Env, uri: string | undefined): Promise<void> {
  if (!uri) return;
  const allowLoopback = loopbackAllowed(env);
  const check = checkUriSyntax(uri, allowLoopback);
  if (!check.ok) throw notAllowed(check.reason);
  if (!check.hostIsName) return;
  let addresses: string[];
  try {
    addresses = await resolveHost(check.url.hostname);
  } catch {
    return;
  }
  const problem = checkResolved(addresses, allowLoopback);
  if (problem) throw notAllowed(problem);
}

export type SendCheck = { ok: true; url: URL } | { ok: false; reason: string; retryable: boolean };

/** Checked again right before each delivery: DNS may have changed since the URI was set. */
export async function checkBeforeSend(env: Env, uri: string): Promise<SendCheck> {
  const allowLoopback = loopbackAllowed(env);
  const check = checkUriSyntax(uri, allowLoopback);
  if (!check.ok) return { ok: false, reason: check.reason, retryable: false };
  if (!check.hostIsName) return { ok: true, url: check.url };
  let addresses: string[];
  try {
    addresses = await resolveHost(check.url.hostname);
  } catch (err) {
    return {
      ok: false,
      reason: `DNS lookup failed: ${err instanceof Error ? err.message : String(err)}`,
      retryable: true,
    };
  }
  const problem = checkResolved(addresses, allowLoopback);
  return problem ? { ok: false, reason: problem, retryable: false } : { ok: true, url: check.url };
}
