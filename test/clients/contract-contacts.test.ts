import { beforeAll, describe, expect, it } from "vitest";
import { customerWithKey, sdk } from "./replay";

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
    const contact = (await client.post("/contacts", { display_name: "Addressed", first_name: "A" })).json;
    expect(contact.id).toBeTypeOf("string");

    const added = await client.post(`/contacts/${contact.id}/addresses`, {
      type: "tel",
      target: "+15557654321",
      name: "mobile",
      is_primary: true,
    });
    expect(added.status, added.text).toBe(200);
    const address = added.json.addresses.find((a: any) => a.target === "+15557654321");
    expect(address).toMatchObject({ type: "tel", is_primary: true });
    expect(address.id).toBeTypeOf("string");

    const changed = await client.put(`/contacts/${contact.id}/addresses/${address.id}`, {
      target: "+15557654322",
      name: "work",
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.json.addresses.find((a: any) => a.id === address.id)).toMatchObject({
      target: "+15557654322",
      name: "work",
    });

    const found = await client.get("/contacts/lookup", { phone: "+15557654322" });
    expect(found.status, found.text).toBe(200);
    expect(found.json.id).toBe(contact.id);

    const removed = await client.delete(`/contacts/${contact.id}/addresses/${address.id}`);
    expect(removed.status, removed.text).toBe(200);
    expect(removed.json.addresses.map((a: any) => a.id)).not.toContain(address.id);
  });

  it("POST /contacts/{id}/tags {tag_id} and DELETE /contacts/{id}/tags/{tag_id}", async () => {
    const contact = (await client.post("/contacts", { display_name: "Tagged" })).json;
    const tag = (await client.post("/tags", { detail: "", name: "customer" })).json;

    const tagged = await client.post(`/contacts/${contact.id}/tags`, { tag_id: tag.id });
    expect(tagged.status, tagged.text).toBe(200);
    expect(tagged.json.tag_ids).toEqual([tag.id]);

    const untagged = await client.delete(`/contacts/${contact.id}/tags/${tag.id}`);
    expect(untagged.status, untagged.text).toBe(200);
    expect(untagged.json.tag_ids).toEqual([]);
  });
});
