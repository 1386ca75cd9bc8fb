import { beforeAll, describe, expect, it } from "vitest";
import { api } from "../helpers";
import { AccesskeyModel, AgentModel, BillingAccountModel, CustomerModel, FileModel, LoginModel } from "./go-sdk-models";
import { customerWithKey, expectGo, expectGoList, goJson, goMultipartFile, sdk, send, superAdminKey } from "./replay";

/**
 * voipbin/voipbin-go (oapi-codegen client of the platform's OpenAPI): login, me, customer,
 * customers (operator), access keys, billing accounts and storage files, replayed from
 * gens/voipbin_client/gen.go. JSON bodies are the generated request structs: fields in struct
 * (alphabetical) order, and a field without omitempty goes out as its Go zero value ("" / 0 /
 * null) when the caller leaves it unset. Responses must be 200 with a JSON Content-Type and
 * decode into the generated model (./go-sdk-models.ts).
 */

let customer: Awaited<ReturnType<typeof customerWithKey>>;
let client: ReturnType<typeof sdk>;

beforeAll(async () => {
  // No limited kind is created here: the free plan, the platform's default.
  customer = await customerWithKey("free");
  client = sdk(customer.key);
});

describe("go sdk: auth and me", () => {
  it("PostAuthLogin (examples/simple_login, server https://api.voipbin.net): POST /auth/login", async () => {
    const res = await send(
      "POST",
      "/auth/login",
      { "User-Agent": "Go-http-client/1.1", "Accept-Encoding": "gzip", "Content-Type": "application/json" },
      goJson({ password: customer.password, username: customer.username }),
    );
    expect(expectGo(res, LoginModel).username).toBe(customer.username);
  });

  it("GetMe: the access key's identity as an AgentManagerAgent", async () => {
    const me = expectGo(await client.get("/me"), AgentModel);
    expect(me.customer_id).toBe(customer.id);
  });
});

describe("go sdk: customer", () => {
  it("GetCustomer", async () => {
    expect(expectGo(await client.get("/customer"), CustomerModel).id).toBe(customer.id);
  });

  it("PutCustomer: a full replacement body (every field, none omitempty)", async () => {
    const body = {
      address: "1 Main St",
      detail: "via the go sdk",
      email: customer.email,
      name: "Go Co",
      phone_number: "+15551230000",
      webhook_method: "POST",
      webhook_uri: "https://hooks.example.com/voipbin",
    };
    const updated = expectGo(await client.put("/customer", body), CustomerModel);
    expect(updated).toMatchObject(body);
  });

  it("PutCustomer with the caller's unset fields as zero values: empty webhook_method is 'unset'", async () => {
    const updated = expectGo(
      await client.put("/customer", {
        address: "",
        detail: "",
        email: customer.email,
        name: "Go Co 2",
        phone_number: "",
        webhook_method: "",
        webhook_uri: "",
      }),
      CustomerModel,
    );
    expect(updated.name).toBe("Go Co 2");
  });

  it("PutCustomerBillingAccountId", async () => {
    const account = expectGo(await client.post("/billing_accounts", { name: "Default" }), BillingAccountModel);
    const updated = expectGo(
      await client.put("/customer/billing_account_id", { billing_account_id: account.id }),
      CustomerModel,
    );
    expect(updated.billing_account_id).toBe(account.id);
  });
});

describe("go sdk: customers (an operator holding a super admin access key)", () => {
  it("PostCustomers with the contract's body, GetCustomers, GetCustomersId, PutCustomersId, PutCustomersIdBillingAccountId, DeleteCustomersId", async () => {
    const op = sdk(await superAdminKey());
    const email = `sdk-${Date.now().toString(36)}@example.com`;
    const created = expectGo(
      await op.post("/customers", {
        address: "",
        detail: "",
        email,
        name: "Go Customer",
        phone_number: "",
        webhook_method: "",
        webhook_uri: "",
      }),
      CustomerModel,
    );
    expect(created).toMatchObject({ email, name: "Go Customer" });

    const page = expectGoList(await op.get("/customers", { page_size: "10" }), CustomerModel);
    expect(page.length).toBeGreaterThan(0);
    expect(expectGo(await op.get(`/customers/${created.id}`), CustomerModel).email).toBe(email);

    const replaced = expectGo(
      await op.put(`/customers/${created.id}`, {
        address: "",
        detail: "updated",
        email,
        name: "Go Customer 2",
        phone_number: "",
        webhook_method: "POST",
        webhook_uri: "",
      }),
      CustomerModel,
    );
    expect(replaced).toMatchObject({ name: "Go Customer 2", detail: "updated" });

    const account = expectGo(await client.post("/billing_accounts", { name: "Ops" }), BillingAccountModel);
    const set = expectGo(
      await op.put(`/customers/${customer.id}/billing_account_id`, { billing_account_id: account.id }),
      CustomerModel,
    );
    expect(set.billing_account_id).toBe(account.id);

    expectGo(await op.delete(`/customers/${created.id}`), CustomerModel);
  });
});

