import {
  agents,
  billingAccounts,
  contacts,
  extensions,
  files,
  flows,
  numbers,
  queues,
  tags,
  transcriptions,
  trunks,
} from "./schema";

/** The eleven kinds a customer owns, by their API name; the cascade deletes them in this order. */
export const ownedTables = {
  agents,
  numbers,
  flows,
  queues,
  trunks,
  extensions,
  files,
  billing_accounts: billingAccounts,
  tags,
  transcriptions,
  contacts,
} as const;

export type ResourceKind = keyof typeof ownedTables;
export const resourceKinds = Object.keys(ownedTables) as ResourceKind[];

export const zeroCounts = (): Record<ResourceKind, number> =>
  Object.fromEntries(resourceKinds.map((k) => [k, 0])) as Record<ResourceKind, number>;
