// @ts-check
// The customer admin's access keys: create one (its key shown once, with a copy button) and revoke.
import { api } from "../api.js";
import { announce, errorBox, field, form, h, replace, section, table, time, inputValue } from "../dom.js";

const DAY = 24 * 3600;

/** The new key, once: it is never shown again, and leaves the page when dismissed. @param {any} key */
function shownOnce(key) {
  const input = /** @type {HTMLInputElement} */ (
    h("input", { id: "new-key", readonly: true, value: key.token, spellcheck: "false", autocomplete: "off" })
  );
  const panel = h(
    "div",
    { class: "card once", role: "region", "aria-label": "Your new access key" },
    h("h3", null, `Your new access key “${key.name}”`),
    h(
      "p",
      null,
      h("strong", null, "Copy it now: it is shown only this once."),
      " Only its first characters are kept for display.",
    ),
    field("Access key", input),
    h(
      "div",
      { class: "buttons" },
      h(
        "button",
        {
          type: "button",
          onclick: async () => {
            try {
              await navigator.clipboard.writeText(input.value);
              announce("The key is copied to the clipboard.");
            } catch {
              input.select();
              announce("Copying is not allowed here: the key is selected, copy it with your keyboard.");
            }
          },
        },
        "Copy",
      ),
      h("button", { type: "button", class: "secondary", onclick: () => panel.remove() }, "Done, hide it"),
    ),
  );
  return panel;
}

/**
 * Revoke with a second, explicit step in place of the button.
 * @param {any} key
 * @param {() => Promise<void>} reload
 */
function revokeCell(key, reload) {
  const cell = h("div", { class: "buttons" });
  const ask = () =>
    replace(
      cell,
      h(
        "button",
        {
          type: "button",
          class: "danger",
          onclick: async () => {
            try {
              await api("DELETE", `/v1.0/accesskeys/${key.id}`);
              await reload();
              announce(`Revoked “${key.name}”: it no longer works.`);
            } catch (error) {
              replace(cell, errorBox(error));
            }
          },
        },
        `Yes, revoke “${key.name}”`,
      ),
      h("button", { type: "button", class: "secondary", onclick: () => replace(cell, initial()) }, "Keep it"),
    );
  const initial = () => h("button", { type: "button", class: "secondary", onclick: ask }, `Revoke “${key.name}”`);
  replace(cell, initial());
  return cell;
}

/** @param {HTMLElement} app */
export async function render(app) {
  const list = h("div", { id: "keys" });
  const once = h("div", { id: "once" });
  const reload = async () => {
    const page = await api("GET", "/v1.0/accesskeys");
    replace(
      list,
      table(
        "Access keys",
        ["Name", "Detail", "Key starts with", "Created", "Expires", "Revoke"],
        page.result.map((/** @type {any} */ k) => [
          k.name || "(no name)",
          k.detail || "—",
          h("code", null, k.token_prefix || "—"),
          time(k.tm_create),
          time(k.tm_expire),
          revokeCell(k, reload),
        ]),
        "none yet.",
      ),
    );
  };
  const create = form(
    { class: "card", "aria-label": "Create an access key" },
    async (el) => {
      const key = await api("POST", "/v1.0/accesskeys", {
        name: inputValue(el, "name").trim(),
        detail: inputValue(el, "detail").trim(),
        expire: Math.round(Number(inputValue(el, "days")) * DAY),
      });
      el.reset();
      replace(once, shownOnce(key));
      await reload();
      /** @type {HTMLInputElement} */ (document.getElementById("new-key")).focus();
      return `Created “${key.name}”. Copy the key now.`;
    },
    field("Name", h("input", { name: "name", required: true, maxlength: "255" })),
    field("Detail", h("input", { name: "detail", maxlength: "255" })),
    field(
      "Valid for (days)",
      h("input", { name: "days", type: "number", min: "1", max: "3650", value: "365", required: true }),
    ),
    h("button", { type: "submit" }, "Create access key"),
  );
  replace(
    app,
    h(
      "p",
      null,
      "An access key acts as this account's admin: give each program its own, and revoke the ones you no longer use.",
    ),
    once,
    section("Create an access key", create),
    section("Your access keys", list),
  );
  await reload();
}
