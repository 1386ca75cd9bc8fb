import { createRoute } from "@hono/zod-openapi";
import { principalWithOwnRaw, requireOwnCustomer } from "../../auth/principal";
import { recordReader } from "../../db/raw";
import { Permission, storageAccounts } from "../../db/schema";
import { errorResponses, notFound } from "../../lib/errors";
import { authenticated, defineRoute, jsonResponse } from "../../lib/route";
import { serializeStorageAccount, StorageAccountSchema } from "../../storage/accounts";

const reader = recordReader(storageAccounts);

export const getOwnStorageAccount = defineRoute(
  createRoute({
    method: "get",
    path: "/v1.0/storage_account",
    tags: ["Storage"],
    summary: "Your storage account",
    description:
      "Your files' count and total size, counted against the storage quota (see GET /v1.0/customer/usage). CustomerAdmin and CustomerManager.",
    security: authenticated,
    responses: { 200: jsonResponse(StorageAccountSchema, "The storage account"), ...errorResponses(401, 403, 404) },
  }),
  async (c) => {
    // The credential and the account in one D1 round trip.
    const [principal, row] = await principalWithOwnRaw(c, (scope) => ({
      statement: (d1) =>
        d1
          .prepare(`SELECT ${reader.columns} FROM storage_accounts WHERE customer_id = ${scope.sql} LIMIT 1`)
          .bind(...scope.params),
      read: (records) => (records[0] ? reader.read(records[0]) : null),
    }));
    requireOwnCustomer(principal, Permission.CustomerAdmin | Permission.CustomerManager);
    if (!row) throw notFound("storage account");
    return c.json(serializeStorageAccount(row), 200);
  },
);
