import { env, SELF } from "cloudflare:test";
import { expect } from "vitest";

export const BASE = "http://api.test";
export const ADMIN = { username: env.ADMIN_USERNAME, password: env.ADMIN_PASSWORD };

export interface CallOptions {
  token?: string;
  body?: unknown;
  rawBody?: string;
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
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["Content-Type"] ??= "application/json";
  }
  const res = await SELF.fetch(`${BASE}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON (HTML pages): keep the text
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
  return { id: res.body.id, username, password, email: (overrides.email as string) ?? email, token, customer: res.body };
}

export async function createAccesskey(token: string, body: Record<string, unknown> = {}): Promise<string> {
  const res = await api("POST", "/v1.0/accesskeys", { token, body: { name: "k", ...body } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.token;
}
