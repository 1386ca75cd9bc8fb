import { env, SELF } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { toD1 } from "../../src/db/batch";
import { resourceKinds } from "../../src/db/owned";
import { Permission } from "../../src/db/schema";
import type { Env } from "../../src/env";
import { recordDeletionJob, runCascade } from "../../src/lifecycle/cascade";
import { MAX_FILE_BYTES, ORPHAN_MIN_AGE_MS } from "../../src/storage/objects";
import {
  adminLogin,
  api,
  BASE,
  createAccesskey,
  createAgent,
  createCustomer,
  expectError,
  login,
  ZERO_UUID,
} from "../helpers";
import { countRows, runCron } from "../helpers/lifecycle";
import { createResource } from "../helpers/resources";

/** What the Go SDK's PostStorageFiles sends: one multipart part named "file". */
async function upload(
  token: string,
  bytes: Uint8Array | string,
  filename = "hello.txt",
  type = "text/plain",
  extra: Record<string, string> = {},
) {
  const form = new FormData();
  form.append("file", new File([bytes], filename, { type }));
  for (const [k, v] of Object.entries(extra)) form.append(k, v);
  const res = await SELF.fetch(`${BASE}/v1.0/storage_files`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}` },
    body: form,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

async function download(token: string, path: string) {
  const res = await SELF.fetch(`${BASE}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

async function objectKeys(customerId: string): Promise<string[]> {
  const listed = await env.FILES_BUCKET.list({ prefix: `${customerId}/` });
  return listed.objects.map((o) => o.key);
}

const randomBytes = (n: number) => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
};

