import { applyD1Migrations, env } from "cloudflare:test";

// Each test file has its own storage; bring its D1 up to the current schema first.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

// The suite runs offline. A webhook_uri with a host name makes the Worker ask DNS over HTTPS,
// and a fetch to a host that cannot be resolved is logged by workerd as an "uncaught exception …
// internal error", dozens of times a run. Answer those lookups here as an unavailable resolver
// (what the offline fetch amounted to: a set URI is accepted, a delivery retried), without the
// noise. Tests that need answers (webhooks.test.ts) spy on fetch over this.
const networkFetch = globalThis.fetch;
globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.hostname === "cloudflare-dns.com") {
    return Promise.resolve(new Response("the resolver is not reachable from tests", { status: 503 }));
  }
  return networkFetch(input, init);
};
