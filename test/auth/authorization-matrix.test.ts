import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { resourceKinds, type ResourceKind } from "../../src/db/owned";
import {
  adminLogin,
  api,
  createAccesskey,
  createCustomer,
  login,
  unique,
  type ApiResponse,
  type TestCustomer,
} from "../helpers";
import { createResource, validBody } from "../helpers/resources";

// ---------------------------------------------------------------------------------------------
// The authorization matrix: every route of the OpenAPI document × every kind of caller → the
// exact HTTP status. Requests carry valid bodies, so a status says who may call, not what was
// sent. Routes that change or delete something act on throwaway data made for the cell.
//
// Tenant A owns every target; "agent" (16), "manager" (64) and "admin" (32) are A's agents, and
// "accessKey" is a live access key of A (it acts as a CustomerAdmin, and is no agent).
// ---------------------------------------------------------------------------------------------

const CALLERS = [
  "anonymous",
  "agent",
  "manager",
  "admin",
  "accessKey",
  "otherAdmin",
  "superAdmin",
  "frozenAdmin",
  "deletedToken",
  "expiredKey",
] as const;
type Caller = (typeof CALLERS)[number];

/** A caller's credential and what a valid body of its own needs. */
interface Who {
  token?: string;
  password?: string;
  customerId?: string;
  /** A billing account of the caller's own customer. */
  billing?: string;
  /** The credential is an access key (it confirms with the phrase, not a password). */
  key?: boolean;
  /** A file the caller uploaded as an agent (service_agents), made before any freeze. */
  file?: string;
}

