import type { RouteModule } from "../../lib/route";
import { createStorageAccount, deleteStorageAccount, getStorageAccount, listStorageAccounts } from "./operator";
import { getOwnStorageAccount } from "./own";

/** The contract's storage accounts: the caller's own, and the operator's over all of them. */
export const storageAccountRoutes: RouteModule[] = [
  getOwnStorageAccount,
  listStorageAccounts,
  createStorageAccount,
  getStorageAccount,
  deleteStorageAccount,
];
