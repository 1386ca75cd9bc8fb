import type { Context, Hono } from "hono";
import type { AppEnv } from "../../app-env";

// The small pages mail links open. Nothing loads from elsewhere: scripts and styles are served
// from here, so the CSP can forbid inline code and every other origin.
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const PAGE_STYLE = `body{font-family:system-ui,sans-serif;display:flex;justify-content:center;padding:4rem 1rem;color:#1f2937}
main{max-width:28rem}button{font-size:1rem;padding:.6rem 1.2rem;border-radius:.4rem;border:0;background:#2563eb;color:#fff;cursor:pointer}
label{display:block;margin:.8rem 0 .3rem}input{font-size:1rem;padding:.5rem;width:100%;box-sizing:border-box;margin-bottom:.6rem}`;

export const pageHeaders = {
  "Content-Security-Policy": PAGE_CSP,
  "Cache-Control": "no-store",
  "Referrer-Policy": "no-referrer",
};

/** An HTML page of this service: strict CSP, never cached (its URL carries a token), no referrer. */
export const htmlPage = (c: Context, html: string, status: 200 | 400 = 200) => c.html(html, status, pageHeaders);

/** Text for an HTML page: markup characters escaped. */
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function page(title: string, body: string, script: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · VoIPBIN</title><link rel="stylesheet" href="/auth/pages.css"></head>
<body><main>
${body}
</main>${script ? `<script src="${script}"></script>` : ""}</body></html>`;
}

/** The pages' static assets: one stylesheet and each page's script. */
export function registerPageAssets(app: Hono<AppEnv>, scripts: Record<string, string>) {
  app.get("/auth/pages.css", (c) => c.body(PAGE_STYLE, 200, { "Content-Type": "text/css; charset=utf-8" }));
  for (const [path, source] of Object.entries(scripts)) {
    app.get(path, (c) => c.body(source, 200, { "Content-Type": "text/javascript; charset=utf-8" }));
  }
}
