import { CONSOLE_ASSETS_PATH, type ConsolePage, home, navigation, type Role, roleNames } from "./pages";

/**
 * Nothing but this origin, and no inline code: the pages' only script is a same-origin module,
 * styles come from one stylesheet, and API calls go to this origin. No page may be framed
 * (clickjacking), and forms may only post here.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

export const consoleHeaders: Record<string, string> = {
  "Content-Security-Policy": CONSOLE_CSP,
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Referrer-Policy": "same-origin",
  // Per signed-in user, and it may show a key once: never kept by a cache.
  "Cache-Control": "no-store",
};

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] as string,
  );

/** Who is signed in, as the page gate found it: a console role, or signed in as someone else. */
export interface Visitor {
  signedIn: boolean;
  role: Role | null;
}

function header(visitor: Visitor, current: string): string {
  const signOut = visitor.signedIn ? `<button type="button" class="secondary" id="sign-out">Sign out</button>` : "";
  if (!visitor.role) return `<header class="top"><span class="brand">VoIPBIN console</span>${signOut}</header>`;
  const links = navigation[visitor.role]
    .map(
      (link) =>
        `<li><a href="${link.href}"${link.href === current ? ' aria-current="page"' : ""}>${escapeHtml(link.label)}</a></li>`,
    )
    .join("");
  return `<header class="top">
<a class="brand" href="${home[visitor.role]}">VoIPBIN console</a>
<nav aria-label="Main"><ul>${links}</ul></nav>
${signOut}
</header>`;
}

function document(title: string, body: string, attrs: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · VoIPBIN console</title>
<link rel="icon" href="${CONSOLE_ASSETS_PATH}/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${CONSOLE_ASSETS_PATH}/console.css">
<script type="module" src="${CONSOLE_ASSETS_PATH}/main.js"></script>
</head>
<body${attrs}>
<a class="skip" href="#main">Skip to content</a>
${body}
</body>
</html>
`;
}

/** A page of the console: its header and an empty main that the view's script fills from the API. */
export function consoleShell(page: ConsolePage, visitor: Visitor, currentPath: string): string {
  return document(
    page.title,
    `${header(visitor, currentPath)}
<main id="main" tabindex="-1">
<h1>${escapeHtml(page.title)}</h1>
<div id="status" class="status" role="status" aria-live="polite" tabindex="-1"></div>
<div id="app"><p>Loading…</p></div>
<noscript><p class="error">The console needs JavaScript: it renders each page from the API.</p></noscript>
</main>`,
    ` data-view="${page.view}"`,
  );
}

/** The answer to someone signed in whom a page is not for. */
export function refusalPage(page: ConsolePage, visitor: Visitor): string {
  const allowed = page.who === "anyone" ? "anyone" : roleNames[page.who];
  const who = visitor.role ? roleNames[visitor.role] : "an account that has no console";
  const next = visitor.role
    ? `<p><a href="${home[visitor.role]}">Go to your console</a></p>`
    : "<p>The console is for the platform operator and customers' admins: sign out, then sign in with such an account.</p>";
  return document(
    "Not for this account",
    `${header(visitor, "")}
<main id="main" tabindex="-1">
<h1>Not for this account</h1>
<p>The page “${escapeHtml(page.title)}” is for ${escapeHtml(allowed)}. You are signed in as ${escapeHtml(who)}.</p>
${next}
</main>`,
    ` data-view="refused"`,
  );
}

/** A /console address that is no page. */
export function notFoundPage(visitor: Visitor): string {
  return document(
    "Page not found",
    `${header(visitor, "")}
<main id="main" tabindex="-1">
<h1>Page not found</h1>
<p>There is no such page in the console. <a href="/console">Go to the console</a></p>
</main>`,
    ` data-view="missing"`,
  );
}
