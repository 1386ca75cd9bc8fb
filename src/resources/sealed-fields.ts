import type { Principal } from "../auth/principal";
import { Permission } from "../db/schema";
import type { Env } from "../env";
import { configOf } from "../config";
import { sealer } from "../lib/sealed";
import type { KindSpec, Row } from "./kinds";

// The sealed fields of the kinds (extension and trunk passwords): sealed on the way in, bound to
// their row, and opened on the way out only for the customer's admins (its access keys act as
// one) and the operator. Every other reader gets the resource without the field.

const SETTING = "SIP_CREDENTIALS_KEY";

const boxOf = (env: Env) => sealer(SETTING, configOf(env).sipCredentialKeys);

/** What a sealed value is bound to: its kind, customer and row. */
const bindingOf = (spec: KindSpec, customerId: string, id: string) => `${spec.kind}/${customerId}/${id}`;

export const hasSealedFields = (spec: KindSpec) => spec.fields.some((f) => f.sealed);

/** The sealer for one row's sealed fields (toColumns' `seal`). */
export const sealFor = (env: Env, spec: KindSpec, customerId: string, id: string) => (plain: string) =>
  boxOf(env).seal(plain, bindingOf(spec, customerId, id));

export const mayReadSealed = (principal: Principal) =>
  (principal.permission & (Permission.CustomerAdmin | Permission.ProjectSuperAdmin)) !== 0;

/** `item` (the row serialized) with the row's sealed fields opened, when the caller may read them. */
export async function withSealed<T extends Record<string, unknown>>(
  env: Env,
  spec: KindSpec,
  principal: Principal,
  row: Row,
  item: T,
): Promise<T> {
  const fields = spec.fields.flatMap((f) => (f.sealed && f.column ? [{ api: f.api, column: f.column }] : []));
  if (fields.length === 0 || !mayReadSealed(principal)) return item;
  const box = boxOf(env);
  const out: Record<string, unknown> = { ...item };
  for (const f of fields) {
    const stored = (row[f.column] as string | undefined) ?? "";
    out[f.api] = stored === "" ? "" : await box.open(stored, bindingOf(spec, row.customerId, row.id));
  }
  return out as T;
}
