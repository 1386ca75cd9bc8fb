import { EmailMessage } from "cloudflare:email";
import { takeAll } from "../auth/attempt-limiter";
import { configOf } from "../config";
import type { Env } from "../env";
import { tooManyRequests } from "../lib/errors";

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
}

const HOUR_MS = 3600 * 1000;
/** Mails to one address per hour, whoever asks: nobody can make the service flood an inbox. */
export const MAILS_PER_RECIPIENT_PER_HOUR = 5;
/** Mails on behalf of one customer per hour, across all the addresses it names. */
export const MAILS_PER_CUSTOMER_PER_HOUR = 20;

export type MailOutcome = { sent: true } | { sent: false; retryAfterSeconds: number };

export interface MailOptions {
  /** The customer the mail is sent for (counted against its hourly budget). */
  customerId?: string;
  /** Hands the delivery to the request's background work (c.executionCtx.waitUntil); else awaited. */
  waitUntil?: (promise: Promise<unknown>) => void;
}

function toMime(from: string, mail: OutgoingEmail): string {
  return [
    `From: VoIPBIN <${from}>`,
    `To: <${mail.to}>`,
    `Subject: ${mail.subject}`,
    `Message-ID: <${crypto.randomUUID()}@${from.split("@")[1] ?? "voipbin.net"}>`,
    `Date: ${new Date().toUTCString()}`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    mail.text,
  ].join("\r\n");
}

/**
 * Sends through the Cloudflare `send_email` binding when one is configured. Without it (local
 * development) the message is written to the log, so its link can be followed by hand.
 */
async function deliver(env: Env, mail: OutgoingEmail): Promise<void> {
  const { emailFrom: from } = configOf(env);
  if (env.EMAIL) {
    await env.EMAIL.send(new EmailMessage(from, mail.to, toMime(from, mail)));
    return;
  }
  console.log(`[email] no EMAIL binding; message not sent:\nTo: ${mail.to}\nSubject: ${mail.subject}\n\n${mail.text}`);
}

/**
 * Every mail the service sends goes through here: it is counted against the recipient's and the
 * customer's hourly limits and sent only within them. `{ sent: false }` tells the caller it was
 * limited and not sent, so a route can answer 429 (`mailLimited`) or, where the answer must not
 * reveal anything, answer as usual.
 */
export async function sendEmail(env: Env, mail: OutgoingEmail, options: MailOptions = {}): Promise<MailOutcome> {
  const limits = [
    {
      key: `mail:to:${mail.to.trim().toLowerCase()}`,
      request: { client: "", windowMs: HOUR_MS, max: MAILS_PER_RECIPIENT_PER_HOUR },
    },
  ];
  if (options.customerId) {
    limits.push({
      key: `mail:customer:${options.customerId}`,
      request: { client: "", windowMs: HOUR_MS, max: MAILS_PER_CUSTOMER_PER_HOUR },
    });
  }
  const decision = await takeAll(env, limits);
  if (!decision.allowed) return { sent: false, retryAfterSeconds: decision.retryAfterSeconds };
  const delivery = deliver(env, mail);
  if (options.waitUntil)
    options.waitUntil(
      delivery.catch((err) => console.error("mail delivery failed", err instanceof Error ? err.message : String(err))),
    );
  else await delivery;
  return { sent: true };
}

/** The 429 of a mail refused by its limits. */
export const mailLimited = (outcome: { retryAfterSeconds: number }) =>
  tooManyRequests(
    outcome.retryAfterSeconds,
    "TOO_MANY_EMAILS",
    "Too many emails to this address or for this customer; try again later.",
  );
