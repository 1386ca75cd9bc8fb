// @ts-check
// The console's only way to the server: the public API, with the browser's `token` cookie, as any
// other client would call it. Failures become ApiFailure with the error envelope's message.

/** The API's answer other than 2xx: its envelope's message, status and reason. */
export class ApiFailure extends Error {
  /**
   * @param {number} status
   * @param {string} reason
   * @param {string} message
   */
  constructor(status, reason, message) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}

// D1 read replication: sending back the last bookmark makes every read see this browser's own
// writes (README, "Read replication and consistency"). Kept for the tab's life.
const BOOKMARK = "x-d1-bookmark";

/**
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body] sent as JSON
 * @returns {Promise<any>}
 */
export async function api(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = { Accept: "application/json" };
  const bookmark = sessionStorage.getItem(BOOKMARK);
  if (bookmark) headers[BOOKMARK] = bookmark;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new ApiFailure(0, "NETWORK", "The server could not be reached. Check the connection and try again.");
  }
  const next = res.headers.get(BOOKMARK);
  if (next) sessionStorage.setItem(BOOKMARK, next);
  const text = await res.text();
  /** @type {any} */
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: handled below
  }
  if (res.ok) return data;
  const error = data && typeof data === "object" ? data.error : null;
  if (res.status === 401 && path !== "/auth/login" && location.pathname !== "/console/login") {
    // The session ended (signed out elsewhere, password changed, account deleted): sign in again.
    location.assign(`/console/login?next=${encodeURIComponent(location.pathname + location.search)}`);
  }
  throw new ApiFailure(
    res.status,
    typeof error?.reason === "string" ? error.reason : "",
    typeof error?.message === "string" && error.message ? error.message : `The server answered ${res.status}.`,
  );
}

/** Whether a failure says that this server has no such route (a feature not deployed yet). @param {unknown} error */
export const isMissingRoute = (error) =>
  error instanceof ApiFailure && error.status === 404 && error.reason === "ROUTE_NOT_FOUND";

/** A query string from the defined, non-empty values. @param {Record<string, string | number | undefined>} params */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== "") search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : "";
}
