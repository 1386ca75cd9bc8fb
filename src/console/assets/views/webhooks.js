// @ts-check
// Webhook deliveries (GET /v1.0/customer/webhook_deliveries) and the signing secret: shown on
// request, copied, and rotated (POST /v1.0/customer/webhook_secret).
import { api } from "../api.js";
import { announce, field, form, h, replace, section, table, time } from "../dom.js";

/**
 * Webhook delivery attempts as a table: the customer's own page and the operator's view of a customer.
 * @param {string} caption
 * @param {any[]} deliveries
 */
export function deliveryTable(caption, deliveries) {
  return table(
    caption,
    ["Time", "Event", "Attempt", "Answer", "Error"],
    deliveries.map((d) => [
      time(d.tm_create),
      h("code", null, d.event_id),
      String(d.attempt),
      d.status_code ? String(d.status_code) : "none",
      d.error || "—",
    ]),
    "none yet.",
  );
}

/** @param {string} secret */
function secretField(secret) {
  const input = /** @type {HTMLInputElement} */ (
    h("input", {
      id: "webhook-secret",
      type: "password",
      readonly: true,
      value: secret,
      autocomplete: "off",
      spellcheck: "false",
    })
  );
  const toggle = h(
    "button",
    { type: "button", class: "secondary", "aria-controls": "webhook-secret", "aria-pressed": "false" },
    "Show",
  );
  toggle.addEventListener("click", () => {
    const shown = input.type === "password";
    input.type = shown ? "text" : "password";
    toggle.setAttribute("aria-pressed", String(shown));
  });
  const copy = h("button", { type: "button", class: "secondary" }, "Copy");
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(input.value);
      announce("The secret is copied to the clipboard.");
    } catch {
      announce("Copying is not allowed here: show the secret and copy it with your keyboard.");
    }
  });
  return h("div", null, field("Signing secret", input), h("div", { class: "buttons" }, toggle, copy));
}

/** @param {HTMLElement} app */
export async function render(app) {
  const [customer, deliveries] = await Promise.all([
    api("GET", "/v1.0/customer"),
    api("GET", "/v1.0/customer/webhook_deliveries?page_size=50"),
  ]);
  const rotate = form(
    { class: "card", "aria-label": "Rotate the signing secret" },
    async () => {
      await api("POST", "/v1.0/customer/webhook_secret");
      await render(app);
      return "Rotated. For 24 hours deliveries carry signatures of both the new and the previous secret.";
    },
    h(
      "p",
      null,
      "Rotate when the secret may have leaked. Update your receiver within 24 hours: until then both secrets sign.",
    ),
    h("button", { type: "submit", class: "warning" }, "Rotate the secret"),
  );
  replace(
    app,
    section(
      "Where events go",
      h(
        "p",
        null,
        customer.webhook_uri
          ? [h("code", null, customer.webhook_method), " ", h("code", null, customer.webhook_uri)]
          : "No webhook address is set.",
        " ",
        h("a", { href: "/console/account" }, "Change it"),
      ),
    ),
    section(
      "Signing secret",
      customer.webhook_secret
        ? secretField(customer.webhook_secret)
        : h("p", null, "No secret is shown to this credential."),
      rotate,
    ),
    section("Deliveries", deliveryTable("Delivery attempts, newest first", deliveries.result)),
  );
}
