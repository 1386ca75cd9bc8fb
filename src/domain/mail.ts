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
/**
 * Mails anyone may ask for (password resets) have a budget of their own per recipient, shared out
 * per client: one client gets at most a few of them, so no client can use up what another
 * client's request needs, and a recipient still gets at most the total.
 */
export const REQUESTED_MAILS_PER_RECIPIENT_PER_HOUR = 10;
export const REQUESTED_MAILS_PER_RECIPIENT_AND_CLIENT_PER_HOUR = 2;

export type MailOutcome = { sent: true } | { sent: false; retryAfterSeconds: number };

export interface MailOptions {
  /** The customer the mail is sent for (counted against its hourly budget). */
  customerId?: string;
  /**
   * For a mail anyone may ask for (a password reset): the client that asked, as its address
   * network (clientNetwork). Counted in the recipient's budget of such mails, within this
   * client's share, and not against the customer, whom an anonymous client must not hold back.
   */
  requestedBy?: string;
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

/** Counts a mail to `to` against its hourly budgets; `{ sent: false }` when one of them refuses it. */
export async function reserveMail(env: Env, to: string, options: MailOptions = {}): Promise<MailOutcome> {
  const recipient = to.trim().toLowerCase();
  const limits: Parameters<typeof takeAll>[1] = [];
  if (options.requestedBy !== undefined) {
    limits.push({
      key: `mail:requested-to:${recipient}`,
      request: {
        client: options.requestedBy || "unknown",
        windowMs: HOUR_MS,
        max: REQUESTED_MAILS_PER_RECIPIENT_PER_HOUR,
        perClientMax: REQUESTED_MAILS_PER_RECIPIENT_AND_CLIENT_PER_HOUR,
      },
    });
  } else {
    limits.push({
      key: `mail:to:${recipient}`,
      request: { client: "", windowMs: HOUR_MS, max: MAILS_PER_RECIPIENT_PER_HOUR },
    });
    if (options.customerId) {
      limits.push({
        key: `mail:customer:${options.customerId}`,
        request: { client: "", windowMs: HOUR_MS, max: MAILS_PER_CUSTOMER_PER_HOUR },
      });
    }
  }
  const decision = await takeAll(env, limits);
  return decision.allowed ? { sent: true } : { sent: false, retryAfterSeconds: decision.retryAfterSeconds };
}

/** Sends a mail already counted by reserveMail (in the background with `waitUntil`, else awaited). */
export async function deliverMail(
  env: Env,
  mail: OutgoingEmail,
  waitUntil?: (promise: Promise<unknown>) => void,
): Promise<void> {
  const delivery = deliver(env, mail);
  if (waitUntil)
    waitUntil(
      delivery.catch((err) => console.error("mail delivery failed", err instanceof Error ? err.message : String(err))),
    );
  else await delivery;
}

/**
 * Every mail the service sends goes through here (or through reserveMail then deliverMail): it is
 * counted against the recipient's and the customer's hourly limits and sent only within them.
 * `{ sent: false }` tells the caller it was limited and not sent, so a route can answer 429
 * (`mailLimited`) or, where the answer must not reveal anything, answer as usual.
 */
export async function sendEmail(env: Env, mail: OutgoingEmail, options: MailOptions = {}): Promise<MailOutcome> {
  const outcome = await reserveMail(env, mail.to, options);
  if (outcome.sent) await deliverMail(env, mail, options.waitUntil);
  return outcome;
}

/** The 429 of a mail refused by its limits. */
export const mailLimited = (outcome: { retryAfterSeconds: number }) =>
  tooManyRequests(
    outcome.retryAfterSeconds,
    "TOO_MANY_EMAILS",
    "Too many emails to this address or for this customer; try again later.",
  );
