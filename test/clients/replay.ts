import { SELF } from "cloudflare:test";
import { expect, vi } from "vitest";
import { adminLogin, api, BASE, createAccesskey, createCustomer, readResponse } from "../helpers";
import { mailbox } from "../helpers/mail";

/**
 * Replays requests the way the platform's own clients put them on the wire. Each client's
 * transport is modelled once here (base path, where the access key goes, how the query is
 * encoded, which headers it adds, how it serializes JSON); the tests spell out every call's
 * method, path, query and body. Nothing is added beyond what the client sends, except the
 * `CF-Connecting-IP` Cloudflare's edge adds (random, as in ../helpers.ts, so per-IP limits
 * stay out of the way).
 */

export interface Replayed {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or undefined when the body is empty or not JSON. */
  json: any;
}

const randomIp = () => `203.0.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`;

/** Sends one request exactly as given. */
export async function send(
  method: string,
  pathAndQuery: string,
  headers: Record<string, string>,
  body?: string | Uint8Array,
): Promise<Replayed> {
  const res = await readResponse(
    await SELF.fetch(`${BASE}${pathAndQuery}`, {
      method,
      headers: { "CF-Connecting-IP": randomIp(), ...headers },
      body,
    }),
  );
  const parsed = res.body !== null && typeof res.body === "object";
  const text = typeof res.body === "string" ? res.body : res.body === null ? "" : JSON.stringify(res.body);
  return { status: res.status, headers: res.headers, text, json: parsed ? res.body : undefined };
}

type Query = Record<string, string>;

/** Go's `url.Values.Encode()`: keys sorted, form-encoded. */
const goQuery = (q: Query) =>
  new URLSearchParams(
    Object.keys(q)
      .sort()
      .map((k) => [k, q[k]!]),
  ).toString();

/** Go's `json.Marshal`: compact, with <, > and & escaped; key order as written by the caller. */
export const goJson = (v: unknown) =>
  JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** Python's `json.dumps(..., ensure_ascii=False, separators=(",", ":"))`, as httpx 0.28 sends it. */
const pyJson = (v: unknown) => JSON.stringify(v);

// net/http adds these to every request it sends.
const GO_TRANSPORT = { "User-Agent": "Go-http-client/1.1", "Accept-Encoding": "gzip" };

/**
 * `vn` (voipbin/cli, internal/client): base https://api.voipbin.net/v1.0; its transport sets
 * `accesskey` on the query and re-encodes it; every request has `Accept: application/json`,
 * bodies (Go maps, so keys sorted) go with `Content-Type: application/json`.
 */
export function vn(accesskey: string) {
  const url = (path: string, q: Query) => `/v1.0${path}?${goQuery({ ...q, accesskey })}`;
  const headers = (body: boolean): Record<string, string> => ({
    ...GO_TRANSPORT,
    Accept: "application/json",
    ...(body ? { "Content-Type": "application/json" } : {}),
  });
  return {
    get: (path: string, q: Query = {}) => send("GET", url(path, q), headers(false)),
    post: (path: string, body?: unknown) =>
      send("POST", url(path, {}), headers(body !== undefined), body === undefined ? undefined : goJson(body)),
    put: (path: string, body: unknown) => send("PUT", url(path, {}), headers(true), goJson(body)),
    delete: (path: string) => send("DELETE", url(path, {}), headers(false)),
  };
}

/**
 * The Go SDK (voipbin/voipbin-go, oapi-codegen): base https://api.voipbin.net/v1.0; its
 * transport sets `accesskey` and re-encodes the query; JSON bodies are the generated structs
 * (fields in struct order, zero values included unless `omitempty`) with `Content-Type:
 * application/json`; no Accept header.
 */