interface Cell {
  path: string;
  body?: unknown;
  /** A non-JSON body (the multipart upload), sent as is with its headers. */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** A multipart upload of a small text file, as the Go SDK frames it (the agent's form adds type talk). */
const MATRIX_BOUNDARY = "matrix-boundary-7d1f";
const uploadCell = (path = "/v1.0/storage_files"): Cell => ({
  path,
  rawBody:
    `--${MATRIX_BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="m.txt"\r\nContent-Type: text/plain\r\n\r\nmatrix\r\n` +
    (path.includes("service_agents")
      ? `--${MATRIX_BOUNDARY}\r\nContent-Disposition: form-data; name="type"\r\n\r\ntalk\r\n`
      : "") +
    `--${MATRIX_BOUNDARY}--\r\n`,
  headers: { "Content-Type": `multipart/form-data; boundary=${MATRIX_BOUNDARY}` },
});
/** A file of the caller's own, uploaded as an agent; undefined when it may not upload. */
async function agentUpload(who: Who): Promise<string | undefined> {
  if (!who.token) return undefined;
  const { path, ...upload } = uploadCell("/v1.0/service_agents/files");
  const res = await api("POST", path, { token: who.token, ...upload });
  return res.status === 200 ? (res.body.id as string) : undefined;
}

interface Row {
  expect: Record<Caller, number>;
  /** The request for one caller; throwaway targets are made here, one per cell. */
  request(who: Who): Promise<Cell> | Cell;
  /** The route changes the caller's own account: every cell gets a caller of its own. */
  freshCaller?: boolean;
}

/** 401 without a live credential, 403 for every other caller, then the exceptions; A's key as A's admin unless said. */
const statuses = (allowed: Partial<Record<Caller, number>>): Record<Caller, number> => ({
  anonymous: 401,
  agent: 403,
  manager: 403,
  admin: 403,
  accessKey: allowed.accessKey ?? allowed.admin ?? 403,
  otherAdmin: 403,
  superAdmin: 403,
  frozenAdmin: 403,
  deletedToken: 401,
  expiredKey: 401,
  ...allowed,
});

const everyone = (status: number) => Object.fromEntries(CALLERS.map((c) => [c, status])) as Record<Caller, number>;

// The shapes of the matrix. A frozen customer's credentials still read; every write under
// /v1.0 is refused with 403 before the handler runs.
const SUPER_ADMIN = statuses({ superAdmin: 200 });
const OWN_ADMIN_WRITE = statuses({ admin: 200, otherAdmin: 200 });
const OWN_ADMIN_READ = statuses({ admin: 200, otherAdmin: 200, frozenAdmin: 200 });
const OWN_ADMIN_OR_MANAGER_READ = statuses({ admin: 200, manager: 200, otherAdmin: 200, frozenAdmin: 200 });
/** A's access key by id: another customer's credential finds nothing there. */
const KEY_OF_A_READ = statuses({ admin: 200, otherAdmin: 404, frozenAdmin: 404, superAdmin: 404 });
const KEY_OF_A_WRITE = statuses({ admin: 200, otherAdmin: 404, superAdmin: 404 });

/**
 * The agent's API (service_agents): every agent of a customer, whatever its permission; a frozen
 * customer's read but do not write; an access key is not an agent (401); the super admin is no
 * customer's agent (403).
 */
const SERVICE_AGENT_READ = statuses({
  agent: 200,
  manager: 200,
  admin: 200,
  otherAdmin: 200,
  frozenAdmin: 200,
  accessKey: 401,
});
const SERVICE_AGENT_WRITE = statuses({ agent: 200, manager: 200, admin: 200, otherAdmin: 200, accessKey: 401 });
/** A's own data through the agent's API: A's agents reach it, other customers' find nothing (404). */
const SERVICE_AGENT_GET_OF_A = statuses({
  agent: 200,
  manager: 200,
  admin: 200,
  accessKey: 401,
  otherAdmin: 404,
  frozenAdmin: 404,
});
const SERVICE_AGENT_CHANGE_OF_A = statuses({ agent: 200, manager: 200, admin: 200, accessKey: 401, otherAdmin: 404 });
/** The caller's own (files it uploaded, extensions its addresses name): its frozen customer still reads. */
const SERVICE_AGENT_OWN_READ = SERVICE_AGENT_READ;
const SERVICE_AGENT_OWN_CHANGE = SERVICE_AGENT_WRITE;

const resourceStatuses = (kind: ResourceKind) => {
  // Agents are written by CustomerAdmins only; every other kind by managers too.
  const writer = kind === "agents" ? {} : { manager: 200 };
  return {
    list: statuses({ agent: 200, manager: 200, admin: 200, otherAdmin: 200, frozenAdmin: 200 }),
    create: statuses({ ...writer, admin: 200, otherAdmin: 200 }),
    get: statuses({ agent: 200, manager: 200, admin: 200, otherAdmin: 404, frozenAdmin: 404 }),
    change: statuses({ ...writer, admin: 200, otherAdmin: 404 }),
  };
};

// ---- The world the cells run in --------------------------------------------------------------

interface World {
  a: TestCustomer;
  shared: Record<Caller, Who>;
  superAdmin: string;
  /** The operator's target, with a billing account. */
  target: TestCustomer & { billing: string };
  deleted: TestCustomer;
  loginUser: TestCustomer;
  verifiable: TestCustomer;
  keyOfA: string;
  resourcesOfA: Record<ResourceKind, string>;
  /** A file of A's with bytes (uploaded, not recorded by JSON). */
  uploadOfA: string;
  agentOfA: string;
}

const world = {} as World;

async function agentOf(customer: TestCustomer, permission: number): Promise<Who> {
  const body: Record<string, unknown> = { ...validBody("agents"), permission };
  await createResource(customer.token, "agents", body);
  return {
    token: await login(body.username as string, body.password as string),
    password: body.password as string,
    customerId: customer.id,
  };
}

const billingOf = async (customer: TestCustomer) =>
  (await createResource(customer.token, "billing_accounts")).id as string;

async function adminOf(customer: TestCustomer): Promise<Who> {
  return {
    token: customer.token,
    password: customer.password,
    customerId: customer.id,
    billing: await billingOf(customer),
  };
}

/** A live access key of the customer, with its admin's billing account. */
async function keyOf(customer: TestCustomer, billing?: string): Promise<Who> {
  return { token: await createAccesskey(customer.token), customerId: customer.id, billing, key: true };
}

async function frozenAdmin(): Promise<Who> {
  const f = await createCustomer();
  const who = await adminOf(f);
  // A file of its own from before the freeze: a frozen customer's agents still read theirs.
  who.file = await agentUpload(who);
  const res = await api("POST", "/auth/unregister", { token: f.token, body: { password: f.password } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return who;
}

/** A caller of the given kind whose account nothing else uses. */
async function freshCaller(caller: Caller): Promise<Who> {
  switch (caller) {
    case "agent":
      return agentOf(await createCustomer(), 16);
    case "manager":
      return agentOf(await createCustomer(), 64);
    case "admin":
    case "otherAdmin":
      return adminOf(await createCustomer());
    case "frozenAdmin":
      return frozenAdmin();
    case "accessKey":
      return keyOf(await createCustomer());
    default:
      return world.shared[caller];
  }
}

/** A customer made by the operator, not signed in: a throwaway target. */
async function throwawayCustomer(): Promise<string> {
  const res = await api("POST", "/v1.0/customers", {
    token: world.superAdmin,
    body: { username: unique("mx"), password: "long-enough-password", email: `${unique("mx")}@example.com` },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.id;
}

/** A reset token for the admin agent of a throwaway customer. */
async function mintResetToken(): Promise<string> {
  const customer = await createCustomer();
  const token = Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, "0")).join("");
  const hash = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token))), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join("");
  await env.DB.prepare(
    "INSERT INTO password_resets (token_hash, agent_id, customer_id, tm_expire, tm_create) SELECT ?, id, customer_id, ?, ? FROM agents WHERE customer_id = ? AND is_guest = 0",
  )
    .bind(hash, Date.now() + 3_600_000, Date.now(), customer.id)
    .run();
  return token;
}

async function mintVerificationToken(customer: TestCustomer): Promise<string> {
  const token = Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, "0")).join("");
  const hash = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token))), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join("");
  await env.DB.prepare(
    "INSERT INTO email_verifications (token_hash, customer_id, email, tm_expire, tm_create) VALUES (?, ?, ?, ?, ?)",
  )
    .bind(hash, customer.id, customer.email, Date.now() + 3_600_000, Date.now())
    .run();
  return token;
}

