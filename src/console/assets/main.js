// @ts-check
// Starts the page's view: the shell (src/console/shell.ts) names it in <body data-view>.
import { api } from "./api.js";
import { byId, errorBox, replace } from "./dom.js";

/** @type {Record<string, () => Promise<{ render: (app: HTMLElement) => Promise<void> | void }>>} */
const views = {
  login: () => import("./views/login.js"),
  customers: () => import("./views/customers.js"),
  customer: () => import("./views/customer.js"),
  deletion: () => import("./views/deletion.js"),
  account: () => import("./views/account.js"),
  keys: () => import("./views/keys.js"),
  webhooks: () => import("./views/webhooks.js"),
  close: () => import("./views/close.js"),
};

async function signOut() {
  try {
    await api("POST", "/auth/logout");
  } finally {
    sessionStorage.clear();
    location.assign("/console/login");
  }
}

async function start() {
  document.getElementById("sign-out")?.addEventListener("click", () => void signOut());
  const load = views[document.body.dataset.view ?? ""];
  if (!load) return; // a page without a view (refused, not found)
  const app = byId("app");
  try {
    const view = await load();
    await view.render(app);
  } catch (error) {
    replace(app, errorBox(error));
  }
}

void start();
