import { describe, expect, it } from "vitest";
import { ZERO_UUID } from "../../src/db/schema";
import { permissionField } from "../../src/resources/fields";
import { enumFieldOf, fieldOf, kindSpecs } from "../../src/resources/kinds";
import { inputOf, schemasFor, toColumns } from "../../src/resources/schemas";

// The field table's pure machinery: what a field accepts and what it stores.

const field = (kind: keyof typeof kindSpecs, api: string) => fieldOf(kindSpecs[kind], api);

describe("fieldOf and enumFieldOf", () => {
  it("find a field by its API name, and refuse a name or an enum the table does not have", () => {
    expect(fieldOf(kindSpecs.agents, "ring_method").column).toBe("ringMethod");
    expect(() => fieldOf(kindSpecs.agents, "no_such_field")).toThrow("agents has no field no_such_field");
    expect(enumFieldOf(kindSpecs.agents, "status").options).toEqual([
      "",
      "available",
      "away",
      "busy",
      "offline",
      "ringing",
    ]);
    expect(() => enumFieldOf(kindSpecs.agents, "permission")).toThrow("agents.permission is not an enum field");
  });
});

describe("inputOf", () => {
  it("accepts null and the platform's zero values where the field has a default, nothing else extra", () => {
    const permission = inputOf(field("agents", "permission"));
    for (const ok of [null, 0, 16, 48, 112]) expect(permission.safeParse(ok).success, String(ok)).toBe(true);
    for (const bad of ["", 1, 17, 128, 2 ** 32 + 32, -16, 16.5])
      expect(permission.safeParse(bad).success, String(bad)).toBe(false);
    const callFlow = inputOf(field("numbers", "call_flow_id"));
    expect([null, "", ZERO_UUID, crypto.randomUUID()].map((v) => callFlow.safeParse(v).success)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(callFlow.safeParse("nope").success).toBe(false);
    // No default: null stays invalid.
    expect(inputOf(field("queues", "wait_timeout")).safeParse(null).success).toBe(false);
  });

  it("bounds permission to the defined bits before the bit test (2^32 + 32 is not 32)", () => {
    expect(permissionField.safeParse(2 ** 32 + 32).success).toBe(false);
    expect(permissionField.safeParse(32).success).toBe(true);
  });
});

describe("toColumns", () => {
  it("stores the default for null and zero values, and what was sent otherwise", async () => {
    const now = Date.UTC(2026, 0, 1);
    expect(
      await toColumns(
        kindSpecs.queues,
        { routing_method: "", tag_ids: null, wait_flow_id: "", service_timeout: 5 },
        now,
      ),
    ).toEqual({
      routingMethod: "random",
      tagIds: [],
      waitFlowId: ZERO_UUID,
      serviceTimeout: 5,
    });
    expect(await toColumns(kindSpecs.agents, { permission: 0, name: "n" }, now)).toEqual({ name: "n", permission: 16 });
  });

  it("gives a contact's addresses ids and times when stored", async () => {
    const now = Date.UTC(2026, 0, 1);
    const { addresses } = (await toColumns(
      kindSpecs.contacts,
      { addresses: [{ type: "tel", target: "+15550001111" }] },
      now,
    )) as { addresses: any[] };
    expect(addresses).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        type: "tel",
        target: "+15550001111",
        name: "",
        detail: "",
        is_primary: false,
        tm_create: "2026-01-01T00:00:00.000Z",
      },
    ]);
  });
});

describe("schemasFor", () => {
  it("strips unknown and read-only fields instead of refusing them", () => {
    const { Create } = schemasFor(kindSpecs.agents);
    const parsed = Create.parse({
      username: "a@example.com",
      password: "long-password",
      status: "busy",
      is_guest: true,
      bogus: 1,
    });
    expect(parsed).toEqual({ username: "a@example.com", password: "long-password" });
  });
});