export function sdk(accesskey: string) {
  const url = (path: string, q: Query) => `/v1.0${path}?${goQuery({ ...q, accesskey })}`;
  const json = { ...GO_TRANSPORT, "Content-Type": "application/json" };
  return {
    get: (path: string, q: Query = {}) => send("GET", url(path, q), GO_TRANSPORT),
    post: (path: string, body: unknown) => send("POST", url(path, {}), json, goJson(body)),
    put: (path: string, body: unknown) => send("PUT", url(path, {}), json, goJson(body)),
    delete: (path: string) => send("DELETE", url(path, {}), GO_TRANSPORT),
    /** `PostStorageFilesWithBody(ctx, writer.FormDataContentType(), body)`. */
    raw: (method: string, path: string, contentType: string, body: Uint8Array) =>
      send(method, url(path, {}), { ...GO_TRANSPORT, "Content-Type": contentType }, body),
  };
}

/**
 * The MCP server (voipbin/mcp, httpx 0.28): base https://api.voipbin.net/v1.0; `accesskey` is
 * appended after the tool's own params; httpx's default headers; `json=` bodies compact.
 */
export function mcp(accesskey: string) {
  const url = (path: string, q: Query) => `/v1.0${path}?${new URLSearchParams({ ...q, accesskey }).toString()}`;
  const headers = (body: boolean): Record<string, string> => ({
    Accept: "*/*",
    "Accept-Encoding": "gzip, deflate",
    "User-Agent": "python-httpx/0.28.1",
    ...(body ? { "Content-Type": "application/json" } : {}),
  });
  return {
    get: (path: string, q: Query = {}) => send("GET", url(path, q), headers(false)),
    post: (path: string, body: unknown) => send("POST", url(path, {}), headers(true), pyJson(body)),
    put: (path: string, body: unknown) => send("PUT", url(path, {}), headers(true), pyJson(body)),
    delete: (path: string) => send("DELETE", url(path, {}), headers(false)),
  };
}

/**
 * Go's mime/multipart as `CreateFormFile("file", filename)` writes it: one part with
 * `application/octet-stream`, a 60-hex-digit boundary.
 */
