// @ts-check
// The operator's customer list: search by email or name, filter by status, keyset pages
// (GET /v1.0/customers). The search lives in the address, so a page can be linked and reloaded.
import { api, query } from "../api.js";
import { errorBox, field, h, replace, section, statusBadge, table, time } from "../dom.js";

const PAGE_SIZE = 20;
const STATUSES = ["initial", "active", "frozen", "deleted", "expired"];

/** @param {HTMLElement} app */
export async function render(app) {
  const params = new URLSearchParams(location.search);
  const q = (params.get("q") ?? "").trim();
  const status = params.get("status") ?? "";
  const pageToken = params.get("page_token") ?? "";

  const search = h(
    "form",
    {
      class: "card search",
      method: "get",
      action: "/console/customers",
      role: "search",
      "aria-label": "Find customers",
    },
    field(
      "Email or name",
      h("input", { name: "q", type: "search", value: q, maxlength: "254" }),
      "An email finds that customer; any other text, the customers whose name contains it.",
    ),
    field(
      "Status",
      h(
        "select",
        { name: "status" },
        h("option", { value: "", selected: status === "" }, "Any but deleted"),
        STATUSES.map((s) => h("option", { value: s, selected: status === s }, s)),
      ),
    ),
    h("button", { type: "submit" }, "Search"),
  );
  const results = h("div", { id: "results" }, h("p", null, "Loading…"));
  replace(app, search, results);

  try {
    const filter = q.includes("@") ? { email: q } : { name: q };
    const page = await api(
      "GET",
      `/v1.0/customers${query({ ...filter, status, page_size: PAGE_SIZE, page_token: pageToken })}`,
    );
    const rows = page.result.map((/** @type {any} */ c) => [
      h("a", { href: `/console/customers/${c.id}` }, c.name || "(no name)"),
      c.email,
      statusBadge(c.status),
      time(c.tm_create),
    ]);
    const here = { q, status };
    replace(
      results,
      section(
        q || status ? "Matching customers" : "Customers, newest first",
        table("Customers", ["Name", "Email", "Status", "Created"], rows, "no customer matches."),
        h(
          "nav",
          { class: "pager", "aria-label": "Pages" },
          pageToken ? h("a", { href: `/console/customers${query(here)}` }, "First page") : null,
          page.next_page_token
            ? h("a", { href: `/console/customers${query({ ...here, page_token: page.next_page_token })}` }, "Next page")
            : null,
        ),
      ),
    );
  } catch (error) {
    replace(results, errorBox(error));
  }
}
