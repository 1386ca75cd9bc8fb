/**
 * The console's pages: each is one HTML shell (src/console/shell.ts) whose script renders it from
 * the API. `who` is who may open it; the shell is refused to anyone else, and the API refuses their
 * calls in any case: the page gate is for a clear answer, not the protection.
 */
export type Role = "operator" | "admin";

export interface ConsolePage {
  /** Route pattern under /console (hono syntax). */
  path: string;
  /** The name main.js dispatches on. */
  view: string;
  title: string;
  who: Role | "anyone";
}

export const CONSOLE_PATH = "/console";
/** Keep in step with scripts/copy-console-assets.mjs. */
export const CONSOLE_ASSETS_PATH = "/console-assets";

export const consolePages: ConsolePage[] = [
  { path: "/console/login", view: "login", title: "Sign in", who: "anyone" },
  { path: "/console/customers", view: "customers", title: "Customers", who: "operator" },
  { path: "/console/customers/:id", view: "customer", title: "Customer", who: "operator" },
  { path: "/console/customers/:id/deletion", view: "deletion", title: "Deletion progress", who: "operator" },
  { path: "/console/account", view: "account", title: "Your account", who: "admin" },
  { path: "/console/account/keys", view: "keys", title: "Access keys", who: "admin" },
  { path: "/console/account/webhooks", view: "webhooks", title: "Webhooks", who: "admin" },
  { path: "/console/account/close", view: "close", title: "Close the account", who: "admin" },
];

/** Where each role starts, and the navigation it sees. */
export const home: Record<Role, string> = { operator: "/console/customers", admin: "/console/account" };

export const navigation: Record<Role, { href: string; label: string }[]> = {
  operator: [{ href: "/console/customers", label: "Customers" }],
  admin: [
    { href: "/console/account", label: "Account" },
    { href: "/console/account/keys", label: "Access keys" },
    { href: "/console/account/webhooks", label: "Webhooks" },
    { href: "/console/account/close", label: "Close account" },
  ],
};

export const roleNames: Record<Role, string> = {
  operator: "the platform operator (project super admin)",
  admin: "a customer's admin (CustomerAdmin)",
};
