// @ts-check
// Plan and usage against limits, as bars (GET /v1.0/customer/usage or /v1.0/customers/{id}/usage).
// A limit of 0 means unlimited: a count, no bar. Where this server has no usage endpoint yet, a
// clear message instead.
import { api, isMissingRoute } from "./api.js";
import { errorBox, h, section, uid } from "./dom.js";

export const PLAN_TYPES = ["free", "basic", "professional", "unlimited"];

/** @param {string} kind */
const labelOf = (kind) => kind.replace(/_/g, " ").replace(/^./, (ch) => ch.toUpperCase());

/** @param {number} bytes */
export function formatBytes(bytes) {
  const units = ["bytes", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/**
 * One bar: a labelled <meter> (count of limit), or the count alone when unlimited.
 * @param {string} name data-resource, for tests and styles
 * @param {string} label
 * @param {number} count
 * @param {number} limit
 * @param {(n: number) => string} [format]
 */
function bar(name, label, count, limit, format = String) {
  const id = uid("usage");
  const text = limit > 0 ? `${format(count)} of ${format(limit)}` : `${format(count)} (no limit)`;
  return h(
    "div",
    { class: "usage-row", "data-resource": name },
    h("label", { for: id }, label),
    limit > 0
      ? h(
          "meter",
          { id, min: "0", max: String(limit), value: String(count), high: String(limit * 0.8), optimum: "0" },
          text,
        )
      : h("output", { id }, "∞"),
    h("span", { class: "usage-text" }, text),
  );
}

/** The bars of a usage answer. @param {any} usage */
export function usageBars(usage) {
  const rows = Object.entries(usage.resources ?? {}).map(([kind, { count, limit }]) =>
    bar(kind, labelOf(kind), count, limit),
  );
  const storage = usage.storage;
  return h(
    "div",
    { class: "usage" },
    h("p", null, "Plan: ", h("strong", { "data-plan": usage.plan_type }, usage.plan_type)),
    rows,
    storage
      ? bar(
          "storage",
          `Storage (${storage.total_file_count} files)`,
          storage.total_file_size,
          storage.quota_bytes,
          formatBytes,
        )
      : null,
  );
}

/**
 * The "Plan and usage" section, loaded from `path`; resolves to the usage, or null when unavailable.
 * @param {string} path
 * @returns {Promise<{ element: HTMLElement, usage: any }>}
 */
export async function usageSection(path) {
  try {
    const usage = await api("GET", path);
    return { element: section("Plan and usage", usageBars(usage)), usage };
  } catch (error) {
    const message = isMissingRoute(error)
      ? h(
          "p",
          { class: "notice", "data-usage": "unavailable" },
          "Plans and usage are not available on this server yet.",
        )
      : errorBox(error);
    return { element: section("Plan and usage", message), usage: null };
  }
}
