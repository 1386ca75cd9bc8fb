import { env, SELF } from "cloudflare:test";
import { hashPassword } from "../../src/auth/password";
import { expect } from "vitest";

export const BASE = "http://api.test";
export const ADMIN = { username: env.ADMIN_USERNAME, password: env.ADMIN_PASSWORD };

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent as is; bytes (Uint8Array) go without the Content-Type fetch would add to a string. */
  rawBody?: string | Uint8Array;
  headers?: Record<string, string>;
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

const randomIp = () => `198.51.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`;

/** One HTTP call through the Worker's fetch handler, with the token as a Bearer header. */
export async function api<T = any>(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
  // Each call comes from its own client address unless a test pins one, so the per-IP
  // brute-force limit only trips in the tests that aim at it.
  const headers: Record<string, string> = { "CF-Connecting-IP": randomIp(), ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body: string | Uint8Array | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["Content-Type"] ??= "application/json";
  }
  return readResponse(await SELF.fetch(`${BASE}${path}`, { method, headers, body }));
}

/** A response's status, headers and body: parsed JSON, or the text where it is not JSON (HTML pages). */
export async function readResponse<T = any>(res: Response): Promise<ApiResponse<T>> {
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

export function expectError(res: ApiResponse, status: number, errorStatus: string, reason?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.status).toBe(errorStatus);
  if (reason) expect(res.body.error.reason).toBe(reason);
  expect(typeof res.body.error.message).toBe("string");
  expect(res.body.error.request_id).toBe(res.headers.get("X-Request-Id"));
  expect(Array.isArray(res.body.error.details)).toBe(true);
}

export async function login(username: string, password: string): Promise<string> {
  const res = await api("POST", "/auth/login", { body: { username, password } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.token;
}

let adminToken: string | undefined;
export async function adminLogin(): Promise<string> {
  adminToken ??= await login(ADMIN.username, ADMIN.password);
  return adminToken;
}

let counter = 0;
export const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`;

export interface TestCustomer {
  id: string;
  username: string;
  password: string;
  email: string;
  token: string;
  customer: any;
}

/** A customer created by the operator, with its first admin agent logged in. */
export async function createCustomer(overrides: Record<string, unknown> = {}): Promise<TestCustomer> {
  const username = unique("user");
  const email = `${unique("c")}@example.com`;
  const password = "correct-horse-battery";
  const res = await api("POST", "/v1.0/customers", {
    token: await adminLogin(),
    body: { username, password, name: "Test Company", email, ...overrides },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const token = await login((overrides.username as string) ?? username, (overrides.password as string) ?? password);
  return {
    id: res.body.id,
    username,
    password,
    email: (overrides.email as string) ?? email,
    token,
    customer: res.body,
  };
}

export async function createAccesskey(token: string, body: Record<string, unknown> = {}): Promise<string> {
  const res = await api("POST", "/v1.0/accesskeys", { token, body: { name: "k", ...body } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.token;
}

export const ZERO_UUID = "00000000-0000-0000-0000-000000000000";
export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** Every field of the wire customer object, sorted. */
export const CUSTOMER_KEYS = [
  "address",
  "billing_account_id",
  "detail",
  "email",
  "email_verified",
  "id",
  "identity_verification_status",
  "metadata",
  "name",
  "phone_number",
  "status",
  "tm_create",
  "tm_delete",
  "tm_deletion_scheduled",
  "tm_update",
  "webhook_method",
  "webhook_uri",
].sort();

/** An agent of `customerId` with the given permission bits, written straight to D1 as a fixture, and logged in. */
export async function createAgent(customerId: string, permission: number) {
  const username = `${unique("agent")}@example.com`;
  const password = "agent-password-1234";
  const now = Date.now();
  await env.DB.prepare(
    `INSERT INTO agents (id, customer_id, name, detail, tm_create, tm_update, version, username, password_hash, permission, is_guest)
     VALUES (?, ?, 'Agent', '', ?, ?, 1, ?, ?, ?, 0)`,
  )
    .bind(crypto.randomUUID(), customerId, now, now, username, await hashPassword(password), permission)
    .run();
  return { username, password, token: await login(username, password) };
}