describe("go sdk: access keys", () => {
  it("PostAccesskeys (omitempty fields), GetAccesskeys, GetAccesskeysId, PutAccesskeysId, DeleteAccesskeysId", async () => {
    const created = expectGo(await client.post("/accesskeys", { detail: "ci", expire: 3600, name: "ci" }), {
      ...AccesskeyModel,
      token: "string",
    });
    const minimal = expectGo(await client.post("/accesskeys", { name: "minimal" }), AccesskeyModel);
    expect(minimal.name).toBe("minimal");

    expect(
      expectGoList(await client.get("/accesskeys", { page_size: "100" }), AccesskeyModel).map((k) => k.id),
    ).toContain(created.id);
    const got = expectGo(await client.get(`/accesskeys/${created.id}`), AccesskeyModel);
    // The contract's token_prefix is shown on every read; the token itself only at creation.
    expect(got.token ?? "").toBe("");
    expect(created.token.startsWith(got.token_prefix)).toBe(true);

    expect(expectGo(await client.put(`/accesskeys/${created.id}`, { name: "renamed" }), AccesskeyModel).name).toBe(
      "renamed",
    );
    const deleted = expectGo(await client.delete(`/accesskeys/${created.id}`), AccesskeyModel);
    expect(deleted.tm_delete).toBeTypeOf("string");
  });
});

describe("go sdk: billing accounts", () => {
  it("PostBillingAccounts with payment_method and payment_type, GetBillingAccounts, GetBillingAccountsId, PutBillingAccountsId, PutBillingAccountsIdPaymentInfo, DeleteBillingAccountsId", async () => {
    const created = expectGo(
      await client.post("/billing_accounts", {
        detail: "d",
        name: "Card",
        payment_method: "credit card",
        payment_type: "prepaid",
      }),
      BillingAccountModel,
    );
    expect(created).toMatchObject({ name: "Card", payment_method: "credit card", payment_type: "prepaid" });

    expect(
      expectGoList(await client.get("/billing_accounts", { page_size: "10" }), BillingAccountModel).map((a) => a.id),
    ).toContain(created.id);
    expect(expectGo(await client.get(`/billing_accounts/${created.id}`), BillingAccountModel).id).toBe(created.id);
    expect(
      expectGo(await client.put(`/billing_accounts/${created.id}`, { name: "Card 2" }), BillingAccountModel).name,
    ).toBe("Card 2");
    const info = expectGo(
      await client.put(`/billing_accounts/${created.id}/payment_info`, { payment_method: "", payment_type: "prepaid" }),
      BillingAccountModel,
    );
    expect(info.payment_type).toBe("prepaid");
    expectGo(await client.delete(`/billing_accounts/${created.id}`), BillingAccountModel);
  });

  it("PostBillingAccountsIdBalanceAddForce / SubtractForce (float32 balance), as the operator", async () => {
    const account = expectGo(await client.post("/billing_accounts", { name: "Prepaid" }), BillingAccountModel);
    const op = sdk(await superAdminKey());
    const added = expectGo(
      await op.post(`/billing_accounts/${account.id}/balance_add_force`, { balance: 12.5 }),
      BillingAccountModel,
    );
    expect(added.balance).toBeCloseTo(account.balance + 12.5);
    const subtracted = expectGo(
      await op.post(`/billing_accounts/${account.id}/balance_subtract_force`, { balance: 2.5 }),
      BillingAccountModel,
    );
    expect(subtracted.balance).toBeCloseTo(account.balance + 10);
  });
});

describe("go sdk: storage files (multipart upload)", () => {
  const content = "RIFF\u0000\u0000\u0000\u0000WAVEfmt hello";
  const bytes = new TextEncoder().encode(content);

  it.each(["/storage_files", "/files"])("Post%s with multipart/form-data, list, get, delete", async (base) => {
    const { contentType, body } = goMultipartFile("hello.wav", bytes);
    const created = expectGo(await client.raw("POST", base, contentType, body), FileModel);
    expect(created).toMatchObject({ filename: "hello.wav", filesize: bytes.length, customer_id: customer.id });
    expect(created.owner_id).toBeTypeOf("string");

    expect(expectGoList(await client.get(base, { page_size: "10" }), FileModel).map((f) => f.id)).toContain(created.id);
    expect(expectGo(await client.get(`${base}/${created.id}`), FileModel).filesize).toBe(bytes.length);

    expectGo(await client.delete(`${base}/${created.id}`), FileModel);
    expect((await client.get(`${base}/${created.id}`)).status).toBe(404);
  });

  it("GET /v1.0/storage_files/{id}/file (the contract's download; not in this SDK version) answers the bytes uploaded", async () => {
    const { contentType, body } = goMultipartFile("download.wav", bytes);
    const upload = await client.raw("POST", "/storage_files", contentType, body);
    expect(upload.status, upload.text).toBe(200);
    const download = await api("GET", `/v1.0/storage_files/${upload.json.id}/file`, { token: customer.token });
    expect(download.status).toBe(200);
    expect(download.body).toBe(content);
  });
});
