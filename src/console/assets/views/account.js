// @ts-check
// The customer admin's own account: profile and webhook settings (PUT /v1.0/customer, only the
// fields changed), and plan and usage as bars (GET /v1.0/customer/usage).
import { api } from "../api.js";
import { field, form, h, replace, section, statusBadge, time, inputValue } from "../dom.js";
import { usageSection } from "../usage.js";

/** @type {[string, string][]} */
const PROFILE = [
  ["name", "Name"],
  ["detail", "Detail"],
  ["email", "Email"],
  ["phone_number", "Phone number"],
  ["address", "Address"],
];
const WEBHOOK_METHODS = ["", "POST", "GET", "PUT", "DELETE"];

/**
 * The form's values that differ from the customer's.
 * @param {HTMLFormElement} el
 * @param {any} customer
 * @param {string[]} names
 */
function changes(el, customer, names) {
  /** @type {Record<string, string>} */
  const changed = {};
  for (const name of names) {
    const value = inputValue(el, name);
    if (value !== customer[name]) changed[name] = value;
  }
  return changed;
}

/**
 * A form that saves the fields it shows.
 * @param {string} label
 * @param {any} customer
 * @param {string[]} names
 * @param {HTMLElement[]} controls
 * @param {() => Promise<void>} reload
 */
const settingsForm = (label, customer, names, controls, reload) =>
  form(
    { class: "card", "aria-label": label },
    async (el) => {
      const body = changes(el, customer, names);
      if (Object.keys(body).length === 0) return "Nothing to save: no field changed.";
      await api("PUT", "/v1.0/customer", body);
      await reload();
      return `Saved: ${Object.keys(body).join(", ")}.`;
    },
    controls,
    h("button", { type: "submit" }, `Save ${label.toLowerCase()}`),
  );

/** @param {HTMLElement} app */
export async function render(app) {
  const [customer, usage] = await Promise.all([api("GET", "/v1.0/customer"), usageSection("/v1.0/customer/usage")]);
  const reload = () => render(app);
  const profile = settingsForm(
    "Profile",
    customer,
    PROFILE.map(([name]) => name),
    PROFILE.map(([name, label]) =>
      field(
        label,
        h("input", {
          name,
          value: customer[name],
          type: name === "email" ? "email" : "text",
          autocomplete: name === "email" ? "email" : "off",
        }),
      ),
    ),
    reload,
  );
  const webhook = settingsForm(
    "Webhook settings",
    customer,
    ["webhook_method", "webhook_uri"],
    [
      field(
        "Webhook method",
        h(
          "select",
          { name: "webhook_method" },
          WEBHOOK_METHODS.map((m) => h("option", { value: m, selected: m === customer.webhook_method }, m || "(none)")),
        ),
      ),
      field(
        "Webhook address",
        h("input", { name: "webhook_uri", type: "url", value: customer.webhook_uri, placeholder: "https://…" }),
        "A public https address; events are signed (see Webhooks).",
      ),
    ],
    reload,
  );
  replace(
    app,
    h(
      "p",
      { class: "summary" },
      statusBadge(customer.status),
      ` ${customer.email}`,
      customer.email_verified ? " (verified)" : " (not verified)",
      customer.status === "frozen"
        ? [
            " · deletion scheduled for ",
            time(customer.tm_deletion_scheduled),
            " · ",
            h("a", { href: "/console/account/close" }, "cancel it"),
          ]
        : null,
    ),
    usage.element,
    section("Profile", profile),
    section("Webhook settings", webhook),
  );
}