// ---- The expectation table -------------------------------------------------------------------

/** The contract's path names of two kinds. */
const ALIASES: Record<string, ResourceKind> = { transcribes: "transcriptions", storage_files: "files" };

/** Each setter with a valid body that leaves A's resource usable by the other cells. */
const SETTERS: Record<string, Record<string, unknown>> = {
  "agents/{id}/addresses": { addresses: [{ type: "tel", target: "+15550001111" }] },
  "agents/{id}/tag_ids": { tag_ids: [] },
  "agents/{id}/permission": { permission: 16 },
  "agents/{id}/status": { status: "available" },
  "numbers/{id}/flow_ids": { call_flow_id: "", message_flow_id: null },
  "queues/{id}/routing_method": { routing_method: "random" },
  "queues/{id}/tag_ids": { tag_ids: null },
  "billing_accounts/{id}/payment_info": { payment_type: "prepaid", payment_method: "credit card" },
};

const CONTACT_PHONE = "+15559876543";
/** A number only A's contacts have (other cells create contacts with CONTACT_PHONE for other customers too). */
const LOOKUP_PHONE_OF_A = "+15557770001";

/** A fresh address on A's contact, for a cell that changes or removes one. */
async function addressOfA(): Promise<string> {
  const res = await api("POST", `/v1.0/contacts/${world.resourcesOfA.contacts}/addresses`, {
    token: world.a.token,
    body: { type: "tel", target: "+15550002222" },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.addresses.at(-1).id;
}

const ROWS: Record<string, Row> = {
  // Public: a credential, if any, is ignored.
  "GET /": { expect: everyone(200), request: () => ({ path: "/" }) },
  "GET /health": { expect: everyone(200), request: () => ({ path: "/health" }) },
  "POST /auth/login": {
    expect: everyone(200),
    request: () => ({
      path: "/auth/login",
      body: { username: world.loginUser.username, password: world.loginUser.password },
    }),
  },
  "POST /auth/signup": {
    expect: everyone(200),
    request: () => ({
      path: "/auth/signup",
      body: { email: `${unique("mx")}@example.com`, password: "signup-password-1", accepted_tos: true },
    }),
  },
  "POST /auth/email-verify": {
    expect: everyone(200),
    request: async () => ({
      path: "/auth/email-verify",
      body: { token: await mintVerificationToken(world.verifiable) },
    }),
  },
  "POST /auth/password-forgot": {
    expect: everyone(200),
    request: () => ({ path: "/auth/password-forgot", body: { username: world.loginUser.username } }),
  },
  "GET /auth/password-reset": {
    expect: everyone(200),
    request: async () => ({ path: `/auth/password-reset?token=${await mintResetToken()}` }),
  },
  "POST /auth/password-reset": {
    expect: everyone(200),
    request: async () => ({
      path: "/auth/password-reset",
      body: { token: await mintResetToken(), password: "matrix-reset-password" },
    }),
  },

  // The caller's own account. An active account cannot be "recovered": 400 FAILED_PRECONDITION.
  "POST /auth/unregister": {
    expect: statuses({ admin: 200, otherAdmin: 200, frozenAdmin: 200 }),
    freshCaller: true,
    request: (who) => ({
      path: "/auth/unregister",
      body: who.key ? { confirmation_phrase: "DELETE" } : { password: who.password ?? "no-password-here" },
    }),
  },
  "DELETE /auth/unregister": {
    expect: statuses({ admin: 400, otherAdmin: 400, frozenAdmin: 200 }),
    freshCaller: true,
    request: () => ({ path: "/auth/unregister" }),
  },

  // The self API.
  "GET /v1.0/customer": { expect: OWN_ADMIN_OR_MANAGER_READ, request: () => ({ path: "/v1.0/customer" }) },
  "PUT /v1.0/customer": {
    expect: OWN_ADMIN_WRITE,
    request: () => ({ path: "/v1.0/customer", body: { detail: "set in the matrix" } }),
  },
  "PUT /v1.0/customer/metadata": {
    expect: OWN_ADMIN_WRITE,
    request: () => ({ path: "/v1.0/customer/metadata", body: { rtp_debug: false } }),
  },
  "POST /v1.0/customer/email_verification": {
    expect: OWN_ADMIN_WRITE,
    request: () => ({ path: "/v1.0/customer/email_verification" }),
  },
  "PUT /v1.0/customer/billing_account_id": {
    expect: OWN_ADMIN_WRITE,
    request: (who) => ({
      path: "/v1.0/customer/billing_account_id",
      body: { billing_account_id: who.billing ?? crypto.randomUUID() },
    }),
  },
  "GET /v1.0/customer/events": {
    expect: OWN_ADMIN_OR_MANAGER_READ,
    request: () => ({ path: "/v1.0/customer/events" }),
  },
  "GET /v1.0/customer/webhook_deliveries": {
    expect: OWN_ADMIN_OR_MANAGER_READ,
    request: () => ({ path: "/v1.0/customer/webhook_deliveries" }),
  },
  "POST /v1.0/customer/webhook_secret": {
    expect: OWN_ADMIN_WRITE,
    request: () => ({ path: "/v1.0/customer/webhook_secret" }),
  },

  // The operator's API.
  "GET /v1.0/customers": { expect: SUPER_ADMIN, request: () => ({ path: "/v1.0/customers" }) },
  "POST /v1.0/customers": {
    expect: SUPER_ADMIN,
    request: () => ({
      path: "/v1.0/customers",
      body: { username: unique("mx"), password: "long-enough-password", email: `${unique("mx")}@example.com` },
    }),
  },
  "GET /v1.0/customers/{id}": { expect: SUPER_ADMIN, request: () => ({ path: `/v1.0/customers/${world.target.id}` }) },
  "PUT /v1.0/customers/{id}": {
    expect: SUPER_ADMIN,
    request: () => ({ path: `/v1.0/customers/${world.target.id}`, body: { detail: "set by the operator" } }),
  },
  "DELETE /v1.0/customers/{id}": {
    expect: SUPER_ADMIN,
    request: async () => ({ path: `/v1.0/customers/${await throwawayCustomer()}` }),
  },
  "PUT /v1.0/customers/{id}/metadata": {
    expect: SUPER_ADMIN,
    request: () => ({ path: `/v1.0/customers/${world.target.id}/metadata`, body: { rtp_debug: false } }),
  },
  "POST /v1.0/customers/{id}/freeze": {
    expect: SUPER_ADMIN,
    request: async () => ({ path: `/v1.0/customers/${await throwawayCustomer()}/freeze` }),
  },
  "POST /v1.0/customers/{id}/recover": {
    expect: SUPER_ADMIN,
    async request() {
      const id = await throwawayCustomer();
      expect((await api("POST", `/v1.0/customers/${id}/freeze`, { token: world.superAdmin })).status).toBe(200);
      return { path: `/v1.0/customers/${id}/recover` };
    },
  },
  "GET /v1.0/customers/{id}/deletion": {
    expect: SUPER_ADMIN,
    request: () => ({ path: `/v1.0/customers/${world.deleted.id}/deletion` }),
  },
  "PUT /v1.0/customers/{id}/billing_account_id": {
    expect: SUPER_ADMIN,
    request: () => ({
      path: `/v1.0/customers/${world.target.id}/billing_account_id`,
      body: { billing_account_id: world.target.billing },
    }),
  },
  "PUT /v1.0/customers/{id}/identity_verification_status": {
    expect: SUPER_ADMIN,
    request: () => ({
      path: `/v1.0/customers/${world.target.id}/identity_verification_status`,
      body: { identity_verification_status: "pending" },
    }),
  },
  "GET /v1.0/customers/{id}/audit": {
    expect: SUPER_ADMIN,
    request: () => ({ path: `/v1.0/customers/${world.target.id}/audit` }),
  },

  // Access keys: CustomerAdmin of the key's customer; the super admin manages its own.
  "GET /v1.0/accesskeys": {
    expect: { ...OWN_ADMIN_READ, superAdmin: 200 },
    request: () => ({ path: "/v1.0/accesskeys" }),
  },
  "POST /v1.0/accesskeys": {
    expect: { ...OWN_ADMIN_WRITE, superAdmin: 200 },
    request: () => ({ path: "/v1.0/accesskeys", body: { name: "matrix", expire: 3600 } }),
  },
  "GET /v1.0/accesskeys/{id}": { expect: KEY_OF_A_READ, request: () => ({ path: `/v1.0/accesskeys/${world.keyOfA}` }) },
  "PUT /v1.0/accesskeys/{id}": {
    expect: KEY_OF_A_WRITE,
    request: () => ({ path: `/v1.0/accesskeys/${world.keyOfA}`, body: { detail: "renamed in the matrix" } }),
  },
  "DELETE /v1.0/accesskeys/{id}": {
    expect: KEY_OF_A_WRITE,
    async request() {
      const key = await api("POST", "/v1.0/accesskeys", { token: world.a.token, body: { name: "victim" } });
      return { path: `/v1.0/accesskeys/${key.body.id}` };
    },
  },

  // Another agent's password: a CustomerAdmin of its customer only.
  "PUT /v1.0/agents/{id}/password": {
    expect: statuses({ admin: 200, otherAdmin: 404 }),
    request: () => ({ path: `/v1.0/agents/${world.agentOfA}/password`, body: { password: "matrix-password-1" } }),
  },

  // The caller as an agent: any live credential.
  "GET /v1.0/me": {
    expect: statuses({ agent: 200, manager: 200, admin: 200, otherAdmin: 200, superAdmin: 200, frozenAdmin: 200 }),
    request: () => ({ path: "/v1.0/me" }),
  },

  // File bytes: the upload writes like any resource; downloads read A's uploaded file.
  "POST /v1.0/storage_files": { expect: resourceStatuses("files").create, request: () => uploadCell() },
  "GET /v1.0/storage_files/{id}/file": {
    expect: resourceStatuses("files").get,
    request: () => ({ path: `/v1.0/storage_files/${world.uploadOfA}/file` }),
  },
  "GET /v1.0/files/{id}/file": {
    expect: resourceStatuses("files").get,
    request: () => ({ path: `/v1.0/files/${world.uploadOfA}/file` }),
  },

  // The eleven resource kinds, under their names and the contract's aliases.
  ...Object.fromEntries(
    [
      ...resourceKinds.map((kind) => [kind, kind] as const),
      ...Object.entries(ALIASES).map(([alias, kind]) => [alias, kind] as const),
    ].flatMap(([name, kind]) => {
      const s = resourceStatuses(kind);
      const own = () => (kind === "agents" ? world.agentOfA : world.resourcesOfA[kind]);
      const rows: [string, Row][] = [
        [`GET /v1.0/${name}`, { expect: s.list, request: () => ({ path: `/v1.0/${name}` }) }],
        [`POST /v1.0/${name}`, { expect: s.create, request: () => ({ path: `/v1.0/${name}`, body: validBody(kind) }) }],
        [`GET /v1.0/${name}/{id}`, { expect: s.get, request: () => ({ path: `/v1.0/${name}/${own()}` }) }],
        [
          `PUT /v1.0/${name}/{id}`,
          {
            expect: s.change,
            request: () => ({ path: `/v1.0/${name}/${own()}`, body: { detail: "changed in the matrix" } }),
          },
        ],
        [
          `DELETE /v1.0/${name}/{id}`,
          {
            expect: s.change,
            request: async () => ({ path: `/v1.0/${name}/${(await createResource(world.a.token, kind)).id}` }),
          },
        ],
      ];
      // POST /v1.0/storage_files is the multipart upload, not this kind's JSON create.
      return rows.filter(([route]) => route !== "POST /v1.0/storage_files");
    }),
  ),

  // The contract's setters: a resource's writers, on A's resource.
  ...Object.fromEntries(
    Object.entries(SETTERS).map(([route, body]) => {
      const kind = route.split("/")[0] as ResourceKind;
      const own = () => (kind === "agents" ? world.agentOfA : world.resourcesOfA[kind]);
      return [
        `PUT /v1.0/${route}`,
        {
          expect: resourceStatuses(kind).change,
          request: () => ({ path: `/v1.0/${route.replace("{id}", own())}`, body }),
        },
      ];
    }),
  ),

  // A contact's addresses and tags, one at a time; lookup reads like a get.
  "POST /v1.0/contacts/{id}/addresses": {
    expect: resourceStatuses("contacts").change,
    request: () => ({
      path: `/v1.0/contacts/${world.resourcesOfA.contacts}/addresses`,
      body: { type: "email", target: "matrix@example.com" },
    }),
  },
  "PUT /v1.0/contacts/{id}/addresses/{address_id}": {
    expect: resourceStatuses("contacts").change,
    request: async () => ({
      path: `/v1.0/contacts/${world.resourcesOfA.contacts}/addresses/${await addressOfA()}`,
      body: { name: "renamed in the matrix" },
    }),
  },
  "DELETE /v1.0/contacts/{id}/addresses/{address_id}": {
    expect: resourceStatuses("contacts").change,
    request: async () => ({ path: `/v1.0/contacts/${world.resourcesOfA.contacts}/addresses/${await addressOfA()}` }),
  },
  "POST /v1.0/contacts/{id}/tags": {
    expect: resourceStatuses("contacts").change,
    request: () => ({
      path: `/v1.0/contacts/${world.resourcesOfA.contacts}/tags`,
      body: { tag_id: world.resourcesOfA.tags },
    }),
  },
  "DELETE /v1.0/contacts/{id}/tags/{tag_id}": {
    expect: resourceStatuses("contacts").change,
    request: () => ({ path: `/v1.0/contacts/${world.resourcesOfA.contacts}/tags/${world.resourcesOfA.tags}` }),
  },
  "GET /v1.0/contacts/lookup": {
    expect: resourceStatuses("contacts").get,
    request: () => ({ path: `/v1.0/contacts/lookup?phone=${encodeURIComponent(CONTACT_PHONE)}` }),
  },

  // The agent's API (service_agents). Password changes revoke the caller: a fresh one per cell.
  "GET /v1.0/service_agents/me": { expect: SERVICE_AGENT_READ, request: () => ({ path: "/v1.0/service_agents/me" }) },
  "PUT /v1.0/service_agents/me": {
    expect: SERVICE_AGENT_WRITE,
    request: () => ({
      path: "/v1.0/service_agents/me",
      body: { name: "set in the matrix", detail: "", ring_method: "ringall" },
    }),
  },
  "PUT /v1.0/service_agents/me/addresses": {
    expect: SERVICE_AGENT_WRITE,
    request: () => ({
      path: "/v1.0/service_agents/me/addresses",
      body: { addresses: [{ type: "extension", target: world.resourcesOfA.extensions }] },
    }),
  },
  "PUT /v1.0/service_agents/me/status": {
    expect: SERVICE_AGENT_WRITE,
    request: () => ({ path: "/v1.0/service_agents/me/status", body: { status: "available" } }),
  },
  "PUT /v1.0/service_agents/me/password": {
    expect: SERVICE_AGENT_WRITE,
    freshCaller: true,
    request: () => ({ path: "/v1.0/service_agents/me/password", body: { password: "matrix-password-2" } }),
  },
  "GET /v1.0/service_agents/customer": {
    expect: SERVICE_AGENT_READ,
    request: () => ({ path: "/v1.0/service_agents/customer" }),
  },
  // Lists: every agent lists its own customer's (or its own) rows.
  ...Object.fromEntries(
    ["agents", "extensions", "files", "tags", "contacts", "transcribes"].map((name) => [
      `GET /v1.0/service_agents/${name}`,
      { expect: SERVICE_AGENT_READ, request: () => ({ path: `/v1.0/service_agents/${name}` }) },
    ]),
  ),
  "GET /v1.0/service_agents/agents/{id}": {
    expect: SERVICE_AGENT_GET_OF_A,
    request: () => ({ path: `/v1.0/service_agents/agents/${world.agentOfA}` }),
  },
  "GET /v1.0/service_agents/tags/{id}": {
    expect: SERVICE_AGENT_GET_OF_A,
    request: () => ({ path: `/v1.0/service_agents/tags/${world.resourcesOfA.tags}` }),
  },
  // A's extension, named in the caller's addresses first (which only A's agents can make count).
  "GET /v1.0/service_agents/extensions/{id}": {
    expect: SERVICE_AGENT_GET_OF_A,
    async request(who) {
      await api("PUT", "/v1.0/service_agents/me/addresses", {
        token: who.token,
        body: { addresses: [{ type: "extension", target: world.resourcesOfA.extensions }] },
      });
      return { path: `/v1.0/service_agents/extensions/${world.resourcesOfA.extensions}` };
    },
  },
  // The caller's own file (A's admin's upload for callers that have none).
  "POST /v1.0/service_agents/files": {
    expect: SERVICE_AGENT_WRITE,
    request: () => uploadCell("/v1.0/service_agents/files"),
  },
  "GET /v1.0/service_agents/files/{id}": {
    expect: SERVICE_AGENT_OWN_READ,
    request: (who) => ({ path: `/v1.0/service_agents/files/${who.file ?? world.uploadOfA}` }),
  },
  "GET /v1.0/service_agents/files/{id}/file": {
    expect: SERVICE_AGENT_OWN_READ,
    request: (who) => ({ path: `/v1.0/service_agents/files/${who.file ?? world.uploadOfA}/file` }),
  },
  "DELETE /v1.0/service_agents/files/{id}": {
    expect: SERVICE_AGENT_OWN_CHANGE,
    request: async (who) => ({
      path: `/v1.0/service_agents/files/${(await agentUpload(who)) ?? who.file ?? world.uploadOfA}`,
    }),
  },
  // A's contacts: every agent of A reads and writes them.
  "POST /v1.0/service_agents/contacts": {
    expect: SERVICE_AGENT_WRITE,
    request: () => ({ path: "/v1.0/service_agents/contacts", body: validBody("contacts") }),
  },
  "GET /v1.0/service_agents/contacts/{id}": {
    expect: SERVICE_AGENT_GET_OF_A,
    request: () => ({ path: `/v1.0/service_agents/contacts/${world.resourcesOfA.contacts}` }),
  },
  "PUT /v1.0/service_agents/contacts/{id}": {
    expect: SERVICE_AGENT_CHANGE_OF_A,
    request: () => ({
      path: `/v1.0/service_agents/contacts/${world.resourcesOfA.contacts}`,
      body: { detail: "changed by an agent" },
    }),
  },
  "DELETE /v1.0/service_agents/contacts/{id}": {
    expect: SERVICE_AGENT_CHANGE_OF_A,
    request: async () => ({
      path: `/v1.0/service_agents/contacts/${(await createResource(world.a.token, "contacts")).id}`,
    }),
  },
  "GET /v1.0/service_agents/contacts/lookup": {
    expect: SERVICE_AGENT_GET_OF_A,
    request: () => ({ path: `/v1.0/service_agents/contacts/lookup?phone=${encodeURIComponent(LOOKUP_PHONE_OF_A)}` }),
  },
  "POST /v1.0/service_agents/contacts/{id}/addresses": {
    expect: SERVICE_AGENT_CHANGE_OF_A,
    request: () => ({
      path: `/v1.0/service_agents/contacts/${world.resourcesOfA.contacts}/addresses`,
      body: { type: "email", target: "agent-matrix@example.com" },
    }),
  },
  "PUT /v1.0/service_agents/contacts/{id}/addresses/{address_id}": {
    expect: SERVICE_AGENT_CHANGE_OF_A,
    request: async () => ({
      path: `/v1.0/service_agents/contacts/${world.resourcesOfA.contacts}/addresses/${await addressOfA()}`,
      body: { name: "renamed by an agent" },
    }),
  },
  "DELETE /v1.0/service_agents/contacts/{id}/addresses/{address_id}": {
    expect: SERVICE_AGENT_CHANGE_OF_A,
    request: async () => ({
      path: `/v1.0/service_agents/contacts/${world.resourcesOfA.contacts}/addresses/${await addressOfA()}`,
    }),
  },
  "POST /v1.0/service_agents/contacts/{id}/tags": {
    expect: SERVICE_AGENT_CHANGE_OF_A,
    request: () => ({
      path: `/v1.0/service_agents/contacts/${world.resourcesOfA.contacts}/tags`,
      body: { tag_id: world.resourcesOfA.tags },
    }),
  },
  "DELETE /v1.0/service_agents/contacts/{id}/tags/{tag_id}": {
    expect: SERVICE_AGENT_CHANGE_OF_A,
    request: () => ({
      path: `/v1.0/service_agents/contacts/${world.resourcesOfA.contacts}/tags/${world.resourcesOfA.tags}`,
    }),
  },

  // The operator's forced balance changes.
  "POST /v1.0/billing_accounts/{id}/balance_add_force": {
    expect: SUPER_ADMIN,
    request: () => ({
      path: `/v1.0/billing_accounts/${world.resourcesOfA.billing_accounts}/balance_add_force`,
      body: { balance: 1 },
    }),
  },
  "POST /v1.0/billing_accounts/{id}/balance_subtract_force": {
    expect: SUPER_ADMIN,
    request: () => ({
      path: `/v1.0/billing_accounts/${world.resourcesOfA.billing_accounts}/balance_subtract_force`,
      body: { balance: 1 },
    }),
  },
};

const ERROR_STATUS: Record<number, string[]> = {
  400: ["INVALID_ARGUMENT", "FAILED_PRECONDITION"],
  401: ["UNAUTHENTICATED"],
  403: ["PERMISSION_DENIED"],
  404: ["NOT_FOUND"],
};

/** Why a cell is wrong, or null: the status, and for errors the envelope. */
function problemOf(res: ApiResponse, expected: number): string | null {
  if (res.status !== expected) return `${res.status} ${res.body?.error?.reason ?? ""}`.trim();
  if (expected < 400) return null;
  const e = res.body?.error;
  const ok =
    e &&
    ERROR_STATUS[expected]?.includes(e.status) &&
    typeof e.reason === "string" &&
    typeof e.message === "string" &&
    e.request_id === res.headers.get("X-Request-Id") &&
    Array.isArray(e.details);
  return ok ? null : `${res.status} without the error envelope: ${JSON.stringify(res.body).slice(0, 120)}`;
}

// ---- Setup -----------------------------------------------------------------------------------

beforeAll(async () => {
  vi.spyOn(console, "log").mockImplementation(() => undefined); // verification mails
  world.superAdmin = await adminLogin();
  world.a = await createCustomer();
  // An access key that expires after one second; it is used only after that.
  const expiring = await api("POST", "/v1.0/accesskeys", {
    token: world.a.token,
    body: { name: "expiring", expire: 1 },
  });
  expect(expiring.status).toBe(200);

  const b = await createCustomer();
  world.deleted = await createCustomer();
  const adminOfA = await adminOf(world.a);
  world.shared = {
    anonymous: {},
    agent: await agentOf(world.a, 16),
    manager: await agentOf(world.a, 64),
    admin: adminOfA,
    accessKey: await keyOf(world.a, adminOfA.billing),
    otherAdmin: await adminOf(b),
    superAdmin: { token: world.superAdmin, password: "root-password-for-tests" },
    frozenAdmin: await frozenAdmin(),
    deletedToken: { token: world.deleted.token, password: world.deleted.password, customerId: world.deleted.id },
    expiredKey: { token: expiring.body.token },
  };
  expect((await api("DELETE", `/v1.0/customers/${world.deleted.id}`, { token: world.superAdmin })).status).toBe(200);
  // Each agent's own file, uploaded through the agent's API.
  for (const caller of ["agent", "manager", "admin", "otherAdmin"] as const) {
    world.shared[caller].file = await agentUpload(world.shared[caller]);
    expect(world.shared[caller].file, `${caller}'s upload`).toBeDefined();
  }

  const target = await createCustomer();
  world.target = { ...target, billing: await billingOf(target) };
  world.loginUser = await createCustomer();
  world.verifiable = await createCustomer();
  world.keyOfA = (await api("POST", "/v1.0/accesskeys", { token: world.a.token, body: { name: "target" } })).body.id;
  world.agentOfA = (await createResource(world.a.token, "agents", { ...validBody("agents"), permission: 16 })).id;
  world.resourcesOfA = {} as Record<ResourceKind, string>;
  for (const kind of resourceKinds) world.resourcesOfA[kind] = (await createResource(world.a.token, kind)).id;
  await createResource(world.a.token, "contacts", { ...validBody("contacts"), phone_number: LOOKUP_PHONE_OF_A });
  const { path, ...upload } = uploadCell();
  const uploaded = await api("POST", path, { token: world.a.token, ...upload });
  expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(200);
  world.uploadOfA = uploaded.body.id;

  const wait = Date.parse(expiring.body.tm_expire) + 100 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  // Sanity: each shared credential is what its name says.
  expect((await api("GET", "/v1.0/customer", { token: world.shared.expiredKey.token })).status).toBe(401);
  expect((await api("GET", "/v1.0/customer", { token: world.shared.deletedToken.token })).status).toBe(401);
  expect((await api("GET", "/v1.0/customer", { token: world.shared.frozenAdmin.token })).body.status).toBe("frozen");
  expect((await api("GET", "/v1.0/customer", { token: await createAccesskey(world.a.token) })).status).toBe(200);
}, 120_000);

// ---- The matrix ------------------------------------------------------------------------------

describe("authorization matrix", () => {
  it("every route of the OpenAPI document × every caller → the expected status", async () => {
    const doc = (await api("GET", "/openapi.json")).body as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    // A route added to the document without a row here fails the test.
    expect(
      routes.filter((r) => !ROWS[r]),
      "routes with no row in the expectation table",
    ).toEqual([]);
    expect(
      Object.keys(ROWS).filter((r) => !routes.includes(r)),
      "rows for routes the document does not have",
    ).toEqual([]);

    const mismatches: string[] = [];
    for (const route of routes) {
      const row = ROWS[route]!;
      const method = route.slice(0, route.indexOf(" "));
      for (const caller of CALLERS) {
        const who = row.freshCaller ? await freshCaller(caller) : world.shared[caller];
        const cell = await row.request(who);
        const res = await api(method, cell.path, {
          token: who.token,
          body: cell.body,
          rawBody: cell.rawBody,
          headers: cell.headers,
        });
        const problem = problemOf(res, row.expect[caller]);
        if (problem)
          mismatches.push(`${route.padEnd(52)} ${caller.padEnd(13)} expected ${row.expect[caller]}, got ${problem}`);
      }
    }
    expect(mismatches.length, `\n${"route".padEnd(52)} ${"caller".padEnd(13)} result\n${mismatches.join("\n")}\n`).toBe(
      0,
    );
  }, 300_000);
});
