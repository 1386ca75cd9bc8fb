import { beforeAll, describe, expect, it } from "vitest";
import { AccesskeyModel, AgentModel, BillingAccountModel, CustomerModel, FileModel, LoginModel } from "./go-sdk-models";
import { customerWithKey, expectGo, expectGoList, goUpload, sdk, superAdminKey, wire } from "./replay";

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
    // The SDK's login needs no access key: the same transport, without one.
    const res = await sdk().POST("/auth/login", {
      body: { password: customer.password, username: customer.username },
    });
    expect(expectGo(res, LoginModel).username).toBe(customer.username);
  });

  it("GetMe: the access key's identity as an AgentManagerAgent", async () => {
    const me = expectGo(await client.GET("/v1.0/me"), AgentModel);
    expect(me.customer_id).toBe(customer.id);
  });
});

describe("go sdk: customer", () => {
  it("GetCustomer", async () => {
    expect(expectGo(await client.GET("/v1.0/customer"), CustomerModel).id).toBe(customer.id);
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
    } as const;
    const updated = expectGo(await client.PUT("/v1.0/customer", { body }), CustomerModel);
    expect(updated).toMatchObject(body);
  });

  it("PutCustomer with the caller's unset fields as zero values: empty webhook_method is 'unset'", async () => {
    const updated = expectGo(
      await client.PUT("/v1.0/customer", {
        body: {
          address: "",
          detail: "",
          email: customer.email,
          name: "Go Co 2",
          phone_number: "",
          webhook_method: "",
          webhook_uri: "",
        },
      }),
      CustomerModel,
    );
    expect(updated.name).toBe("Go Co 2");
  });

  it("PutCustomerBillingAccountId", async () => {
    const account = expectGo(
      await client.POST("/v1.0/billing_accounts", { body: { name: "Default" } }),
      BillingAccountModel,
    );
    const updated = expectGo(
      await client.PUT("/v1.0/customer/billing_account_id", { body: { billing_account_id: account.id } }),
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
      await op.POST("/v1.0/customers", {
        body: {
          address: "",
          detail: "",
          email,
          name: "Go Customer",
          phone_number: "",
          webhook_method: "",
          webhook_uri: "",
        },
      }),
      CustomerModel,
    );
    expect(created).toMatchObject({ email, name: "Go Customer" });

    const page = expectGoList(await op.GET("/v1.0/customers", { params: { query: { page_size: 10 } } }), CustomerModel);
    expect(page.length).toBeGreaterThan(0);
    expect(
      expectGo(await op.GET("/v1.0/customers/{id}", { params: { path: { id: created.id } } }), CustomerModel).email,
    ).toBe(email);

    const replaced = expectGo(
      await op.PUT("/v1.0/customers/{id}", {
        params: { path: { id: created.id } },
        body: {
          address: "",
          detail: "updated",
          email,
          name: "Go Customer 2",
          phone_number: "",
          webhook_method: "POST",
          webhook_uri: "",
        },
      }),
      CustomerModel,
    );
    expect(replaced).toMatchObject({ name: "Go Customer 2", detail: "updated" });

    const account = expectGo(
      await client.POST("/v1.0/billing_accounts", { body: { name: "Ops" } }),
      BillingAccountModel,
    );
    const set = expectGo(
      await op.PUT("/v1.0/customers/{id}/billing_account_id", {
        params: { path: { id: customer.id } },
        body: { billing_account_id: account.id },
      }),
      CustomerModel,
    );
    expect(set.billing_account_id).toBe(account.id);

    expectGo(await op.DELETE("/v1.0/customers/{id}", { params: { path: { id: created.id } } }), CustomerModel);
  });
});

describe("go sdk: access keys", () => {
  it("PostAccesskeys (omitempty fields), GetAccesskeys, GetAccesskeysId, PutAccesskeysId, DeleteAccesskeysId", async () => {
    const created = expectGo(
      await client.POST("/v1.0/accesskeys", { body: { detail: "ci", expire: 3600, name: "ci" } }),
      {
        ...AccesskeyModel,
        token: "string",
      },
    );
    const minimal = expectGo(await client.POST("/v1.0/accesskeys", { body: { name: "minimal" } }), AccesskeyModel);
    expect(minimal.name).toBe("minimal");

    expect(
      expectGoList(await client.GET("/v1.0/accesskeys", { params: { query: { page_size: 100 } } }), AccesskeyModel).map(
        (k) => k.id,
      ),
    ).toContain(created.id);
    const got = expectGo(
      await client.GET("/v1.0/accesskeys/{id}", { params: { path: { id: created.id } } }),
      AccesskeyModel,
    );
    // The contract's token_prefix is shown on every read; the token itself only at creation.
    expect(got.token ?? "").toBe("");
    expect(created.token?.startsWith(got.token_prefix)).toBe(true);

    expect(
      expectGo(
        await client.PUT("/v1.0/accesskeys/{id}", { params: { path: { id: created.id } }, body: { name: "renamed" } }),
        AccesskeyModel,
      ).name,
    ).toBe("renamed");
    const deleted = expectGo(
      await client.DELETE("/v1.0/accesskeys/{id}", { params: { path: { id: created.id } } }),
      AccesskeyModel,
    );
    expect(deleted.tm_delete).toBeTypeOf("string");
  });
});

