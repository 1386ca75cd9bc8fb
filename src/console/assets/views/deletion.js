// @ts-check
// A permanent deletion's cascade, live: GET /v1.0/customers/{id}/deletion every second, per kind,
// until the receipt says finished (a failed job is retried by the service, so it keeps watching).
import { api } from "../api.js";
import { announce, errorBox, h, replace, section, table, time } from "../dom.js";

const POLL_MS = 1000;
const FAILED_POLL_MS = 5000;

/** @param {string} kind */
const labelOf = (kind) => kind.replace(/_/g, " ").replace(/^./, (ch) => ch.toUpperCase());

/** @param {any} receipt */
function progress(receipt) {
  const kinds = Object.keys(receipt.remaining);
  const done = kinds.filter((k) => receipt.remaining[k] === 0).length;
  const rows = kinds.map((kind) => {
    const deleted = receipt.deleted[kind] ?? 0;
    const remaining = receipt.remaining[kind];
    const total = deleted + remaining;
    return [
      labelOf(kind),
      String(deleted),
      String(remaining),
      h("progress", {
        max: String(Math.max(total, 1)),
        value: String(total === 0 ? 1 : deleted),
        "aria-label": `${labelOf(kind)} deleted`,
      }),
    ];
  });
  return h(
    "div",
    { "data-status": receipt.status },
    h(
      "p",
      { class: "summary" },
      h("span", { class: `badge badge-${receipt.status}` }, receipt.status),
      ` · ${done} of ${kinds.length} kinds done · started `,
      time(receipt.tm_start),
      receipt.tm_finish ? [" · finished ", time(receipt.tm_finish)] : null,
    ),
    table("Rows removed, by kind", ["Kind", "Deleted", "Remaining", "Progress"], rows),
    h("p", null, `Storage objects removed: ${receipt.deleted.storage_objects ?? 0}.`),
  );
}

/** @param {HTMLElement} app */
export async function render(app) {
  const id = decodeURIComponent(location.pathname.split("/")[3] ?? "");
  const body = h("div", { id: "receipt" }, h("p", null, "Loading…"));
  replace(
    app,
    h("p", null, h("a", { href: `/console/customers/${encodeURIComponent(id)}` }, "Back to the customer")),
    section("Cascade", body),
  );
  let last = "";
  for (;;) {
    let wait = POLL_MS;
    try {
      const receipt = await api("GET", `/v1.0/customers/${encodeURIComponent(id)}/deletion`);
      replace(body, progress(receipt));
      // Said once per change of status, not on every refresh.
      if (receipt.status !== last) announce(`Deletion ${receipt.status}.`);
      last = receipt.status;
      if (receipt.status === "finished") return;
      if (receipt.status === "failed") wait = FAILED_POLL_MS;
    } catch (error) {
      replace(body, errorBox(error));
      wait = FAILED_POLL_MS;
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
