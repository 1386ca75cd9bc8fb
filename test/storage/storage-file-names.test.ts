import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { contentDisposition, uploadFilename } from "../../src/routes/storage-files/upload";
import { BASE, createCustomer } from "../helpers";

// Issue 21 #10: an upload's filename is cut to 255 code points, never inside a surrogate pair,
// and no filename makes the upload or the download answer 5xx.

async function upload(token: string, filename: string) {
  const form = new FormData();
  form.append("file", new File(["bytes"], filename, { type: "text/plain" }));
  const res = await SELF.fetch(`${BASE}/v1.0/storage_files`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}` },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe("upload filenames", () => {
  const cases: [string, string, string][] = [
    // [what, sent, stored]
    ["300 emoji: a UTF-16 cut at 255 would split the 128th", "😀".repeat(300), "😀".repeat(255)],
    ["two letters then emoji: the cut falls on a pair's first half", `ab${"😀".repeat(300)}`, `ab${"😀".repeat(253)}`],
    ["a family emoji (ZWJ sequence) at the edge", `${"x".repeat(253)}👩‍👩‍👧`, `${"x".repeat(253)}👩\u200d`],
    ["255 ASCII characters: unchanged", "n".repeat(255), "n".repeat(255)],
    ["a control character and a backslash", "a\\b\u0001c.txt", "a\\b\u0001c.txt"],
  ];

  it.each(cases)("%s", async (_what, sent, stored) => {
    const c = await createCustomer();
    const res = await upload(c.token, sent);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.filename).toBe(stored);
    expect(res.body.filename.isWellFormed()).toBe(true);
    const dl = await SELF.fetch(`${BASE}/v1.0/storage_files/${res.body.id}/file`, {
      headers: { Authorization: `Bearer ${c.token}` },
    });
    expect(dl.status).toBe(200);
    await dl.arrayBuffer();
    const disposition = dl.headers.get("Content-Disposition")!;
    // The exact name travels in filename* (RFC 8187), the fallback is printable ASCII.
    const encoded = /filename\*=UTF-8''(.*)$/.exec(disposition)![1]!;
    expect(decodeURIComponent(encoded)).toBe(stored);
    expect(/filename="([\x20-\x7e]*)"/.test(disposition)).toBe(true);
  });
});

describe("uploadFilename and contentDisposition (pure)", () => {
  it("cut by code point, and never throw on a lone surrogate", () => {
    expect(uploadFilename("😀".repeat(256))).toBe("😀".repeat(255));
    expect(() => contentDisposition("a\ud800b")).not.toThrow();
    expect(contentDisposition("a\ud800b")).toContain("filename*=UTF-8''a%EF%BF%BDb");
  });
});
