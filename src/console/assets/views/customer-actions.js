// @ts-check
// The operator's actions on one customer: freeze or recover, identity verification, plan, balance,
// and permanent deletion behind a typed confirmation of the customer's name.
import { api } from "../api.js";
import { field, h, inputValue, section, time, titledForm } from "../dom.js";
import { PLAN_TYPES } from "../usage.js";

const ZERO_UUID = "00000000-0000-0000-0000-000000000000";
const IDENTITY_STATUSES = ["none", "pending", "verified", "rejected"];

/** @typedef {(message: string) => Promise<string>} Reload re-renders the page, then says `message` */

/** @param {any} customer @param {Reload} reload */
function lifecycleForm(customer, reload) {
  const base = `/v1.0/customers/${customer.id}`;
  if (customer.status === "frozen") {
    return titledForm(
      "Lifecycle",
      async () => {
        await api("POST", `${base}/recover`);
        return reload("Recovered: the customer is active again.");
      },
      h("p", null, "Frozen; permanent deletion is scheduled for ", time(customer.tm_deletion_scheduled), "."),
      h("button", { type: "submit" }, "Recover"),
    );
  }
  if (customer.status !== "active" && customer.status !== "initial") return null;
  return titledForm(
    "Lifecycle",
    async () => {
      const frozen = await api("POST", `${base}/freeze`);
      return reload(`Frozen: deletion scheduled for ${new Date(frozen.tm_deletion_scheduled).toLocaleString()}.`);
    },
    h(
      "p",
      null,
      "Freezing stops every write and schedules permanent deletion after the grace period; it can be recovered until then.",
    ),
    h("button", { type: "submit", class: "warning" }, "Freeze"),
  );
}

/** @param {any} customer @param {Reload} reload */
const identityForm = (customer, reload) =>
  titledForm(
    "Identity",
    async (el) => {
      const value = inputValue(el, "identity_verification_status");
      await api("PUT", `/v1.0/customers/${customer.id}/identity_verification_status`, {
        identity_verification_status: value,
      });
      return reload(`Identity verification set to ${value}.`);
    },
    field(
      "Identity verification",
      h(
        "select",
        { name: "identity_verification_status" },
        IDENTITY_STATUSES.map((s) =>
          h("option", { value: s, selected: s === customer.identity_verification_status }, s),
        ),
      ),
    ),
    h("button", { type: "submit" }, "Save verification"),
  );

/** The plan is its default billing account's plan_type. @param {any} customer @param {any} usage @param {Reload} reload */
function planForm(customer, usage, reload) {
  const notice = (/** @type {string} */ text) =>
    h("div", { class: "card" }, h("h3", null, "Plan"), h("p", { class: "notice" }, text));
  if (!usage) return notice("Plans are not available on this server yet.");
  if (customer.billing_account_id === ZERO_UUID) {
    return notice(
      `Plan: ${usage.plan_type}. The customer has no default billing account, which is where a plan is set.`,
    );
  }
  return titledForm(
    "Plan",
    async (el) => {
      const plan = inputValue(el, "plan_type");
      await api("PUT", `/v1.0/billing_accounts/${customer.billing_account_id}/plan_type`, { plan_type: plan });
      return reload(`Plan set to ${plan}.`);
    },
    field(
      "Plan type",
      h(
        "select",
        { name: "plan_type" },
        PLAN_TYPES.map((p) => h("option", { value: p, selected: p === usage.plan_type }, p)),
      ),
      "Set on the customer's default billing account.",
    ),
    h("button", { type: "submit" }, "Set plan"),
  );
}

/** @param {any} customer */
function balanceForm(customer) {
  if (customer.billing_account_id === ZERO_UUID) return null;
  return titledForm(
    "Balance",
    async (el, submitter) => {
      const amount = Number(inputValue(el, "amount"));
      const op = submitter?.getAttribute("value") === "subtract" ? "subtract" : "add";
      const account = await api("POST", `/v1.0/billing_accounts/${customer.billing_account_id}/balance_${op}_force`, {
        balance: amount,
      });
      return `${op === "add" ? "Added" : "Subtracted"} ${amount}: the balance is now ${account.balance}.`;
    },
    field(
      "Amount",
      h("input", { name: "amount", type: "number", min: "0", step: "0.01", required: true, inputmode: "decimal" }),
      "Forced: the default billing account's balance may go below zero.",
    ),
    h(
      "div",
      { class: "buttons" },
      h("button", { type: "submit", value: "add" }, "Add to balance"),
      h("button", { type: "submit", value: "subtract", class: "secondary" }, "Subtract from balance"),
    ),
  );
}

/** @param {any} customer */
function deleteForm(customer) {
  // The name is what is typed; a customer without one is confirmed by its id.
  const confirmation = customer.name || customer.id;
  const button = /** @type {HTMLButtonElement} */ (
    h("button", { type: "submit", class: "danger", disabled: true }, "Delete permanently")
  );
  const input = h("input", { name: "confirm", autocomplete: "off", spellcheck: "false" });
  input.addEventListener("input", () => {
    button.disabled = /** @type {HTMLInputElement} */ (input).value !== confirmation;
  });
  const removal = titledForm(
    "Delete permanently",
    async (el) => {
      if (inputValue(el, "confirm") !== confirmation) throw new Error("The confirmation does not match.");
      await api("DELETE", `/v1.0/customers/${customer.id}`);
      location.assign(`/console/customers/${customer.id}/deletion`);
      return "Deleted: following the cascade.";
    },
    h(
      "p",
      null,
      "Permanent and immediate: credentials stop at once, personal data is anonymized and every resource is removed.",
    ),
    field(`Type “${confirmation}” to confirm`, input),
    button,
  );
  removal.classList.add("danger-zone");
  return removal;
}

/**
 * @param {any} customer
 * @param {any} usage null when this server has no plans
 * @param {Reload} reload
 */
export function actionsSection(customer, usage, reload) {
  if (customer.status === "deleted" || customer.status === "expired") {
    return section("Actions", h("p", null, `The customer is ${customer.status}: nothing more can be done to it.`));
  }
  return section(
    "Actions",
    h(
      "div",
      { class: "actions" },
      lifecycleForm(customer, reload),
      identityForm(customer, reload),
      planForm(customer, usage, reload),
      balanceForm(customer),
      deleteForm(customer),
    ),
  );
}
