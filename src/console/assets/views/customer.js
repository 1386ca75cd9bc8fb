// @ts-check
// One customer, for the operator: every field, the lifecycle timeline, plan and usage, access keys,
// webhook deliveries and the audit trail, with the operator's actions. Each part is its own API call
// and fails on its own.
import { api } from "../api.js";
import { byId, errorBox, h, replace, section, statusBadge, table, time } from "../dom.js";
import { timeline } from "../timeline.js";
import { usageSection } from "../usage.js";
import { actionsSection } from "./customer-actions.js";
import { deliveryTable } from "./webhooks.js";

/** @param {unknown} value */
function fieldValue(value) {
  if (value === null || value === undefined || value === "") return h("span", { class: "muted" }, "—");
  if (typeof value === "object") {
    return Object.entries(value)
      .map(([k, v]) => `${k}: ${v}`)
      .join(", ");
  }
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}T/.test(value)) return time(value);
  return String(value);
}

/** Every field of the customer, in the API's order. @param {Record<string, unknown>} customer */
const fields = (customer) =>
  h(
    "dl",
    { class: "fields" },
    Object.entries(customer).map(([name, value]) =>
      h("div", null, h("dt", null, name), h("dd", null, fieldValue(value))),
    ),
  );

/**
 * A section filled by one API call, or by its error.
 * @param {string} title
 * @param {string} path
 * @param {(body: any) => HTMLElement} show
 */
async function loaded(title, path, show) {
  try {
    return section(title, show(await api("GET", path)));
  } catch (error) {
    return section(title, errorBox(error));
  }
}

/** @param {HTMLElement} app */
export async function render(app) {
  const id = decodeURIComponent(location.pathname.split("/")[3] ?? "");
  const base = `/v1.0/customers/${encodeURIComponent(id)}`;
  const customer = await api("GET", base);
  const title = customer.name || customer.email || customer.id;
  replace(document.querySelector("h1") ?? app, title);
  document.title = `${title} · VoIPBIN console`;

  const [usage, events, keys, deliveries, audit] = await Promise.all([
    usageSection(`${base}/usage`),
    loaded("Lifecycle", `${base}/events?page_size=100`, (page) => timeline(page.result)),
    loaded("Access keys", `${base}/accesskeys`, (page) =>
      table(
        "Access keys (never the keys themselves)",
        ["Name", "Key starts with", "Created", "Expires"],
        page.result.map((/** @type {any} */ k) => [
          k.name || "(no name)",
          h("code", null, k.token_prefix || "—"),
          time(k.tm_create),
          time(k.tm_expire),
        ]),
        "none.",
      ),
    ),
    loaded("Recent webhook deliveries", `${base}/webhook_deliveries?page_size=20`, (page) =>
      deliveryTable("Webhook delivery attempts, newest first", page.result),
    ),
    loaded("Audit trail", `${base}/audit?page_size=50`, (page) =>
      table(
        "State-changing requests, newest first",
        ["Time", "Action", "By", "Fields", "Answer"],
        page.result.map((/** @type {any} */ e) => [
          time(e.tm_create),
          h("code", null, e.action),
          `${e.actor_kind}${e.actor_permission & 1 ? " (operator)" : ""}`,
          e.changed_fields.join(", ") || "—",
          String(e.status_code),
        ]),
        "none.",
      ),
    ),
  ]);

  replace(
    app,
    h(
      "p",
      { class: "summary" },
      statusBadge(customer.status),
      " ",
      customer.email,
      customer.status === "frozen" ? [" · deletion scheduled for ", time(customer.tm_deletion_scheduled)] : null,
      customer.status === "deleted"
        ? [" · ", h("a", { href: `/console/customers/${customer.id}/deletion` }, "Deletion progress")]
        : null,
    ),
    actionsSection(customer, usage.usage, async (message) => {
      await render(app);
      byId("status").focus();
      return message;
    }),
    section("Details", fields(customer)),
    usage.element,
    events,
    keys,
    deliveries,
    audit,
  );
}
