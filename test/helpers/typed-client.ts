import { SELF } from "cloudflare:test";
import createClient, { type Client } from "openapi-fetch";
import type { paths } from "../generated/openapi";

/**
 * A client of this API typed from its own OpenAPI document: test/generated/openapi.d.ts is what
 * openapi-typescript makes of GET /openapi.json (`npm run openapi:types`), and openapi-fetch
 * turns it into `client.GET("/v1.0/agents/{id}", { params: { path: { id } } })`. A path, method,
 * parameter or body field the document does not have is then a type error, so a change that
 * breaks the document breaks `npm run typecheck`, as it would break a generated client.
 *
 * Requests go to the Worker (SELF) as the given transport writes them, so the client replays
 * (test/clients/replay.ts) keep every byte a real client puts on the wire.
 */

export type ApiClient = Client<paths>;
export type { paths };

/** The wire habits of one client: its headers, query encoding and JSON encoding. */
export interface Transport {
  headers?: Record<string, string>;
  /** The query string (without "?") for the call's query parameters; the default is form encoding. */
  query?: (params: Record<string, string>) => string;
  /** The JSON text of a body; the default is JSON.stringify. */
  json?: (body: unknown) => string;
}

/** What came back, as the client saw it on the wire. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or undefined when the body is empty or not JSON. */
  json: any;
}

const answers = new WeakMap<Response, Answer>();
const randomIp = () => `203.0.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`;
const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

const asStrings = (params: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(params)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : String(v)]),
  );

export const BASE = "http://api.test";

export function typedClient(transport: Transport = {}): ApiClient {
  const query = transport.query ?? ((q) => new URLSearchParams(q).toString());
  return createClient<paths>({
    baseUrl: BASE,
    headers: transport.headers,
    querySerializer: (params) => query(asStrings(params as Record<string, unknown>)),
    bodySerializer: transport.json ?? ((body) => JSON.stringify(body)),
    async fetch(request) {
      const headers = new Headers(request.headers);
      // Cloudflare's edge adds the client's address; each call comes from its own (per-IP limits stay out of the way).
      if (!headers.has("CF-Connecting-IP")) headers.set("CF-Connecting-IP", randomIp());
      const body = request.body === null ? undefined : new Uint8Array(await request.arrayBuffer());
      const res = await SELF.fetch(request.url, { method: request.method, headers, body, redirect: "manual" });
      const bytes = new Uint8Array(await res.arrayBuffer());
      const text = new TextDecoder().decode(bytes);
      let json: any;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON
      }
      if (json === null || typeof json !== "object") json = undefined;
      // A fresh Response for openapi-fetch to read, the Answer kept beside it.
      const copy = new Response(NULL_BODY_STATUS.has(res.status) ? null : bytes, {
        status: res.status,
        headers: res.headers,
      });
      answers.set(copy, { status: res.status, headers: res.headers, text, json });
      return copy;
    },
  });
}

/** The wire view of an openapi-fetch result: status, headers, the body's text and its JSON. */
export function answerOf(result: { response: Response }): Answer {
  const answer = answers.get(result.response);
  if (!answer) throw new Error("not a response of typedClient()");
  return answer;
}

/** A typed result's `data` when the call succeeded (2xx); the error body otherwise is in answerOf(). */
export type DataOf<R> = R extends { data?: infer D } ? NonNullable<D> : never;

/**
 * A typed client as a browser or a hand-written client of the contract sends: JSON bodies, the
 * login token (or an access key) as a Bearer header; without one, the public routes only.
 */
export function asUser(token?: string): ApiClient {
  return typedClient({ headers: token ? { Authorization: `Bearer ${token}` } : {} });
}
