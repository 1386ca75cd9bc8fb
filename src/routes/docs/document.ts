import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { authenticated } from "../../lib/route";
import { OPENAPI_PATH } from ".";

/**
 * The document's own parts, beside what the routes declare: the credential transports, the
 * servers, and every tag with what it covers (the order here is the order of the reference at
 * /docs). A route's tag must be listed here: `npm run lint:openapi` refuses an undefined one.
 */
export const TAGS = [
  { name: "Auth", description: "Login, signup with email verification, and password reset. No credential needed." },
  {
    name: "Account lifecycle",
    description:
      "Unregister: freeze the account for a 30-day grace period, or delete it at once with the phrase DELETE; and cancel a scheduled deletion.",
  },
  {
    name: "Customer",
    description: "The caller's own customer: profile, metadata, default billing account and email verification.",
  },
  {
    name: "Customer events",
    description: "The customer's events, their signed webhook deliveries, and the webhook signing secret.",
  },
  {
    name: "Customers (admin)",
    description:
      "The operator's API over every customer (ProjectSuperAdmin): create, update, freeze, recover, delete, account settings and audit trail.",
  },
  {
    name: "Access keys",
    description: "Long-lived credentials of the customer's agents, sent as `?accesskey=` or as a Bearer token.",
  },
  {
    name: "Agents",
    description: "The customer's agents: the people who log in, with their permissions and addresses.",
  },
  { name: "Contacts", description: "The customer's contacts, with their addresses and tags, and lookup by address." },
  { name: "Numbers", description: "The customer's phone numbers (E.164) and the flows they run." },
  { name: "Flows", description: "Call and message flows: the actions run on a call or message." },
  { name: "Queues", description: "Call queues and how they route calls to agents." },
  { name: "Trunks", description: "SIP trunks of the customer." },
  { name: "Extensions", description: "SIP extensions registered under the customer's domain." },
  {
    name: "Files",
    description: "Stored files: multipart upload, records and downloads (`/v1.0/storage_files`, also `/v1.0/files`).",
  },
  {
    name: "Billing Accounts",
    description: "Billing accounts, their balance and payment information, and the plan the operator sets.",
  },
  {
    name: "Storage",
    description: "The customer's storage account: file count and size against the storage quota.",
  },
  { name: "Tags", description: "Tags that group agents, queues and contacts." },
  { name: "Transcriptions", description: "Transcription records (`/v1.0/transcribes`, also `/v1.0/transcriptions`)." },
  {
    name: "Service Agent",
    description:
      "The logged-in agent's own API (`/v1.0/service_agents/*`, a login token, not an access key): its profile and status, its customer without secrets, its colleagues, its own extensions and files, and the customer's tags, contacts and transcriptions.",
  },
  { name: "Service", description: "Where to start, and the health check for load balancers. No credential needed." },
];

function publicServer(configured: string | undefined, origin: string) {
  const url = configured?.replace(/\/+$/, "");
  return url && url !== origin ? [{ url, description: "The public address (PUBLIC_BASE_URL)" }] : [];
}

/** Serves GET /openapi.json (OpenAPI 3.1) with the security schemes the routes name. */
export function registerOpenApiDocument(app: OpenAPIHono<AppEnv>) {
  const schemes = app.openAPIRegistry;
  schemes.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT or access key",
  });
  schemes.registerComponent("securitySchemes", "tokenQuery", { type: "apiKey", in: "query", name: "token" });
  schemes.registerComponent("securitySchemes", "accesskeyQuery", { type: "apiKey", in: "query", name: "accesskey" });
  schemes.registerComponent("securitySchemes", "tokenCookie", { type: "apiKey", in: "cookie", name: "token" });

  app.doc31(OPENAPI_PATH, (c) => ({
    openapi: "3.1.0",
    info: {
      title: "VoIPBIN Customer API",
      version: "1.0.0",
      description:
        "Customer accounts of the VoIPBIN CPaaS platform: the admin API over all customers, the self API over your own, authentication, access keys, signup and the account lifecycle.",
    },
    // First the origin serving this document (so /docs calls its own origin, which its CSP allows),
    // then the configured public address when that is another one.
    servers: [
      { url: "/", description: "The origin serving this document" },
      ...publicServer(c.env.PUBLIC_BASE_URL, new URL(c.req.url).origin),
    ],
    // Every operation needs a credential unless it says `security: []` (auth, /, /health).
    security: authenticated,
    tags: TAGS,
  }));
}
