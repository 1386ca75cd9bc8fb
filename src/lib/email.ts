import { EmailMessage } from "cloudflare:email";
import type { Env } from "../env";

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
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
export async function sendEmail(env: Env, mail: OutgoingEmail): Promise<void> {
  const from = env.EMAIL_FROM || "no-reply@voipbin.net";
  if (env.EMAIL) {
    await env.EMAIL.send(new EmailMessage(from, mail.to, toMime(from, mail)));
    return;
  }
  console.log(`[email] no EMAIL binding; message not sent:\nTo: ${mail.to}\nSubject: ${mail.subject}\n\n${mail.text}`);
}