describe("storage files: upload and download", () => {
  it("stores the bytes of a multipart upload and answers the contract's file object", async () => {
    const c = await createCustomer();
    const bytes = randomBytes(300_000); // well past the 64 KB JSON limit
    const res = await upload(c.token, bytes, "greeting.wav", "audio/wav");
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const file = res.body;
    const [agent] = (await api("GET", "/v1.0/agents", { token: c.token })).body.result.filter(
      (a: any) => a.username === c.username,
    );
    expect(file).toMatchObject({
      customer_id: c.id,
      owner_type: "agent",
      owner_id: agent.id,
      name: "greeting.wav",
      filename: "greeting.wav",
      filesize: bytes.length,
      content_type: "audio/wav",
      type: "",
      reference_type: "",
      reference_id: ZERO_UUID,
      uri_download: `${BASE}/v1.0/storage_files/${file.id}/file`,
    });
    expect(await objectKeys(c.id)).toEqual([`${c.id}/${file.id}`]);

    for (const path of [`/v1.0/storage_files/${file.id}/file`, `/v1.0/files/${file.id}/file`]) {
      const got = await download(c.token, path);
      expect(got.status).toBe(200);
      expect(got.headers.get("Content-Type")).toBe("audio/wav");
      expect(got.headers.get("Content-Disposition")).toBe(
        `attachment; filename="greeting.wav"; filename*=UTF-8''greeting.wav`,
      );
      expect(got.bytes).toEqual(bytes);
    }
    // The record is a `files` row like any other.
    expect((await api("GET", `/v1.0/files/${file.id}`, { token: c.token })).body).toEqual(file);
  });

  it("fills type, name and detail from the form, and the owner from an access key", async () => {
    const c = await createCustomer();
    const key = await createAccesskey(c.token);
    const form = new FormData();
    form.append("file", new File(["abc"], "notes ü.txt", { type: "text/plain; charset=utf-8" }));
    form.append("type", "rag");
    form.append("name", "Knowledge");
    form.append("detail", "for the bot");
    const res = await SELF.fetch(`${BASE}/v1.0/storage_files?accesskey=${key}`, { method: "POST", body: form });
    const body: any = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    const keys = (await api("GET", "/v1.0/accesskeys", { token: c.token })).body.result;
    expect(body).toMatchObject({
      type: "rag",
      name: "Knowledge",
      detail: "for the bot",
      filename: "notes ü.txt",
      filesize: 3,
      content_type: "text/plain",
    });
    expect(body.owner_type).toBe("accesskey");
    expect(body.owner_id).toBe(keys[0].id);
    const got = await download(c.token, `/v1.0/storage_files/${body.id}/file`);
    expect(got.headers.get("Content-Disposition")).toBe(
      `attachment; filename="notes _.txt"; filename*=UTF-8''notes%20%C3%BC.txt`,
    );
    expect(new TextDecoder().decode(got.bytes)).toBe("abc");
  });

  it("accepts exactly 10 MB and refuses one byte more with 413, storing nothing", async () => {
    const c = await createCustomer();
    const atLimit = await upload(c.token, new Uint8Array(MAX_FILE_BYTES), "max.bin", "application/octet-stream");
    expect(atLimit.status, JSON.stringify(atLimit.body)).toBe(200);
    expect(atLimit.body.filesize).toBe(MAX_FILE_BYTES);

    const over = await upload(c.token, new Uint8Array(MAX_FILE_BYTES + 1), "big.bin", "application/octet-stream");
    expectError(over as any, 413, "PAYLOAD_TOO_LARGE", "FILE_TOO_LARGE");
    const wayOver = await upload(c.token, new Uint8Array(MAX_FILE_BYTES + 200_000), "bigger.bin");
    expectError(wayOver as any, 413, "PAYLOAD_TOO_LARGE");
    // Refused on the body's size before any parsing, however the body is framed.
    const garbage = await api("POST", "/v1.0/storage_files", {
      token: c.token,
      rawBody: new Uint8Array(MAX_FILE_BYTES + 100_000),
      headers: { "Content-Type": "multipart/form-data; boundary=nowhere" },
    });
    expectError(garbage, 413, "PAYLOAD_TOO_LARGE");
    expect(await objectKeys(c.id)).toEqual([`${c.id}/${atLimit.body.id}`]);
    expect(await countRows("files", c.id)).toBe(1);
  });

  it("keeps the 64 KB limit and the JSON-only rule everywhere else", async () => {
    const c = await createCustomer();
    const form = new FormData();
    form.append("file", new File(["x"], "x.txt"));
    const res = await SELF.fetch(`${BASE}/v1.0/tags`, {
      method: "POST",
      headers: { Authorization: `Bearer ${c.token}` },
      body: form,
    });
    expect(res.status).toBe(415);
    const big = await api("POST", "/v1.0/tags", { token: c.token, body: { name: "t", detail: "x".repeat(70_000) } });
    expectError(big, 413, "PAYLOAD_TOO_LARGE");
  });

  it("refuses a body that is not multipart (415) and a malformed or incomplete form (400)", async () => {
    const c = await createCustomer();
    expectError(
      await api("POST", "/v1.0/storage_files", { token: c.token, body: { filename: "a.txt" } }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    expectError(
      await api("POST", "/v1.0/storage_files", {
        token: c.token,
        rawBody: "file=abc",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
      }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    const malformed = await api("POST", "/v1.0/storage_files", {
      token: c.token,
      rawBody: '--b\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nno closing boundary',
      headers: { "Content-Type": "multipart/form-data; boundary=zzz" },
    });
    expectError(malformed, 400, "INVALID_ARGUMENT");

    const noFile = new FormData();
    noFile.append("name", "x");
    const res1 = await SELF.fetch(`${BASE}/v1.0/storage_files`, {
      method: "POST",
      headers: { Authorization: `Bearer ${c.token}` },
      body: noFile,
    });
    const body1: any = await res1.json();
    expect(res1.status).toBe(400);
    expect(body1.error.details.map((d: any) => d.field)).toContain("file");

    const notAFile = new FormData();
    notAFile.append("file", "just text");
    const res2 = await SELF.fetch(`${BASE}/v1.0/storage_files`, {
      method: "POST",
      headers: { Authorization: `Bearer ${c.token}` },
      body: notAFile,
    });
    expect(res2.status).toBe(400);

    const badType = await upload(c.token, "abc", "a.txt", "text/plain", { type: "video" });
    expect(badType.status).toBe(400);
    expect(badType.body.error.details[0].field).toBe("type");
    expect(await objectKeys(c.id)).toEqual([]);
    expect(await countRows("files", c.id)).toBe(0);
  });

  it("needs a writer: an agent with CustomerAgent only cannot upload; no credential is 401", async () => {
    const c = await createCustomer();
    const agent = await createAgent(c.id, Permission.CustomerAgent);
    const token = await login(agent.username, agent.password);
    expectError((await upload(token, "abc")) as any, 403, "PERMISSION_DENIED");
    const res = await SELF.fetch(`${BASE}/v1.0/storage_files`, { method: "POST", body: new FormData() });
    expect(res.status).toBe(401);
    expect(await objectKeys(c.id)).toEqual([]);
  });

  it("a file recorded by the JSON create (metadata only) has no bytes to download", async () => {
    const c = await createCustomer();
    const meta = await createResource(c.token, "files", {
      name: "m",
      filename: "m.wav",
      content_type: "audio/wav",
      filesize: 10,
    });
    expect(meta.uri_download).toBe("");
    expectError(
      (await api("GET", `/v1.0/storage_files/${meta.id}/file`, { token: c.token })) as any,
      404,
      "NOT_FOUND",
      "FILE_CONTENT_NOT_FOUND",
    );
  });
});

describe("storage files: the OpenAPI document", () => {
  it("describes the multipart upload and the downloads", async () => {
    const doc = (await api("GET", "/openapi.json")).body;
    const upload = doc.paths["/v1.0/storage_files"].post;
    const form = upload.requestBody.content["multipart/form-data"].schema;
    const schema = form.$ref ? doc.components.schemas[form.$ref.split("/").pop()] : form;
    expect(schema.properties.file).toMatchObject({ type: "string", format: "binary" });
    expect(schema.required).toEqual(["file"]);
    expect(Object.keys(upload.responses)).toEqual(expect.arrayContaining(["200", "413", "415"]));
    for (const path of ["/v1.0/storage_files/{id}/file", "/v1.0/files/{id}/file"]) {
      expect(doc.paths[path].get.responses["200"].content["application/octet-stream"]).toBeDefined();
    }
    const file = doc.components.schemas.File.properties;
    for (const field of [
      "owner_type",
      "owner_id",
      "reference_type",
      "reference_id",
      "type",
      "filename",
      "filesize",
      "uri_download",
    ]) {
      expect(file[field], field).toBeDefined();
    }
  });
});

describe("storage files: tenants, deletion and cleanup", () => {
  it("another customer's file is 404 on get, download and delete, and its bytes stay", async () => {
    const a = await createCustomer();
    const b = await createCustomer();
    const file = (await upload(a.token, "secret of a")).body;
    for (const path of [
      `/v1.0/files/${file.id}`,
      `/v1.0/storage_files/${file.id}/file`,
      `/v1.0/files/${file.id}/file`,
    ]) {
      expectError(await api("GET", path, { token: b.token }), 404, "NOT_FOUND");
    }
    expectError(await api("DELETE", `/v1.0/files/${file.id}`, { token: b.token }), 404, "NOT_FOUND");
    expect(await objectKeys(a.id)).toEqual([`${a.id}/${file.id}`]);
    expect((await download(a.token, `/v1.0/storage_files/${file.id}/file`)).status).toBe(200);
  });

  it("deleting the file deletes its object", async () => {
    const c = await createCustomer();
    const keep = (await upload(c.token, "keep")).body;
    const gone = (await upload(c.token, "gone")).body;
    const res = await api("DELETE", `/v1.0/files/${gone.id}`, { token: c.token });
    expect(res.status).toBe(200);
    expect(await objectKeys(c.id)).toEqual([`${c.id}/${keep.id}`]);
    expectError(await api("GET", `/v1.0/storage_files/${gone.id}/file`, { token: c.token }), 404, "NOT_FOUND");
  });

  it("an upload whose row insert fails leaves neither row nor object", async () => {
    const c = await createCustomer();
    // A real D1 failure at the second write, for this customer only.
    await env.DB.prepare(
      `CREATE TRIGGER fail_file_insert_${c.id.replaceAll("-", "")} BEFORE INSERT ON files WHEN NEW.customer_id = '${c.id}'
       BEGIN SELECT RAISE(ABORT, 'injected insert failure'); END`,
    ).run();
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const res = await upload(c.token, "half-done");
      expect(res.status).toBe(500);
    } finally {
      errors.mockRestore();
      await env.DB.prepare(`DROP TRIGGER fail_file_insert_${c.id.replaceAll("-", "")}`).run();
    }
    expect(await countRows("files", c.id)).toBe(0);
    expect(await objectKeys(c.id)).toEqual([]);
  });

  it("an upload that races the customer's deletion keeps neither row nor object", async () => {
    const c = await createCustomer();
    // The deletion lands between the credential check and the row's insert.
    const trigger = `leave_during_upload_${c.id.replaceAll("-", "")}`;
    await env.DB.prepare(
      `CREATE TRIGGER ${trigger} AFTER INSERT ON files WHEN NEW.customer_id = '${c.id}'
       BEGIN UPDATE customers SET status = 'deleted' WHERE id = NEW.customer_id; END`,
    ).run();
    try {
      expectError((await upload(c.token, "too late")) as any, 403, "PERMISSION_DENIED", "ACCOUNT_NOT_ACTIVE");
    } finally {
      await env.DB.prepare(`DROP TRIGGER ${trigger}`).run();
    }
    expect(await countRows("files", c.id)).toBe(0);
    expect(await objectKeys(c.id)).toEqual([]);
  });

  it("the cron removes objects with no row once they are old enough, and only those", async () => {
    const c = await createCustomer();
    const kept = (await upload(c.token, "has a row")).body;
    // As left by an upload that died between its object and its row, or a delete before its object.
    const orphanId = crypto.randomUUID();
    await env.FILES_BUCKET.put(`${c.id}/${orphanId}`, "orphan", {
      customMetadata: { customer_id: c.id, file_id: orphanId },
    });
    const orphanKey = `${c.id}/${orphanId}`;
    const keptKey = `${c.id}/${kept.id}`;

    // Young: an upload could still be writing its row.
    await runCron(Date.now());
    expect((await objectKeys(c.id)).sort()).toEqual([keptKey, orphanKey].sort());

    await runCron(Date.now() + ORPHAN_MIN_AGE_MS + 60_000);
    expect(await objectKeys(c.id)).toEqual([keptKey]);
    expect((await download(c.token, `/v1.0/storage_files/${kept.id}/file`)).status).toBe(200);
  });

  it("the cascade deletes a deleted customer's objects and its receipt counts them", async () => {
    const c = await createCustomer();
    const other = await createCustomer();
    for (let i = 0; i < 3; i++) await upload(c.token, `file ${i}`, `f${i}.txt`);
    const otherFile = (await upload(other.token, "theirs")).body;
    // An object whose row was lost goes with the customer too (the prefix is the customer's).
    await env.FILES_BUCKET.put(`${c.id}/${crypto.randomUUID()}`, "stray");
    expect(await objectKeys(c.id)).toHaveLength(4);

    expect((await api("DELETE", `/v1.0/customers/${c.id}`, { token: await adminLogin() })).status).toBe(200);
    let receipt: any;
    await vi.waitFor(
      async () => {
        receipt = (await api("GET", `/v1.0/customers/${c.id}/deletion`, { token: await adminLogin() })).body;
        expect(receipt.status).toBe("finished");
      },
      { timeout: 20_000, interval: 100 },
    );
    expect(receipt.deleted.files).toBe(3);
    expect(receipt.deleted.storage_objects).toBe(4);
    expect(await objectKeys(c.id)).toEqual([]);
    expect(await objectKeys(other.id)).toEqual([`${other.id}/${otherFile.id}`]);
  });
});

describe("storage files: the cascade's object count survives crashes and many chunks", () => {
  /** The bucket as the cascade sees it, failing its first `n` deletes: a crash after counting. */
  function failingDeletes(n: number): Env {
    let left = n;
    const bucket = new Proxy(env.FILES_BUCKET, {
      get(target, prop) {
        if (prop === "delete" && left > 0) {
          return () => {
            left--;
            return Promise.reject(new Error("injected R2 failure"));
          };
        }
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    return { ...env, FILES_BUCKET: bucket };
  }

  async function deletedCustomerWithObjects(n: number) {
    const c = await createCustomer();
    for (let i = 0; i < n; i += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, n - i) }, () => env.FILES_BUCKET.put(`${c.id}/${crypto.randomUUID()}`, "x")),
      );
    }
    await env.DB.batch([
      toD1(env.DB, recordDeletionJob(c.id, Date.now())),
      env.DB.prepare("UPDATE customers SET status = 'deleted' WHERE id = ?").bind(c.id),
    ]);
    return c;
  }

  const storageCount = async (customerId: string) =>
    (await api("GET", `/v1.0/customers/${customerId}/deletion`, { token: await adminLogin() })).body.deleted
      .storage_objects;

  it("a delivery that dies after counting and before deleting is not counted twice", async () => {
    const c = await deletedCustomerWithObjects(3);
    await expect(runCascade(failingDeletes(1), c.id)).rejects.toThrow("injected R2 failure");
    expect(await objectKeys(c.id)).toHaveLength(3);
    expect(await runCascade(env, c.id)).toBe("finished");
    expect(await objectKeys(c.id)).toEqual([]);
    expect(await storageCount(c.id)).toBe(3);
  });

  it("more than one R2 page: every object deleted and counted once", async () => {
    const c = await deletedCustomerWithObjects(1010);
    // A chunk for each kind of row, then one page of objects; the next delivery fails once.
    expect(await runCascade(env, c.id, { chunks: resourceKinds.length + 1 })).toBe("continued");
    expect(await storageCount(c.id)).toBe(1000);
    await expect(runCascade(failingDeletes(1), c.id)).rejects.toThrow("injected R2 failure");
    expect(await runCascade(env, c.id)).toBe("finished");
    expect(await objectKeys(c.id)).toEqual([]);
    expect(await storageCount(c.id)).toBe(1010);
  });
});
