import { beforeAll, describe, expect, it } from "vitest";
import { customerWithKey, sdk, wire } from "./replay";

/**
 * The contract's contact sub-resources (bin-openapi-manager/openapi/paths/contacts/*.yaml),
 * which none of the three clients wraps yet: replayed over `?accesskey=` with a Go-style client
 * (the SDK regenerated from today's contract would send exactly these bodies).
 */

let client: ReturnType<typeof sdk>;

beforeAll(async () => {
  // Contacts are not limited by any plan: the free plan.
  client = sdk((await customerWithKey("free")).key);
});

describe("contacts: addresses, tags and lookup", () => {
  it("POST /contacts/{id}/addresses, PUT and DELETE /contacts/{id}/addresses/{address_id}", async () => {
    const contact = wire(
      await client.POST("/v1.0/contacts", { body: { display_name: "Addressed", first_name: "A" } }),
    ).json;
    expect(contact.id).toBeTypeOf("string");

    const added = wire(
      await client.POST("/v1.0/contacts/{id}/addresses", {
        params: { path: { id: contact.id } },
        body: {
          type: "tel",
          target: "+15557654321",
          name: "mobile",
          is_primary: true,
        },
      }),
    );
    expect(added.status, added.text).toBe(200);
    const address = added.json.addresses.find((a: any) => a.target === "+15557654321");
    expect(address).toMatchObject({ type: "tel", is_primary: true });
    expect(address.id).toBeTypeOf("string");

    const changed = wire(
      await client.PUT("/v1.0/contacts/{id}/addresses/{address_id}", {
        params: { path: { id: contact.id, address_id: address.id } },
        body: {
          target: "+15557654322",
          name: "work",
        },
      }),
    );
    expect(changed.status, changed.text).toBe(200);
    expect(changed.json.addresses.find((a: any) => a.id === address.id)).toMatchObject({
      target: "+15557654322",
      name: "work",
    });

    const found = wire(await client.GET("/v1.0/contacts/lookup", { params: { query: { phone: "+15557654322" } } }));
    expect(found.status, found.text).toBe(200);
    expect(found.json.id).toBe(contact.id);

    const removed = wire(
      await client.DELETE("/v1.0/contacts/{id}/addresses/{address_id}", {
        params: { path: { id: contact.id, address_id: address.id } },
      }),
    );
    expect(removed.status, removed.text).toBe(200);
    expect(removed.json.addresses.map((a: any) => a.id)).not.toContain(address.id);
  });

  it("POST /contacts/{id}/tags {tag_id} and DELETE /contacts/{id}/tags/{tag_id}", async () => {
    const contact = wire(await client.POST("/v1.0/contacts", { body: { display_name: "Tagged" } })).json;
    const tag = wire(await client.POST("/v1.0/tags", { body: { detail: "", name: "customer" } })).json;

    const tagged = wire(
      await client.POST("/v1.0/contacts/{id}/tags", {
        params: { path: { id: contact.id } },
        body: { tag_id: tag.id },
      }),
    );
    expect(tagged.status, tagged.text).toBe(200);
    expect(tagged.json.tag_ids).toEqual([tag.id]);

    const untagged = wire(
      await client.DELETE("/v1.0/contacts/{id}/tags/{tag_id}", {
        params: { path: { id: contact.id, tag_id: tag.id } },
      }),
    );
    expect(untagged.status, untagged.text).toBe(200);
    expect(untagged.json.tag_ids).toEqual([]);
  });
});
