import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, or, sql } from "drizzle-orm";
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../../app-env";
import { principalWithOwn, requireOwnCustomer } from "../../auth/principal";
import { contacts } from "../../db/schema";
import { errorResponses, invalidArgument, notFound } from "../../lib/errors";
import { etagOf } from "../../lib/etag";
import { authenticated, defineRoute, jsonBody, jsonResponse } from "../../lib/route";
import { e164Field, emailField } from "../../lib/validation";
import { contactAddressInput, type ContactAddress } from "../../resources/fields";
import { newContactAddress } from "../../resources/kinds";
import { kindContext, READ, type Row, WRITE } from "../../resources/store";
import { writeResponse } from "./crud";

// The contract's item paths on a contact: its addresses and tags, one at a time, and the lookup.
// Built per base path: the customer-level /v1.0/contacts and the agent's /v1.0/service_agents/contacts.
const k = kindContext("contacts");
const Contact = k.schemas.Resource;
const param = (name: string) => z.string().openapi({ param: { name, in: "path" } });

/** Where the contact item routes are published and who may call them. */
export interface ContactRouteOptions {
  tags: string[];
  readMask: number;
  writeMask: number;
  middleware?: MiddlewareHandler<AppEnv>[];
}

/** Changes the row's lists through the store's compare-and-set: nobody's write in between is lost. */
const changeContact = (
  c: Context<AppEnv>,
  mask: number,
  id: string,
  change: (row: Row, now: number) => Record<string, unknown>,
) => k.update(k.writer(c, mask), id, change);

const answer = (c: Context<AppEnv>, row: Row) => {
  c.header("ETag", etagOf(row.version));
  return c.json(k.serialize(row), 200);
};

const addressesOf = (row: Row) => (row.addresses ?? []) as ContactAddress[];
/** One primary address per contact: a new primary demotes the others. */
const withPrimary = (list: ContactAddress[], primaryId: string | null) =>
  primaryId ? list.map((a) => ({ ...a, is_primary: a.id === primaryId })) : list;

const AddressUpdate = contactAddressInput.omit({ type: true }).partial().openapi("ContactAddressUpdate");
const AddressCreate = contactAddressInput.openapi("ContactAddressCreate");
const TagAdd = z.object({ tag_id: z.uuid() }).openapi("ContactTagAdd");

