import type { Db } from "../db/client";
import type { ResourceKind } from "../db/owned";
import type { Env } from "../env";
import { quotaGuard } from "../storage/accounts";
import { planLimitGuard, type CreateGuard } from "./limits";

export type { CreateGuard };

/**
 * What a new row of `kind` must satisfy inside its own INSERT: the plan's limit for the six
 * limited kinds (a number only when virtual), the storage quota for files; nothing for the rest.
 */
export function createGuardFor(
  kind: ResourceKind,
  db: Db,
  env: Env,
  customerId: string,
  row: Record<string, unknown>,
): CreateGuard | undefined {
  if (kind === "files") return quotaGuard(db, env, customerId, Number(row.sizeBytes ?? 0), Number(row.tmCreate));
  return planLimitGuard(db, env, kind, customerId, row);
}
