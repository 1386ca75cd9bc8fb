// @ts-check
// Sign-in: POST /auth/login sets the HttpOnly `token` cookie that every other page's API calls carry.
import { api } from "../api.js";
import { field, form, h, replace, inputValue } from "../dom.js";

/** Where to go after signing in: only a page of the console (never another site). */
function nextPage() {
  const next = new URLSearchParams(location.search).get("next") ?? "";
  return /^\/console(\/[\w\-/]*)?(\?[\w=&%\-.]*)?$/.test(next) ? next : "/console";
}

/** @param {HTMLElement} app */
export function render(app) {
  const signIn = form(
    { class: "card narrow", "aria-label": "Sign in" },
    async (el) => {
      await api("POST", "/auth/login", {
        username: inputValue(el, "username").trim(),
        password: inputValue(el, "password"),
      });
      location.assign(nextPage());
      return "Signed in.";
    },
    field(
      "Username or email",
      h("input", { name: "username", autocomplete: "username", required: true, autofocus: true }),
    ),
    field(
      "Password",
      h("input", { name: "password", type: "password", autocomplete: "current-password", required: true }),
    ),
    h("button", { type: "submit" }, "Sign in"),
  );
  replace(
    app,
    h(
      "p",
      null,
      "The console of the customer account service: for the platform operator, and for each customer's admin.",
    ),
    signIn,
  );
  // `autofocus` on an element inserted by script is applied at the next rendering update, so a
  // keyboard user who types at once could lose the first keys; focus it now instead.
  /** @type {HTMLInputElement | null} */ (signIn.querySelector('input[name="username"]'))?.focus();
}
