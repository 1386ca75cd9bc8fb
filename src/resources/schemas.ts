import { z } from "@hono/zod-openapi";
import { hashPassword } from "../auth/password";
import { iso } from "../lib/time";
import { detailField, nameField } from "../lib/validation";
import type { FieldSpec, KindSpec, Row, SetterSpec } from "./kinds";

/**
 * What a field accepts: its schema, any zero value the platform reads as "unset", and null
 * where the field has a default (both then store that default).
 */
export function inputOf(f: FieldSpec): z.ZodType {
  let s = f.input ?? f.schema;
  const unset = (f.unset ?? []).filter((v) => !s.safeParse(v).success);
  if (unset.length) s = z.union([s, ...unset.map((v) => z.literal(v as string | number))]);
  if (f.default !== undefined) s = s.nullable();
  // Said in the document too, so a client (and the property tests) can tell which values mean "unset".
  if (f.unset?.length) s = s.openapi({ "x-unset-values": [...f.unset] } as Record<string, unknown>);
  return s;
}

const writable = (spec: KindSpec) => spec.fields.filter((f) => !f.readOnly && f.column);
/** What every caller sees; sealed fields are added for those who may read them (sealed-fields.ts). */
const visible = (spec: KindSpec) => spec.fields.filter((f) => !f.secret && !f.sealed);
const sealedFields = (spec: KindSpec) => spec.fields.filter((f) => f.sealed);

// Plain objects, not strict ones: fields a body has beyond these are ignored (and named in
// X-Ignored-Fields), as the platform does.
export function schemasFor(spec: KindSpec) {
  const Resource = z
    .object({
      id: z.uuid(),
      customer_id: z.uuid(),
      name: z.string(),
      detail: z.string(),
      ...Object.fromEntries(visible(spec).map((f) => [f.api, f.schema])),
      ...Object.fromEntries(
        sealedFields(spec).map((f) => [
          f.api,
          z.string().optional().openapi({
            description: "Answered to the customer's admins (and access keys) and the operator only; empty when unset.",
          }),
        ]),
      ),
      tm_create: z.string(),
      tm_update: z.string(),
      tm_delete: z.string().nullable(),
    })
    .openapi(spec.title);
  const Create = z
    .object({
      name: nameField.optional(),
      detail: detailField.optional(),
      // A required field takes no "unset" stand-in: it must be given.
      ...Object.fromEntries(
        writable(spec).map((f) => [f.api, f.required ? (f.input ?? f.schema) : inputOf(f).optional()]),
      ),
    })
    .openapi(`${spec.title}Create`, { example: spec.example });
  const Update = z
    .object({
      name: nameField.optional(),
      detail: detailField.optional(),
      ...Object.fromEntries(
        writable(spec)
          .filter((f) => !f.immutable)
          .map((f) => [f.api, inputOf(f).optional()]),
      ),
    })
    .openapi(`${spec.title}Update`);
  return { Resource, Create, Update };
}

/** The body of a setter: the named fields, required where the contract requires them. */
export function setterSchemaFor(spec: KindSpec, setter: SetterSpec, name: string) {
  const picked = setter.fields.map((api) => spec.fields.find((f) => f.api === api)!);
  return z
    .object(Object.fromEntries(picked.map((f) => [f.api, setter.required ? inputOf(f) : inputOf(f).optional()])))
    .openapi(name);
}

export function serializerFor(spec: KindSpec) {
  const fields = visible(spec);
  /** `deletedAt`: the answer to a DELETE carries the time of deletion. */
  return (row: Row, deletedAt?: number) => ({
    id: row.id,
    customer_id: row.customerId,
    name: row.name,
    detail: row.detail,
    ...Object.fromEntries(fields.map((f) => [f.api, f.derive ? f.derive(row) : row[f.column!]])),
    tm_create: iso(row.tmCreate),
    tm_update: iso(row.tmUpdate),
    tm_delete: deletedAt === undefined ? null : iso(deletedAt),
  });
}

/** Seals a sealed field's value for the row it is written to (sealed-fields.ts). */
export type Sealer = (plain: string) => Promise<string>;

/** Validated API input → column values: unset values become defaults, secrets are hashed, sealed ones sealed. */
export async function toColumns(
  spec: KindSpec,
  input: Record<string, unknown>,
  now: number,
  seal?: Sealer,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  if (input.name !== undefined) out.name = input.name;
  if (input.detail !== undefined) out.detail = input.detail;
  for (const f of spec.fields) {
    let value = input[f.api];
    if (value === undefined || !f.column) continue;
    if (value === null || f.unset?.includes(value)) value = f.default;
    // An unset value with no default (a blank secret on update) leaves the column as it is.
    if (value === undefined) continue;
    if (f.store) value = f.store(value, now);
    if (f.sealed && value !== "") {
      if (!seal) throw new Error(`toColumns: ${spec.kind}.${f.api} is sealed, and no sealer was given`);
      out[f.column] = await seal(value as string);
    } else out[f.column] = f.secret && value !== "" ? await hashPassword(value as string) : value;
  }
  return out;
}