export function goMultipartFile(filename: string, bytes: Uint8Array) {
  const boundary = Array.from(crypto.getRandomValues(new Uint8Array(30)), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
  const enc = new TextEncoder();
  const head = enc.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = enc.encode(`\r\n--${boundary}--\r\n`);
  const body = new Uint8Array(head.length + bytes.length + tail.length);
  body.set(head, 0);
  body.set(bytes, head.length);
  body.set(tail, head.length + bytes.length);
  return { contentType: `multipart/form-data; boundary=${boundary}`, body };
}

/** A customer (operator-created, logged in) and an access key of its admin agent: what a client user holds. */
export async function customerWithKey() {
  const customer = await createCustomer();
  return { ...customer, key: await createAccesskey(customer.token, { name: "client" }) };
}

/** An access key of the project super admin (issue 11 item 4): what an operator's client holds. */
export async function superAdminKey(): Promise<string> {
  const res = await api("POST", "/v1.0/accesskeys", { token: await adminLogin(), body: { name: "operator-client" } });
  expect(res.status, `super admin access key: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body.token;
}

/** Runs `fn` and returns the token of the newest link to `path` the service mailed to `to`. */
export async function mailedToken(to: string, path: string, fn: () => Promise<unknown>): Promise<string> {
  const box = mailbox();
  try {
    await fn();
    const pattern = new RegExp(`${path.replace(/[.?]/g, "\\$&")}\\?token=([0-9a-f]{64})`, "g");
    let token: string | undefined;
    await vi.waitFor(() => {
      token = box
        .to(to)
        .flatMap((l) => [...l.matchAll(pattern)].map((m) => m[1]!))
        .at(-1);
      expect(token, `no mail to ${to} with a ${path} link`).toBeDefined();
    });
    return token!;
  } finally {
    box.stop();
  }
}

// ---- What each client reads from a response ----

const describeRes = (res: Replayed) => `${res.status} ${res.text.slice(0, 400)}`;

/** vn's `doJSON`: any 2xx; an empty body or a JSON object; the fields it prints must be there. */
export function expectVnItem(res: Replayed, fields: string[]) {
  expect(res.status, describeRes(res)).toBeGreaterThanOrEqual(200);
  expect(res.status, describeRes(res)).toBeLessThan(300);
  expect(res.json, describeRes(res)).toBeTypeOf("object");
  for (const f of fields) expect(res.json, `vn reads ${f}`).toHaveProperty([f]);
  return res.json;
}

/** vn's `List`: 2xx, `{result: [...], next_page_token: string}`; each item has the printed columns. */
export function expectVnList(res: Replayed, fields: string[]) {
  expectListEnvelope(res);
  for (const item of res.json.result) for (const f of fields) expect(item, `vn reads ${f}`).toHaveProperty([f]);
  return res.json.result as any[];
}

function expectListEnvelope(res: Replayed) {
  expect(res.status, describeRes(res)).toBeGreaterThanOrEqual(200);
  expect(res.status, describeRes(res)).toBeLessThan(300);
  expect(Array.isArray(res.json?.result), describeRes(res)).toBe(true);
  // Decoded into a Go string (or Python str): absent or null is "", anything else must be a string.
  if (res.json.next_page_token != null) expect(res.json.next_page_token).toBeTypeOf("string");
}

/**
 * A Go SDK model: field → JSON type the generated struct decodes (`string`, `number`, `int`,
 * `uint`, `bool`, `string[]`, `object[]`, `object`); a trailing `?` also allows null.
 */
export type GoModel = Record<string, string>;

function expectGoValue(value: unknown, type: string, where: string) {
  const nullable = type.endsWith("?");
  const t = nullable ? type.slice(0, -1) : type;
  expect(value, `${where} must be present`).not.toBeUndefined();
  if (value === null) {
    expect(nullable, `${where} is null, the SDK model wants ${t}`).toBe(true);
    return;
  }
  const ok: Record<string, (v: any) => boolean> = {
    string: (v) => typeof v === "string",
    number: (v) => typeof v === "number",
    int: (v) => Number.isInteger(v),
    uint: (v) => Number.isInteger(v) && v >= 0,
    bool: (v) => typeof v === "boolean",
    object: (v) => typeof v === "object" && !Array.isArray(v),
    "string[]": (v) => Array.isArray(v) && v.every((x) => typeof x === "string"),
    "object[]": (v) => Array.isArray(v) && v.every((x) => typeof x === "object" && x !== null && !Array.isArray(x)),
  };
  expect(ok[t]!(value), `${where} = ${JSON.stringify(value)}, the SDK model wants ${t}`).toBe(true);
}

/**
 * The SDK's `Parse…Response`: `JSON200` is filled only for status 200 with a JSON Content-Type,
 * and the body must decode into the generated struct (a wrong type fails the whole call).
 */
export function expectGo(res: Replayed, model: GoModel) {
  expect(res.status, describeRes(res)).toBe(200);
  expect(res.headers.get("Content-Type") ?? "").toContain("json");
  expect(res.json, describeRes(res)).toBeTypeOf("object");
  for (const [f, type] of Object.entries(model)) expectGoValue(res.json[f], type, f);
  return res.json;
}

/** A Go SDK list: `{result: []Model, next_page_token: *string}`. */
export function expectGoList(res: Replayed, model: GoModel) {
  expect(res.status, describeRes(res)).toBe(200);
  expect(res.headers.get("Content-Type") ?? "").toContain("json");
  expectListEnvelope(res);
  for (const item of res.json.result)
    for (const [f, type] of Object.entries(model)) expectGoValue(item[f], type, `result[].${f}`);
  return res.json.result as any[];
}

/**
 * The MCP server: httpx `is_success` (2xx), then `response.json()` (a DELETE may also answer an
 * empty body); the tool returns the whole JSON to the model, so it must be a JSON object.
 */
export function expectMcp(res: Replayed, { emptyOk = false } = {}) {
  expect(res.status, describeRes(res)).toBeGreaterThanOrEqual(200);
  expect(res.status, describeRes(res)).toBeLessThan(300);
  if (emptyOk && res.text === "") return {};
  expect(res.json, describeRes(res)).toBeTypeOf("object");
  return res.json;
}

export function expectMcpList(res: Replayed) {
  expectListEnvelope(res);
  return res.json.result as any[];
}

/** The ignored-fields header of issue 11 item 1, as a set of names. */
export const ignoredFields = (res: Replayed) =>
  new Set(
    (res.headers.get("X-Ignored-Fields") ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );
