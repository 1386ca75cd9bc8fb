import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { ResourceKind } from "../../src/db/owned";
import { fetchWithDb, seamD1, writesTo } from "../helpers/d1-seam";
import {
  adminLogin,
  api,
  type ApiResponse,
  createCustomer,
  expectError,
  type TestCustomer,
  ZERO_UUID,
} from "../helpers";
import { countRows } from "../helpers/lifecycle";
import { setPlan } from "../helpers/plans";
import { createResource, validBody } from "../helpers/resources";

// Issue 21 #6: a field that names one of the customer's resources (a tag, a flow) takes only an
// existing resource of the same customer: another customer's id, or one that does not exist, is a
// 404 and nothing is written. The check is in the writing statement itself, so a deletion racing
// the write leaves no dangling reference; deleting a tag or flow clears the references to it.

let a: TestCustomer;
let b: TestCustomer;
const own = { tag: "", tag2: "", flow: "", flow2: "" };
const foreign = { tag: "", flow: "" };

beforeAll(async () => {
  [a, b] = await Promise.all([createCustomer(), createCustomer()]);
  // More queues, trunks and numbers than the free plan allows (test/plans/limits.test.ts).
  await Promise.all([setPlan(a, "unlimited"), setPlan(b, "unlimited")]);
  [own.tag, own.tag2, own.flow, own.flow2, foreign.tag, foreign.flow] = (
    await Promise.all([
      createResource(a.token, "tags"),
      createResource(a.token, "tags"),
      createResource(a.token, "flows"),
      createResource(a.token, "flows"),
      createResource(b.token, "tags"),
      createResource(b.token, "flows"),
    ])
  ).map((r) => r.id);
});

type Target = "tag" | "flow";

interface RefWrite {
  kind: ResourceKind;
  field: string;
  target: Target;
  /** Makes the request naming `id`; `row` is a resource of the kind made for the case (updates). */
  write(id: unknown, row: { id: string }): Promise<ApiResponse>;
  /** A create: the row count of the kind is what shows nothing was written. */
  creates?: boolean;
  list?: boolean;
  /** The route, when it is not the kind's own create or update. */
  via?: string;
}

const post = (kind: string, body: Record<string, unknown>) => api("POST", `/v1.0/${kind}`, { token: a.token, body });
const put = (path: string, body: Record<string, unknown>) => api("PUT", path, { token: a.token, body });
const asList = (id: unknown) => (id === null || Array.isArray(id) ? id : [id]);

const WRITES: RefWrite[] = [
  ...(["agents", "queues", "contacts"] as const).flatMap((kind): RefWrite[] => [
    {
      kind,
      field: "tag_ids",
      target: "tag",
      list: true,
      creates: true,
      write: (id) => post(kind, { ...validBody(kind), tag_ids: asList(id) }),
    },
    {
      kind,
      field: "tag_ids",
      target: "tag",
      list: true,
      write: (id, row) => put(`/v1.0/${kind}/${row.id}`, { tag_ids: asList(id) }),
    },
  ]),
  ...(["agents", "queues"] as const).map(
    (kind): RefWrite => ({
      kind,
      field: "tag_ids",
      target: "tag",
      list: true,
      via: "PUT …/tag_ids",
      write: (id, row) => put(`/v1.0/${kind}/${row.id}/tag_ids`, { tag_ids: asList(id) }),
    }),
  ),
  {
    kind: "contacts",
    field: "tag_ids",
    target: "tag",
    list: true,
    via: "POST …/tags",
    write: (id, row) => api("POST", `/v1.0/contacts/${row.id}/tags`, { token: a.token, body: { tag_id: id } }),
  },
  ...(
    [
      ["numbers", "call_flow_id"],
      ["numbers", "message_flow_id"],
      ["flows", "on_complete_flow_id"],
      ["queues", "wait_flow_id"],
      ["transcriptions", "on_end_flow_id"],
    ] as const
  ).flatMap(([kind, field]): RefWrite[] => [
    { kind, field, target: "flow", creates: true, write: (id) => post(kind, { ...validBody(kind), [field]: id }) },
    { kind, field, target: "flow", write: (id, row) => put(`/v1.0/${kind}/${row.id}`, { [field]: id }) },
  ]),
  ...(["call_flow_id", "message_flow_id"] as const).map(
    (field): RefWrite => ({
      kind: "numbers",
      field,
      target: "flow",
      via: "PUT …/flow_ids",
      write: (id, row) => put(`/v1.0/numbers/${row.id}/flow_ids`, { [field]: id }),
    }),
  ),
  {
    kind: "transcriptions",
    field: "on_end_flow_id",
    target: "flow",
    via: "PUT /v1.0/transcribes/{id}",
    write: (id, row) => put(`/v1.0/transcribes/${row.id}`, { on_end_flow_id: id }),
  },
];