describe("go sdk: billing accounts", () => {
  it("PostBillingAccounts with payment_method and payment_type, GetBillingAccounts, GetBillingAccountsId, PutBillingAccountsId, PutBillingAccountsIdPaymentInfo, DeleteBillingAccountsId", async () => {
    const created = expectGo(
      await client.POST("/v1.0/billing_accounts", {
        body: {
          detail: "d",
          name: "Card",
          payment_method: "credit card",
          payment_type: "prepaid",
        },
      }),
      BillingAccountModel,
    );
    expect(created).toMatchObject({ name: "Card", payment_method: "credit card", payment_type: "prepaid" });

    expect(
      expectGoList(
        await client.GET("/v1.0/billing_accounts", { params: { query: { page_size: 10 } } }),
        BillingAccountModel,
      ).map((a) => a.id),
    ).toContain(created.id);
    expect(
      expectGo(
        await client.GET("/v1.0/billing_accounts/{id}", { params: { path: { id: created.id } } }),
        BillingAccountModel,
      ).id,
    ).toBe(created.id);
    expect(
      expectGo(
        await client.PUT("/v1.0/billing_accounts/{id}", {
          params: { path: { id: created.id } },
          body: { name: "Card 2" },
        }),
        BillingAccountModel,
      ).name,
    ).toBe("Card 2");
    const info = expectGo(
      await client.PUT("/v1.0/billing_accounts/{id}/payment_info", {
        params: { path: { id: created.id } },
        body: { payment_method: "", payment_type: "prepaid" },
      }),
      BillingAccountModel,
    );
    expect(info.payment_type).toBe("prepaid");
    expectGo(
      await client.DELETE("/v1.0/billing_accounts/{id}", { params: { path: { id: created.id } } }),
      BillingAccountModel,
    );
  });

  it("PostBillingAccountsIdBalanceAddForce / SubtractForce (float32 balance), as the operator", async () => {
    const account = expectGo(
      await client.POST("/v1.0/billing_accounts", { body: { name: "Prepaid" } }),
      BillingAccountModel,
    );
    const op = sdk(await superAdminKey());
    const added = expectGo(
      await op.POST("/v1.0/billing_accounts/{id}/balance_add_force", {
        params: { path: { id: account.id } },
        body: { balance: 12.5 },
      }),
      BillingAccountModel,
    );
    expect(added.balance).toBeCloseTo(account.balance + 12.5);
    const subtracted = expectGo(
      await op.POST("/v1.0/billing_accounts/{id}/balance_subtract_force", {
        params: { path: { id: account.id } },
        body: { balance: 2.5 },
      }),
      BillingAccountModel,
    );
    expect(subtracted.balance).toBeCloseTo(account.balance + 10);
  });
});

describe("go sdk: storage files (multipart upload)", () => {
  const content = "RIFF\u0000\u0000\u0000\u0000WAVEfmt hello";
  const bytes = new TextEncoder().encode(content);

  it.each(["/v1.0/storage_files", "/v1.0/files"] as const)(
    "POST %s with multipart/form-data, list, get, delete",
    async (base) => {
      const created = expectGo(await client.POST(base, goUpload("hello.wav", bytes)), FileModel);
      expect(created).toMatchObject({ filename: "hello.wav", filesize: bytes.length, customer_id: customer.id });
      expect(created.owner_id).toBeTypeOf("string");

      const item = { params: { path: { id: created.id } } };
      expect(
        expectGoList(await client.GET(base, { params: { query: { page_size: 10 } } }), FileModel).map((f) => f.id),
      ).toContain(created.id);
      expect(expectGo(await client.GET(`${base}/{id}`, item), FileModel).filesize).toBe(bytes.length);

      expectGo(await client.DELETE(`${base}/{id}`, item), FileModel);
      expect(wire(await client.GET(`${base}/{id}`, item)).status).toBe(404);
    },
  );

  it("GET /v1.0/storage_files/{id}/file (the contract's download; not in this SDK version) answers the bytes uploaded", async () => {
    const upload = expectGo(await client.POST("/v1.0/storage_files", goUpload("download.wav", bytes)), FileModel);
    const download = await client.GET("/v1.0/storage_files/{id}/file", {
      params: { path: { id: upload.id } },
      parseAs: "text",
    });
    expect(wire(download).status).toBe(200);
    expect(download.data).toBe(content);
  });
});
