// @ts-check
// Closing the account: unregister (frozen, deleted after the grace period, with a live countdown
// and cancel), or immediate permanent deletion with the phrase DELETE and the password.
import { api } from "../api.js";
import { field, form, h, replace, section, time, inputValue } from "../dom.js";

const PHRASE = "DELETE";

/** "12 days 3 h 4 min 5 s" until `target`. @param {number} ms */
export function remaining(ms) {
  if (ms <= 0) return "any moment now";
  const s = Math.floor(ms / 1000);
  /** @type {[number, string][]} */
  const parts = [
    [Math.floor(s / 86400), "days"],
    [Math.floor((s % 86400) / 3600), "h"],
    [Math.floor((s % 3600) / 60), "min"],
    [s % 60, "s"],
  ];
  return parts
    .filter(([n], i) => n > 0 || i === parts.length - 1)
    .map(([n, unit]) => `${n} ${unit}`)
    .join(" ");
}

/** A countdown that ticks every second (role=timer: not read out on each tick). @param {string} iso */
function countdown(iso) {
  const target = Date.parse(iso);
  const out = h("span", { role: "timer", "aria-live": "off", class: "countdown" }, remaining(target - Date.now()));
  const timer = setInterval(() => {
    if (!out.isConnected) return clearInterval(timer);
    out.textContent = remaining(target - Date.now());
  }, 1000);
  return out;
}

/** @param {HTMLElement} app */
export async function render(app) {
  const customer = await api("GET", "/v1.0/customer");
  const reload = () => render(app);

  const grace =
    customer.status === "frozen"
      ? form(
          { class: "card", "aria-label": "Cancel unregister" },
          async () => {
            await api("DELETE", "/auth/unregister");
            await reload();
            return "Unregister cancelled: the account is active again.";
          },
          h(
            "p",
            null,
            "The account is frozen. It will be deleted permanently on ",
            time(customer.tm_deletion_scheduled),
            ", in ",
            countdown(customer.tm_deletion_scheduled),
            ".",
          ),
          h("button", { type: "submit" }, "Cancel unregister"),
        )
      : form(
          { class: "card", "aria-label": "Unregister" },
          async (el) => {
            await api("POST", "/auth/unregister", { password: inputValue(el, "password") });
            await reload();
            return "Unregistered: the account is frozen until the grace period ends.";
          },
          h(
            "p",
            null,
            "Unregistering freezes the account now and deletes it after the grace period. You can cancel until then.",
          ),
          field(
            "Your password",
            h("input", { name: "password", type: "password", autocomplete: "current-password", required: true }),
          ),
          h("button", { type: "submit", class: "warning" }, "Unregister"),
        );

  const immediate = form(
    { class: "card danger-zone", "aria-label": "Delete the account now" },
    async (el) => {
      const phrase = inputValue(el, "confirmation_phrase");
      if (phrase !== PHRASE) throw new Error(`Type ${PHRASE} exactly to confirm.`);
      await api("POST", "/auth/unregister", {
        password: inputValue(el, "password"),
        confirmation_phrase: phrase,
        immediate: true,
      });
      await api("POST", "/auth/logout").catch(() => undefined);
      replace(
        app,
        h(
          "p",
          { class: "ok", role: "alert" },
          "The account is deleted: its data is anonymized and its resources are being removed.",
        ),
        h("p", null, h("a", { href: "/console/login" }, "Sign in with another account")),
      );
    },
    h("p", null, "Permanent, now: every resource is removed and personal data anonymized. This cannot be undone."),
    field(
      "Your password",
      h("input", { name: "password", type: "password", autocomplete: "current-password", required: true }),
    ),
    field(
      `Type ${PHRASE} to confirm`,
      h("input", { name: "confirmation_phrase", autocomplete: "off", spellcheck: "false", required: true }),
    ),
    h("button", { type: "submit", class: "danger" }, "Delete the account now"),
  );

  replace(app, section("Unregister", grace), section("Delete immediately", immediate));
}
