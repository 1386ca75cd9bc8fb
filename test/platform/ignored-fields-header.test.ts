import { describe, expect, it } from "vitest";
import { headerToken, ignoredFieldsHeaderValue, MAX_IGNORED_FIELDS_HEADER } from "../../src/lib/ignored-fields";
import { adminLogin, api, createCustomer } from "../helpers";

// Issue 21 #9: X-Ignored-Fields names only header tokens (other names percent-encoded), is
// capped with a marker, and no field name (CR, LF, NUL, DEL, non-ASCII) makes a write 5xx.

const TOK = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const MORE = "\\.\\.\\.\\(\\d+ more\\)";
/** Tokens, comma-separated, maybe ending in the marker; or the marker alone. */
const TOKEN_LIST = new RegExp(`^(?:${TOK}(?:,${TOK})*(?:,${MORE})?|${MORE})$`);
const decode = (header: string) =>
  header
    .split(",")
    .filter((item) => !item.startsWith("...("))
    .map((item) => decodeURIComponent(item));

describe("X-Ignored-Fields through the API", () => {
  const names = [
    "a\r\nb",
    "cr\r",
    "lf\n",
    "nul\u0000",
    "del\u007f",
    "tab\t",
    "ünï",
    "日本",
    "😀",
    "50%",
    "with space",
    "a,b",
  ];

  it.each(names)("a field named %j is ignored, named as a token, and the write commits", async (name) => {
    const c = await createCustomer();
    const res = await api("POST", "/v1.0/tags", {
      token: c.token,
      rawBody: JSON.stringify({ name: "kept", [name]: 1 }),
      headers: { "Content-Type": "application/json" },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const header = res.headers.get("X-Ignored-Fields")!;
    expect(header).toMatch(TOKEN_LIST);
    expect(decode(header)).toEqual([name]);
    expect((await api("GET", `/v1.0/tags/${res.body.id}`, { token: c.token })).body.name).toBe("kept");
  });

  it("5,000 unknown fields: a capped header ending in a count of the rest; the write commits and its audit entry names only what changed", async () => {
    const c = await createCustomer();
    const body: Record<string, unknown> = { name: "many" };
    for (let i = 0; i < 5000; i++) body[`f${String(i).padStart(4, "0")}`] = 0;
    const res = await api("POST", "/v1.0/tags", { token: c.token, body });
    expect(res.status).toBe(200);
    const header = res.headers.get("X-Ignored-Fields")!;
    expect(header.length).toBeLessThanOrEqual(MAX_IGNORED_FIELDS_HEADER);
    expect(header).toMatch(TOKEN_LIST);
    const listed = decode(header);
    const more = Number(/\.\.\.\((\d+) more\)$/.exec(header)![1]);
    expect(listed.length).toBeGreaterThan(10);
    expect(listed.length + more).toBe(5000);
    expect(listed).toEqual(Object.keys(body).slice(1, listed.length + 1));
    const audit = await api("GET", `/v1.0/customers/${c.id}/audit?page_size=10`, { token: await adminLogin() });
    const entry = audit.body.result.find((e: any) => e.request_id === res.headers.get("X-Request-Id"));
    expect(entry.changed_fields).toEqual(["name"]);
  });

  it("a PUT with CR/LF/NUL names answers 200, not 500", async () => {
    const c = await createCustomer();
    const tag = await api("POST", "/v1.0/tags", { token: c.token, body: { name: "t" } });
    const res = await api("PUT", `/v1.0/tags/${tag.body.id}`, {
      token: c.token,
      rawBody: JSON.stringify({ detail: "d", "x\r\nSet-Cookie: a=b": 1, "\u0000": 2 }),
      headers: { "Content-Type": "application/json" },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers.get("Set-Cookie")).toBeNull();
    expect(decode(res.headers.get("X-Ignored-Fields")!).sort()).toEqual(["\u0000", "x\r\nSet-Cookie: a=b"].sort());
  });
});

describe("ignoredFieldsHeaderValue (pure)", () => {
  it("keeps tokens as they are and percent-encodes every other byte, % included", () => {
    expect(headerToken("zz_typo")).toBe("zz_typo");
    expect(headerToken("a b")).toBe("a%20b");
    expect(headerToken("100%")).toBe("100%25");
    expect(headerToken("é")).toBe("%C3%A9");
    expect(headerToken("\ud800")).toBe("%EF%BF%BD");
  });

  it("an empty name and a name longer than the cap are counted, not listed", () => {
    expect(ignoredFieldsHeaderValue(["", "b"])).toBe("b,...(1 more)");
    expect(ignoredFieldsHeaderValue(["x".repeat(5000)])).toBe("...(1 more)");
    expect(ignoredFieldsHeaderValue(["b", "a"])).toBe("a,b");
  });

  it("never exceeds the cap, whatever the names", () => {
    for (const n of [1, 10, 100, 5000]) {
      for (const len of [1, 7, 60, 300]) {
        const value = ignoredFieldsHeaderValue(Array.from({ length: n }, (_, i) => `${i}`.padStart(len, "é")));
        expect(value.length).toBeLessThanOrEqual(MAX_IGNORED_FIELDS_HEADER);
        expect(value).toMatch(TOKEN_LIST);
      }
    }
  });
});
