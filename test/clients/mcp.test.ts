import { beforeAll, describe, expect, it } from "vitest";
import { createResource, validBody } from "../helpers/resources";
import { customerWithKey, expectMcp, expectMcpList, ignoredFields, mcp, type Replayed } from "./replay";

/**
 * voipbin/mcp (Python, httpx): every tool that reaches this service, replayed request by
 * request (src/voipbin_mcp/client.py adds `?accesskey=` after the tool's params; `json=` bodies).
 * The tools hand the whole JSON back to the model, so each response must be a 2xx JSON object,
 * and a body field the tool sends must be either applied or named in X-Ignored-Fields.
 */

let client: ReturnType<typeof mcp>;
let customerId: string;

beforeAll(async () => {
  const c = await customerWithKey();
  client = mcp(c.key);
  customerId = c.id;
});

/** Each sent field comes back with the value sent, or the service says it ignored it. */
function expectAppliedOrIgnored(res: Replayed, sent: Record<string, unknown>) {
  const ignored = ignoredFields(res);
  for (const [field, value] of Object.entries(sent)) {
    if (ignored.has(field)) continue;
    expect(res.json[field], `${field} neither applied nor listed in X-Ignored-Fields`).toEqual(value);
  }
}

describe("mcp: customer", () => {
  it("get_customer: GET /v1.0/customer?accesskey=", async () => {
    const body = expectMcp(await client.get("/customer"));
    // The tool's description promises name, billing info and webhook configuration.
    for (const f of ["id", "name", "billing_account_id", "webhook_method", "webhook_uri"])
      expect(body).toHaveProperty([f]);
    expect(body.id).toBe(customerId);
  });
});

describe("mcp: list and get tools (agents, extensions, numbers, queues, tags)", () => {
  const kinds = ["agents", "extensions", "numbers", "queues", "tags"] as const;

  it.each(kinds)("list_%s(page_size=10, page_token=…) pages with next_page_token", async (kind) => {
    const c = await customerWithKey();
    for (let i = 0; i < 3; i++) await createResource(c.token, kind, validBody(kind));
    const cl = mcp(c.key);
    // validate_page_size clamps to 1..100; the tool passes the page_token only when given.
    const first = await cl.get(`/${kind}`, { page_size: "2" });
    const firstItems = expectMcpList(first);
    expect(firstItems).toHaveLength(2);
    expect(first.json.next_page_token).toBeTruthy();
    const second = await cl.get(`/${kind}`, { page_size: "2", page_token: first.json.next_page_token });
    const secondItems = expectMcpList(second);
    expect(secondItems.length).toBeGreaterThanOrEqual(1);
    expect(secondItems.map((r) => r.id)).not.toContain(firstItems[0].id);
  });

  it.each(kinds)("get_%s: GET /v1.0/{kind}/{id}", async (kind) => {
    const c = await customerWithKey();
    const created = await createResource(c.token, kind, validBody(kind));
    const body = expectMcp(await mcp(c.key).get(`/${kind}/${created.id}`));
    expect(body.id).toBe(created.id);
  });
});

describe("mcp: flows", () => {
  // The example of create_flow's docstring.
  const actions = [
    { id: "a1", next_id: "a2", type: "answer", option: {} },
    { id: "a2", next_id: "", type: "hangup", option: {} },
  ];

  it("create_flow, get_flow, update_flow, list_flows, delete_flow", async () => {
    const created = expectMcp(await client.post("/flows", { name: "Answer and hang up", detail: "from mcp", actions }));
    expect(created).toMatchObject({ name: "Answer and hang up", detail: "from mcp" });
    expect(created.actions).toHaveLength(2);
    expect(created.actions[0]).toMatchObject({ type: "answer" });

    expect(expectMcp(await client.get(`/flows/${created.id}`)).actions).toHaveLength(2);

    // update_flow is a full replacement: name, detail and actions, all three always sent.
    const updated = expectMcp(
      await client.put(`/flows/${created.id}`, {
        name: "Hang up",
        detail: "updated",
        actions: [{ id: "b1", next_id: "", type: "hangup", option: {} }],
      }),
    );
    expect(updated).toMatchObject({ name: "Hang up", detail: "updated" });
    expect(updated.actions).toHaveLength(1);

    const listed = expectMcpList(await client.get("/flows", { page_size: "10" }));
    expect(listed.map((f) => f.id)).toContain(created.id);

    expectMcp(await client.delete(`/flows/${created.id}`), { emptyOk: true });
    expect((await client.get(`/flows/${created.id}`)).status).toBe(404);
  });
});

describe("mcp: contacts", () => {
  // create_contact sends only the arguments that are set; phone_numbers/emails in the tool's format.
  const full = {
    first_name: "Jane",
    last_name: "Doe",
    display_name: "Jane D.",
    company: "Example Ltd",
    job_title: "CTO",
    notes: "met at a conference",
    phone_numbers: [{ number: "+14155551234", type: "mobile", is_primary: true }],
    emails: [{ address: "jane@example.com", type: "work", is_primary: true }],
  };

  it("create_contact with every argument: 2xx, each field applied or listed as ignored", async () => {
    const res = await client.post("/contacts", full);
    const body = expectMcp(res);
    expect(body).toMatchObject({
      first_name: "Jane",
      last_name: "Doe",
      display_name: "Jane D.",
      company: "Example Ltd",
      job_title: "CTO",
      notes: "met at a conference",
    });
    expectAppliedOrIgnored(res, full);
  });

  it("create_contact with one argument (display_name only)", async () => {
    const body = expectMcp(await client.post("/contacts", { display_name: "Only a display name" }));
    expect(body.display_name).toBe("Only a display name");
  });

  it("update_contact(fields), get_contact, list_contacts, delete_contact", async () => {
    const created = expectMcp(await client.post("/contacts", { first_name: "Ann", company: "A" }));
    const fields = { job_title: "CEO", notes: "promoted", display_name: "Ann A." };
    const res = await client.put(`/contacts/${created.id}`, fields);
    expect(expectMcp(res)).toMatchObject({ ...fields, first_name: "Ann", company: "A" });

    expect(expectMcp(await client.get(`/contacts/${created.id}`))).toMatchObject(fields);
    expect(expectMcpList(await client.get("/contacts", { page_size: "10" })).map((x) => x.id)).toContain(created.id);

    expectMcp(await client.delete(`/contacts/${created.id}`), { emptyOk: true });
    expect((await client.get(`/contacts/${created.id}`)).status).toBe(404);
  });
});

describe("mcp: errors it maps", () => {
  it("answers 401 for a bad key and 404 for an unknown id (the codes _handle_error maps)", async () => {
    expect((await mcp("vb_" + "x".repeat(32)).get("/customer")).status).toBe(401);
    const missing = await client.get("/agents/00000000-0000-4000-8000-000000000000");
    expect(missing.status).toBe(404);
    expect(missing.json.error.message).toBeTypeOf("string");
  });
});
