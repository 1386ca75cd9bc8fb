import { describe, expect, it } from "vitest";
import { StorageAccountModel } from "./go-sdk-models";
import { customerWithKey, expectGo, expectGoList, goMultipartFile, sdk, superAdminKey } from "./replay";

/**
 * voipbin/voipbin-go's storage account calls (gens/voipbin_client/gen.go): GetStorageAccount with a
 * customer's key; GetStorageAccounts, PostStorageAccounts, GetStorageAccountsId and
 * DeleteStorageAccountsId with the operator's. Each answer must decode into StorageManagerAccount.
 */

describe("go sdk: storage accounts", () => {
  it("GetStorageAccount: the caller's own, with its files counted", async () => {
    // One uploaded file and no limited kind: the free plan.
    const c = await customerWithKey("free");
    const client = sdk(c.key);
    const { contentType, body } = goMultipartFile("a.txt", new TextEncoder().encode("12345"));
    expect((await client.raw("POST", "/storage_files", contentType, body)).status).toBe(200);
    const account = expectGo(await client.get("/storage_account"), StorageAccountModel);
    expect(account).toMatchObject({ customer_id: c.id, total_file_count: 1, total_file_size: 5 });
  });

  it("GetStorageAccounts(page_size), GetStorageAccountsId, DeleteStorageAccountsId, PostStorageAccounts", async () => {
    const c = await customerWithKey("free");
    const operator = sdk(await superAdminKey());
    const page = expectGoList(await operator.get("/storage_accounts", { page_size: "10" }), StorageAccountModel);
    const mine = page.find((a) => a.customer_id === c.id);
    expect(mine).toBeDefined();
    expect(expectGo(await operator.get(`/storage_accounts/${mine.id}`), StorageAccountModel).id).toBe(mine.id);
    const deleted = expectGo(await operator.delete(`/storage_accounts/${mine.id}`), StorageAccountModel);
    expect(deleted.tm_delete).toBeTypeOf("string");
    // PostStorageAccountsJSONBody: customer_id, no omitempty.
    const created = expectGo(await operator.post("/storage_accounts", { customer_id: c.id }), StorageAccountModel);
    expect(created).toMatchObject({ customer_id: c.id, total_file_count: 0, total_file_size: 0 });
  });
});