const label = (w: RefWrite) => `${w.creates ? "create" : "change"} ${w.kind}.${w.field}${w.via ? ` (${w.via})` : ""}`;

const stored = async (kind: ResourceKind, id: string) =>
  (await api("GET", `/v1.0/${kind}/${id}`, { token: a.token })).body;

describe.each(WRITES.map((w) => [label(w), w] as const))("%s", (_label, w) => {
  const ownId = () => (w.target === "tag" ? own.tag : own.flow);

  it("another customer's id, or one that does not exist: 404 naming the field, nothing written", async () => {
    const row = await createResource(a.token, w.kind);
    for (const id of [w.target === "tag" ? foreign.tag : foreign.flow, crypto.randomUUID()]) {
      const rowsBefore = await countRows(w.kind, a.id);
      const res = await w.write(id, row);
      expectError(res, 404, "NOT_FOUND");
      expect(res.body.error.details).toEqual([{ field: w.field, description: expect.any(String) }]);
      expect(await countRows(w.kind, a.id)).toBe(rowsBefore);
      expect(await stored(w.kind, row.id)).toEqual(row);
    }
  });

  it("its own id (in any case) is stored, in lower case; the unset values keep working", async () => {
    const row = await createResource(a.token, w.kind);
    const mine = await w.write(ownId().toUpperCase(), row);
    expect(mine.status, JSON.stringify(mine.body)).toBe(200);
    expect(mine.body[w.field]).toEqual(w.list ? [ownId()] : ownId());
    expect((await stored(w.kind, mine.body.id))[w.field]).toEqual(mine.body[w.field]);
    // The clients' "none": "" and the zero UUID for an id, [] and null for a list (POST …/tags has none).
    if (w.via === "POST …/tags") return;
    for (const unset of w.list ? [[], null] : ["", ZERO_UUID, null]) {
      const res = await w.write(unset, row);
      expect(res.status, `${JSON.stringify(unset)}: ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.body[w.field]).toEqual(w.list ? [] : ZERO_UUID);
    }
  });
});

describe("deleting a tag or a flow clears the references to it, in the same statement", () => {
  const referencing: [ResourceKind, string, Target][] = [
    ["agents", "tag_ids", "tag"],
    ["queues", "tag_ids", "tag"],
    ["contacts", "tag_ids", "tag"],
    ["numbers", "call_flow_id", "flow"],
    ["numbers", "message_flow_id", "flow"],
    ["flows", "on_complete_flow_id", "flow"],
    ["queues", "wait_flow_id", "flow"],
    ["transcriptions", "on_end_flow_id", "flow"],
  ];

  it.each(referencing)("%s.%s", async (kind, field, target) => {
    const [doomed, kept] = await Promise.all([
      createResource(a.token, target === "tag" ? "tags" : "flows"),
      createResource(a.token, target === "tag" ? "tags" : "flows"),
    ]);
    const value = target === "tag" ? [kept.id, doomed.id] : doomed.id;
    const row = await createResource(a.token, kind, { ...validBody(kind), [field]: value });
    const before = await api("GET", `/v1.0/${kind}/${row.id}`, { token: a.token });
    expect(before.body[field]).toEqual(value);
    expect((await api("DELETE", `/v1.0/${target}s/${doomed.id}`, { token: a.token })).status).toBe(200);
    const after = await api("GET", `/v1.0/${kind}/${row.id}`, { token: a.token });
    expect(after.body[field]).toEqual(target === "tag" ? [kept.id] : ZERO_UUID);
    // The row changed: its ETag moves on, so a stale If-Match is refused.
    expect(after.headers.get("ETag")).not.toBe(before.headers.get("ETag"));
  });

  it("only rows that name the tag now are changed: a row that named it before, or never, keeps its version", async () => {
    const [t1, t2] = await Promise.all([createResource(a.token, "tags"), createResource(a.token, "tags")]);
    const moved = await createResource(a.token, "agents", { ...validBody("agents"), tag_ids: [t1.id] });
    await api("PUT", `/v1.0/agents/${moved.id}/tag_ids`, { token: a.token, body: { tag_ids: [t2.id] } });
    const naming = await createResource(a.token, "contacts", { ...validBody("contacts"), tag_ids: [t1.id, t1.id] });
    const other = await createResource(a.token, "queues", { ...validBody("queues"), tag_ids: [t2.id] });
    const before = await Promise.all([stored("agents", moved.id), stored("queues", other.id)]);
    expect((await api("DELETE", `/v1.0/tags/${t1.id}`, { token: a.token })).status).toBe(200);
    expect(await Promise.all([stored("agents", moved.id), stored("queues", other.id)])).toEqual(before);
    expect((await stored("contacts", naming.id)).tag_ids).toEqual([]);
  });

  it("a deleted customer's cascade still removes every row (the clearing steps aside)", async () => {
    const c = await createCustomer();
    await setPlan(c, "unlimited");
    const tag = await createResource(c.token, "tags");
    const flow = await createResource(c.token, "flows");
    const agent = await createResource(c.token, "agents", { ...validBody("agents"), tag_ids: [tag.id] });
    const contact = await createResource(c.token, "contacts", { ...validBody("contacts"), tag_ids: [tag.id] });
    await createResource(c.token, "numbers", { ...validBody("numbers"), call_flow_id: flow.id });
    await createResource(c.token, "flows", { ...validBody("flows"), on_complete_flow_id: flow.id });
    expect((await api("DELETE", `/v1.0/customers/${c.id}`, { token: await adminLogin() })).status).toBe(200);
    await vi.waitFor(
      async () => {
        const receipt = (await api("GET", `/v1.0/customers/${c.id}/deletion`, { token: await adminLogin() })).body;
        expect(receipt.status).toBe("finished");
      },
      { timeout: 20_000, interval: 100 },
    );
    for (const kind of ["tags", "flows", "agents", "contacts", "numbers"]) expect(await countRows(kind, c.id)).toBe(0);
    // Nor is anything left of the bookkeeping of which row names which tag.
    const left = await env.DB.prepare("SELECT count(*) AS n FROM tag_references WHERE row_id IN (?, ?)")
      .bind(agent.id, contact.id)
      .first<{ n: number }>();
    expect(left!.n).toBe(0);
  });
});

describe("a deletion racing the write (forced interleaving)", () => {
  const deleteThrough = (path: string) => api("DELETE", path, { token: a.token });

  it("the tag is deleted between the route's reads and its UPDATE: 404, and no dangling id is stored", async () => {
    const agent = await createResource(a.token, "agents");
    const tag = await createResource(a.token, "tags");
    let deleted = 0;
    const db = seamD1(async (sqls) => {
      if (deleted === 0 && writesTo("agents")(sqls)) {
        deleted++;
        expect((await deleteThrough(`/v1.0/tags/${tag.id}`)).status).toBe(200);
      }
    });
    const res = await fetchWithDb(db, "PUT", `/v1.0/agents/${agent.id}/tag_ids`, {
      token: a.token,
      body: { tag_ids: [own.tag, tag.id] },
    });
    expect(deleted).toBe(1);
    expect(res.status, JSON.stringify(res.body)).toBe(404);
    expect((await stored("agents", agent.id)).tag_ids).toEqual([]);
  });

  it("the flow is deleted between a create's checks and its INSERT: 404, no number stored", async () => {
    const flow = await createResource(a.token, "flows");
    const body = { ...validBody("numbers"), call_flow_id: flow.id };
    let deleted = 0;
    const db = seamD1(async (sqls) => {
      if (deleted === 0 && writesTo("numbers")(sqls)) {
        deleted++;
        expect((await deleteThrough(`/v1.0/flows/${flow.id}`)).status).toBe(200);
      }
    });
    const rowsBefore = await countRows("numbers", a.id);
    const res = await fetchWithDb(db, "POST", "/v1.0/numbers", { token: a.token, body });
    expect(deleted).toBe(1);
    expect(res.status, JSON.stringify(res.body)).toBe(404);
    expect(await countRows("numbers", a.id)).toBe(rowsBefore);
  });

  it("the tag is deleted right after the write commits: the write answers 200, and the deletion clears it", async () => {
    const contact = await createResource(a.token, "contacts");
    const tag = await createResource(a.token, "tags");
    let deleted = 0;
    let wrote = false;
    const db = seamD1(async (sqls) => {
      if (writesTo("contacts")(sqls)) wrote = true;
      // The next statement after the contact's UPDATE (the audit entry): the tag goes then.
      else if (wrote && deleted === 0) {
        deleted++;
        expect((await deleteThrough(`/v1.0/tags/${tag.id}`)).status).toBe(200);
      }
    });
    const res = await fetchWithDb(db, "POST", `/v1.0/contacts/${contact.id}/tags`, {
      token: a.token,
      body: { tag_id: tag.id },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.tag_ids).toEqual([tag.id]);
    expect(deleted).toBe(1);
    expect((await stored("contacts", contact.id)).tag_ids).toEqual([]);
  });
});
