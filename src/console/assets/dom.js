// @ts-check
// A few DOM helpers for the views: elements are built with h() and text goes in as text nodes,
// never as HTML, so nothing the API returns can inject markup.

/** @typedef {string | number | Node | null | undefined | false} Child */
/** @typedef {Record<string, unknown>} Props */

/**
 * An element. Props: `on<event>` adds a listener; `checked`, `disabled`, `hidden`, `selected` set
 * the property; anything else is an attribute (skipped when null, undefined or false), `value`
 * included, so that a form's reset() returns to it.
 * @param {string} tag
 * @param {Props | null} [props]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElement}
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    } else if (["checked", "disabled", "hidden", "selected"].includes(key)) {
      /** @type {any} */ (el)[key] = value;
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

/**
 * @param {Node} parent
 * @param {(Child | Child[])[]} children
 */
function append(parent, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

/**
 * Replaces an element's content.
 * @param {Element} el
 * @param {...(Child | Child[])} children
 */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** @param {string} id */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el;
}

let counter = 0;
/** A fresh element id, for label/for and aria pairs. @param {string} prefix */
export const uid = (prefix) => `${prefix}-${++counter}`;

/**
 * A time as a <time> element in the reader's locale (the ISO text stays in `datetime`).
 * @param {string | null | undefined} iso
 */
export function time(iso) {
  if (!iso) return h("span", null, "—");
  const date = new Date(iso);
  return h("time", { datetime: iso }, Number.isNaN(date.getTime()) ? iso : date.toLocaleString());
}

/**
 * A labelled field: the label, then the control (given an id that the label names).
 * @param {string} label
 * @param {HTMLElement} control
 * @param {string} [hint]
 */
export function field(label, control, hint) {
  const id = control.id || uid("field");
  control.id = id;
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) control.setAttribute("aria-describedby", hintId);
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    control,
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
  );
}

/**
 * A table with a caption and header cells, inside a region that scrolls sideways on narrow screens
 * (focusable, so the keyboard can scroll it too).
 * @param {string} caption
 * @param {string[]} headers
 * @param {(Child | Child[])[][]} rows
 * @param {string} [empty] what to say when there are no rows
 */
export function table(caption, headers, rows, empty = "None.") {
  if (rows.length === 0) return h("p", { class: "empty" }, `${caption}: ${empty}`);
  return h(
    "div",
    { class: "table-wrap", role: "region", "aria-label": caption, tabindex: "0" },
    h(
      "table",
      null,
      h("caption", null, caption),
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          headers.map((text) => h("th", { scope: "col" }, text)),
        ),
      ),
      h(
        "tbody",
        null,
        rows.map((cells) =>
          h(
            "tr",
            null,
            cells.map((cell) => h("td", null, cell)),
          ),
        ),
      ),
    ),
  );
}

/** A section with its heading. @param {string} title @param {...(Child | Child[])} children */
export function section(title, ...children) {
  const id = uid("section");
  return h("section", { "aria-labelledby": id }, h("h2", { id }, title), ...children);
}

/** Says something in the page's status region (read out by screen readers). @param {string} message */
export function announce(message) {
  replace(byId("status"), message);
}

/**
 * An error where the user looks: a message box, announced at once.
 * @param {unknown} error
 */
export function errorBox(error) {
  return h("p", { class: "error", role: "alert" }, messageOf(error));
}

/** The text to show for an error: the API envelope's message, never its JSON. @param {unknown} error */
export const messageOf = (error) => (error instanceof Error ? error.message : String(error));

/**
 * Runs a form's action with its buttons disabled, showing the outcome beside the form (and in the
 * status region, which outlives a view that re-renders itself).
 * @param {HTMLFormElement} form
 * @param {() => Promise<string | void>} action resolves to a success message, if any
 */
export async function submitting(form, action) {
  const buttons = [...form.querySelectorAll("button")];
  const out = form.querySelector(".outcome") ?? form.appendChild(h("div", { class: "outcome" }));
  const enabled = buttons.filter((b) => !b.disabled);
  for (const b of enabled) b.disabled = true;
  replace(out);
  try {
    const message = await action();
    if (message) {
      replace(out, h("p", { class: "ok" }, message));
      announce(message);
    }
  } catch (error) {
    replace(out, errorBox(error));
  } finally {
    for (const b of enabled) b.disabled = false;
  }
}

/**
 * A form that calls `action` on submit (never the browser's own submission); `action` gets the
 * button that submitted it, for forms with more than one.
 * @param {Props} props
 * @param {(form: HTMLFormElement, submitter: HTMLElement | null) => Promise<string | void>} action
 * @param {...(Child | Child[])} children
 */
export function form(props, action, ...children) {
  const el = /** @type {HTMLFormElement} */ (h("form", props, ...children));
  el.addEventListener("submit", (event) => {
    event.preventDefault();
    void submitting(el, () => action(el, event.submitter));
  });
  return el;
}

/**
 * A card with a heading that names the form in it (for assistive technology too).
 * @param {string} title
 * @param {(form: HTMLFormElement, submitter: HTMLElement | null) => Promise<string | void>} action
 * @param {...(Child | Child[])} children
 */
export function titledForm(title, action, ...children) {
  const id = uid("form");
  return form({ class: "card", "aria-labelledby": id }, action, h("h3", { id }, title), ...children);
}

/** A form control's current value by name. @param {HTMLFormElement} form @param {string} name */
export function inputValue(form, name) {
  const control = form.elements.namedItem(name);
  return control instanceof HTMLInputElement ||
    control instanceof HTMLSelectElement ||
    control instanceof HTMLTextAreaElement
    ? control.value
    : "";
}

/** @param {string} status */
export const statusBadge = (status) => h("span", { class: `badge badge-${status}` }, status);