/** POST/PUT/DELETE of a contact's addresses and POST/DELETE of its tags, under `base` (…/contacts). */
export function contactItemRoutesAt(base: string, opts: ContactRouteOptions) {
  const { tags, writeMask } = opts;
  const middleware = opts.middleware ?? [];

  const addAddress = defineRoute(
    createRoute({
      method: "post",
      path: `${base}/{id}/addresses`,
      tags,
      summary: "Add an address to a contact",
      security: authenticated,
      middleware,
      request: { params: z.object({ id: param("id") }), body: jsonBody(AddressCreate) },
      responses: { 200: writeResponse(Contact, "The contact"), ...errorResponses(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const row = await changeContact(c, writeMask, c.req.valid("param").id, (row, now) => {
        const list = addressesOf(row);
        if (list.length >= 50) throw invalidArgument("TOO_MANY_ADDRESSES", "A contact has at most 50 addresses.");
        const added = newContactAddress(input, now);
        return { addresses: withPrimary([...list, added], added.is_primary ? added.id : null) };
      });
      return answer(c, row);
    },
  );

  const updateAddress = defineRoute(
    createRoute({
      method: "put",
      path: `${base}/{id}/addresses/{address_id}`,
      tags,
      summary: "Change one of a contact's addresses",
      security: authenticated,
      middleware,
      request: {
        params: z.object({ id: param("id"), address_id: param("address_id") }),
        body: jsonBody(AddressUpdate),
      },
      responses: { 200: writeResponse(Contact, "The contact"), ...errorResponses(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const { id, address_id } = c.req.valid("param");
      const input = c.req.valid("json");
      const row = await changeContact(c, writeMask, id, (row) => {
        const list = addressesOf(row);
        if (!list.some((a) => a.id === address_id.toLowerCase())) throw notFound("address");
        const changed = list.map((a) =>
          a.id === address_id.toLowerCase()
            ? { ...a, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) }
            : a,
        );
        return { addresses: withPrimary(changed, input.is_primary ? address_id.toLowerCase() : null) };
      });
      return answer(c, row);
    },
  );

  const removeAddress = defineRoute(
    createRoute({
      method: "delete",
      path: `${base}/{id}/addresses/{address_id}`,
      tags,
      summary: "Remove an address from a contact",
      security: authenticated,
      middleware,
      request: { params: z.object({ id: param("id"), address_id: param("address_id") }) },
      responses: { 200: jsonResponse(Contact, "The contact"), ...errorResponses(401, 403, 404, 409) },
    }),
    async (c) => {
      const { id, address_id } = c.req.valid("param");
      const row = await changeContact(c, writeMask, id, (row) => {
        const list = addressesOf(row);
        if (!list.some((a) => a.id === address_id.toLowerCase())) throw notFound("address");
        return { addresses: list.filter((a) => a.id !== address_id.toLowerCase()) };
      });
      return answer(c, row);
    },
  );

  const addTag = defineRoute(
    createRoute({
      method: "post",
      path: `${base}/{id}/tags`,
      tags,
      summary: "Tag a contact",
      security: authenticated,
      middleware,
      request: { params: z.object({ id: param("id") }), body: jsonBody(TagAdd) },
      responses: { 200: writeResponse(Contact, "The contact"), ...errorResponses(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const tagId = c.req.valid("json").tag_id.toLowerCase();
      const row = await changeContact(c, writeMask, c.req.valid("param").id, (row) => {
        const list = (row.tagIds ?? []) as string[];
        if (!list.includes(tagId) && list.length >= 50)
          throw invalidArgument("TOO_MANY_TAGS", "A contact has at most 50 tags.");
        return { tagIds: list.includes(tagId) ? list : [...list, tagId] };
      });
      return answer(c, row);
    },
  );

  const removeTag = defineRoute(
    createRoute({
      method: "delete",
      path: `${base}/{id}/tags/{tag_id}`,
      tags,
      summary: "Untag a contact",
      security: authenticated,
      middleware,
      request: { params: z.object({ id: param("id"), tag_id: param("tag_id") }) },
      responses: { 200: jsonResponse(Contact, "The contact"), ...errorResponses(401, 403, 404, 409) },
    }),
    async (c) => {
      const { id, tag_id } = c.req.valid("param");
      const row = await changeContact(c, writeMask, id, (row) => ({
        tagIds: ((row.tagIds ?? []) as string[]).filter((t) => t !== tag_id.toLowerCase()),
      }));
      return answer(c, row);
    },
  );

  return [addAddress, updateAddress, removeAddress, addTag, removeTag];
}

const LookupQuery = z.object({
  phone: e164Field.optional().openapi({ param: { name: "phone", in: "query" } }),
  email: emailField.optional().openapi({ param: { name: "email", in: "query" } }),
});

/** Finds a contact by phone or email at `path`. Register it before `{id}`, so "lookup" is not read as an id. */
export const contactLookupAt = (path: string, opts: ContactRouteOptions) =>
  defineRoute(
    createRoute({
      method: "get",
      path,
      tags: opts.tags,
      summary: "Find a contact by phone number or email",
      description:
        "Matches the contact's phone_number or email, or the target of one of its addresses. Give phone or email.",
      security: authenticated,
      middleware: opts.middleware ?? [],
      request: { query: LookupQuery },
      responses: {
        200: jsonResponse(Contact, "The most recently created match"),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { phone, email } = c.req.valid("query");
      const target = phone ?? email;
      if (!target)
        throw invalidArgument("LOOKUP_KEY_REQUIRED", "Give phone or email.", [{ field: "phone", location: "query" }]);
      const column = phone ? contacts.phoneNumber : contacts.email;
      const type = phone ? "tel" : "email";
      const [principal, rows] = await principalWithOwn(c, (customerId) =>
        c
          .get("db")
          .select()
          .from(contacts)
          .where(
            and(
              eq(contacts.customerId, customerId),
              or(
                eq(column, target),
                sql`EXISTS (SELECT 1 FROM json_each(${contacts.addresses}) WHERE json_extract(value, '$.type') = ${type} AND json_extract(value, '$.target') = ${target})`,
              ),
            ),
          )
          .orderBy(sql`${contacts.tmCreate} DESC`)
          .limit(1),
      );
      requireOwnCustomer(principal, opts.readMask);
      const row = rows[0] as Row | undefined;
      if (!row) throw notFound("contact");
      return answer(c, row);
    },
  );

const customerLevel: ContactRouteOptions = { tags: ["Contacts"], readMask: READ, writeMask: WRITE };
export const contactLookupRoute = contactLookupAt("/v1.0/contacts/lookup", customerLevel);
export const contactItemRoutes = contactItemRoutesAt("/v1.0/contacts", customerLevel);
