import { env, SELF } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import {
  ACCOUNT_WINDOW_MS,
  FAILURE_WINDOW_MS,
  limiterClient,
  MAX_FAILURES_PER_ACCOUNT,
  MAX_FAILURES_PER_ACCOUNT_AND_CLIENT,
  MAX_FAILURES_PER_CLIENT,
  MAX_FAILURES_PER_DEVICE,
} from "../../src/auth/attempt-limiter";
import { issueDeviceToken, verifyDeviceToken } from "../../src/auth/device-token";
import { ADMIN, api, BASE, createCustomer, expectError, unique } from "../helpers";
import { callAndSettle, mailbox } from "../helpers/mail";

// Issue 21, defects 12 and 13: whatever number of addresses an attacker has, an account gets a
// small fixed number of guesses an hour, and its owner's known devices still sign in.

let ipSeq = 0;
/** A client address no other test uses. */
const newClient = () => `203.0.${113 + Math.floor(ipSeq / 250)}.${(ipSeq++ % 250) + 1}`;
let v6Seq = 0;
/** Another address (and spelling) inside one IPv6 /64. */
const inV6Net = (net: string) => {
  const n = ++v6Seq;
  return n % 2 ? `${net}::${n.toString(16)}` : `${net}:${n.toString(16)}:0:0:${(n * 7).toString(16)}`.toUpperCase();
};

let box: ReturnType<typeof mailbox> | undefined;
afterEach(() => {
  box?.stop();
  box = undefined;
});

interface Account {
  username: string;
  password: string;
  /** The device token of the owner's known device (from a login before the attack). */
  device: string;
  /** The same device as a browser holds it: the login's Set-Cookie. */
  cookie: string;
}

async function login(username: string, password: string, client: string, device?: string, cookie?: string) {
  return api("POST", "/auth/login", {
    body: { username, password, ...(device ? { device_token: device } : {}) },
    headers: { "CF-Connecting-IP": client, ...(cookie ? { Cookie: cookie } : {}) },
  });
}

/** The account, signed in once from its owner's device before anything happens. */
async function knownDevice(username: string, password: string): Promise<Account> {
  const res = await login(username, password, newClient());
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("vb_device_"));
  return { username, password, device: res.body.device_token, cookie: cookie?.split(";")[0] ?? "" };
}

type Who = "owner" | "stranger";
/** Where an attempt comes from: one named address, a fresh address each time, or one of many in a /64. */
type From = { at: string } | "fresh" | { v6: string };
/** What the client presents: nothing, the device token in the body, or as the browser's cookie. */
type Device = "none" | "token" | "cookie";

interface Step {
  note: string;
  who: Who;
  from: From;
  device?: Device;
  password: "right" | "wrong";
  times?: number;
  expect: 200 | 401 | 429;
  /** Bounds of Retry-After on a 429. */
  retryAfter?: [min: number, max: number];
}

interface Scenario {
  name: string;
  /** The account under attack: a customer's admin, or the project super admin. */
  account: "customer" | "super admin";
  steps: (shared: string) => Step[];
}

const HOUR_S = ACCOUNT_WINDOW_MS / 1000;
const QUARTER_S = FAILURE_WINDOW_MS / 1000;

const distributed = (account: Scenario["account"]): Scenario => ({
  name: `a distributed guess from many IPv4 addresses against the ${account} stays within the hourly budget; its known device still signs in`,
  account,
  steps: (shared) => [
    {
      note: "the budget",
      who: "owner",
      from: "fresh",
      password: "wrong",
      times: MAX_FAILURES_PER_ACCOUNT,
      expect: 401,
    },
    {
      note: "spent",
      who: "owner",
      from: "fresh",
      password: "wrong",
      times: 3,
      expect: 429,
      retryAfter: [HOUR_S - 300, HOUR_S],
    },
    // Guessing right does not get through either: no guess is checked once the budget is spent ...
    { note: "new device", who: "owner", from: "fresh", password: "right", expect: 429 },
    // ... but the owner's known device is not held back, from anywhere, the attackers' addresses included.
    { note: "known device", who: "owner", from: "fresh", device: "token", password: "right", expect: 200 },
    { note: "known browser", who: "owner", from: { at: shared }, device: "cookie", password: "right", expect: 200 },
  ],
});

const scenarios: Scenario[] = [
  distributed("customer"),
  {
    name: "a distributed guess from one IPv6 /64 counts as one client; the owner's device in that /64 signs in",
    account: "customer",
    steps: () => [
      {
        note: "pair budget",
        who: "owner",
        from: { v6: "2001:db8:1:1" },
        password: "wrong",
        times: MAX_FAILURES_PER_ACCOUNT_AND_CLIENT,
        expect: 401,
      },
      {
        note: "spent",
        who: "owner",
        from: { v6: "2001:db8:1:1" },
        password: "wrong",
        times: 5,
        expect: 429,
        retryAfter: [QUARTER_S - 300, QUARTER_S],
      },
      {
        note: "known device",
        who: "owner",
        from: { v6: "2001:db8:1:1" },
        device: "token",
        password: "right",
        expect: 200,
      },
      // The next /64 is another client.
      { note: "next /64", who: "owner", from: { v6: "2001:db8:1:2" }, password: "wrong", expect: 401 },
    ],
  },
  {
    name: "a spray from one shared address (many accounts) does not stop a known device behind it",
    account: "customer",
    steps: (shared) => [
      {
        note: "spray",
        who: "stranger",
        from: { at: shared },
        password: "wrong",
        times: MAX_FAILURES_PER_CLIENT,
        expect: 401,
      },
      {
        note: "address spent",
        who: "stranger",
        from: { at: shared },
        password: "wrong",
        expect: 429,
        retryAfter: [QUARTER_S - 300, QUARTER_S],
      },
      { note: "new device behind it", who: "owner", from: { at: shared }, password: "right", expect: 429 },
      {
        note: "known device behind it",
        who: "owner",
        from: { at: shared },
        device: "token",
        password: "right",
        expect: 200,
      },
      {
        note: "known browser behind it",
        who: "owner",
        from: { at: shared },
        device: "cookie",
        password: "right",
        expect: 200,
      },
      // The accounts are not locked: elsewhere anyone signs in.
      { note: "elsewhere", who: "owner", from: "fresh", password: "right", expect: 200 },
    ],
  },
  {
    name: "a known device has a budget of its own; past it, it counts like any other client",
    account: "customer",
    steps: (shared) => [
      {
        note: "device budget",
        who: "owner",
        from: { at: shared },
        device: "token",
        password: "wrong",
        times: MAX_FAILURES_PER_DEVICE,
        expect: 401,
      },
      {
        note: "then the pair's",
        who: "owner",
        from: { at: shared },
        device: "token",
        password: "wrong",
        times: MAX_FAILURES_PER_ACCOUNT_AND_CLIENT,
        expect: 401,
      },
      { note: "both spent", who: "owner", from: { at: shared }, device: "token", password: "right", expect: 429 },
      { note: "another client", who: "owner", from: "fresh", password: "right", expect: 200 },
    ],
  },
  // Last: it spends the super admin's budget for the rest of this file.
  distributed("super admin"),
];

function clientOf(from: From): string {
  if (from === "fresh") return newClient();
  return "at" in from ? from.at : inV6Net(from.v6);
}

describe("login limits (table-driven)", () => {
  it.each(scenarios)(
    "$name",
    async ({ account, steps }) => {
      const owner =
        account === "super admin"
          ? await knownDevice(ADMIN.username, ADMIN.password)
          : await createCustomer().then((c) => knownDevice(c.username, c.password));
      for (const step of steps(newClient())) {
        const times = step.times ?? 1;
        // Independent attempts go out in parallel batches; the limits must still count each one.
        for (let done = 0; done < times; done += 10) {
          const batch = Array.from({ length: Math.min(10, times - done) }, () => {
            const username = step.who === "stranger" ? `${unique("sprayed")}@example.com` : owner.username;
            const password = step.password === "right" ? owner.password : `wrong-${crypto.randomUUID()}`;
            const device = step.device === "token" ? owner.device : undefined;
            const cookie = step.device === "cookie" ? owner.cookie : undefined;
            return login(username, password, clientOf(step.from), device, cookie);
          });
          for (const res of await Promise.all(batch)) {
            expect(res.status, `${step.note}: ${JSON.stringify(res.body)}`).toBe(step.expect);
            if (step.expect === 429) {
              expectError(res, 429, "RESOURCE_EXHAUSTED", "TOO_MANY_ATTEMPTS");
              const retryAfter = Number(res.headers.get("Retry-After"));
              expect(retryAfter, step.note).toBeGreaterThanOrEqual(step.retryAfter?.[0] ?? 1);
              expect(retryAfter, step.note).toBeLessThanOrEqual(step.retryAfter?.[1] ?? HOUR_S);
            }
          }
        }
      }
    },
    240_000,
  );
});

describe("login limits", () => {
  it("an owner on a new device during an attack gets in through the reset mail, which issues a device token", async () => {
    const email = `${unique("owner")}@example.com`;
    await createCustomer({ username: email, email });
    const guesses = Array.from({ length: MAX_FAILURES_PER_ACCOUNT }, (_, i) => i);
    for (let i = 0; i < guesses.length; i += 10)
      await Promise.all(guesses.slice(i, i + 10).map((n) => login(email, `guess-${n}`, newClient())));
    expect((await login(email, "correct-horse-battery", newClient())).status).toBe(429);

    box = mailbox();
    expect((await callAndSettle("POST", "/auth/password-forgot", { body: { username: email } })).status).toBe(200);
    const reset = await api("POST", "/auth/password-reset", {
      body: { token: await box.resetToken(email), password: "a-brand-new-password" },
    });
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    expect(reset.headers.getSetCookie().some((c) => c.startsWith("vb_device_") && c.includes("Path=/auth/login"))).toBe(
      true,
    );
    const res = await login(email, "a-brand-new-password", newClient(), reset.body.device_token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // Still spent for everyone else.
    expect((await login(email, "a-brand-new-password", newClient())).status).toBe(429);
  }, 120_000);

  it("a login answers a device token, and sets it as a cookie only /auth/login gets", async () => {
    const c = await createCustomer();
    const res = await login(c.username, c.password, newClient());
    expect(res.body.device_token).toMatch(/^dv1\.[\w-]+\.\d+\.[\w-]+$/);
    const cookie = res.headers.getSetCookie().find((h) => h.startsWith("vb_device_"));
    expect(cookie).toContain(`=${res.body.device_token};`);
    for (const attribute of ["Path=/auth/login", "HttpOnly", "Secure", "SameSite=Strict", "Max-Age=31536000"])
      expect(cookie).toContain(attribute);
  });

  it("a device token counts only for the account it was issued for, unaltered and unexpired", async () => {
    const [a, b] = await Promise.all([createCustomer(), createCustomer()]);
    const shared = newClient();
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AND_CLIENT; i++)
      expect((await login(a.username, `nope-${i}`, shared)).status).toBe(401);
    const ofB = (await login(b.username, b.password, newClient())).body.device_token as string;
    const [v, nonce, exp, mac] = ofB.split(".");
    const forged = [
      ofB, // another account's
      `${v}.${nonce}.${Number(exp) + 1}.${mac}`, // a later expiry
      `${v}.${nonce}x.${exp}.${mac}`, // another device
      await issueDeviceToken("not-the-secret", a.username),
      await issueDeviceToken(env.JWT_SECRET, a.username, Date.now() - 366 * 24 * 3600_000), // expired
      "dv1....",
      "x".repeat(256),
    ];
    for (const device of forged) {
      const res = await login(a.username, a.password, shared, device);
      expect(res.status, device).toBe(429);
    }
    const tooLong = await login(a.username, a.password, shared, "x".repeat(257));
    expectError(tooLong, 400, "INVALID_ARGUMENT");
    const own = await issueDeviceToken(env.JWT_SECRET, a.username);
    expect(await verifyDeviceToken(env.JWT_SECRET, a.username, own)).not.toBeNull();
    expect((await login(a.username, a.password, shared, own)).status).toBe(200);
  });

  it("only CF-Connecting-IP names the client: a forged X-Real-IP does not make a new client", async () => {
    const c = await createCustomer();
    // Without CF-Connecting-IP every request is the same ("unknown") client, whatever X-Real-IP says.
    const attempt = (password: string) =>
      SELF.fetch(`${BASE}/auth/login`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Real-IP": newClient() },
        body: JSON.stringify({ username: c.username, password }),
      });
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AND_CLIENT; i++) expect((await attempt(`nope-${i}`)).status).toBe(401);
    expect((await attempt(c.password)).status).toBe(429);
    // A real client address is a different client.
    expect((await api("POST", "/auth/login", { body: { username: c.username, password: c.password } })).status).toBe(
      200,
    );
  });

  it("a success clears that client's failures on the account", async () => {
    const c = await createCustomer();
    const client = newClient();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AND_CLIENT - 1; i++)
        expect((await login(c.username, `nope-${i}`, client)).status).toBe(401);
      expect((await login(c.username, c.password, client)).status).toBe(200);
    }
  });

  it("per-client limits count an IPv6 client by its /64 (unit)", () => {
    const cases: [string, string][] = [
      ["192.0.2.7", "192.0.2.7"],
      ["2001:db8:1:1::1", "2001:db8:1:1::/64"],
      ["2001:0DB8:0001:0001:ffff:0:0:12c", "2001:db8:1:1::/64"],
      ["2001:db8:1:1:1:2:3:4", "2001:db8:1:1::/64"],
      ["2001:db8::1", "2001:db8:0:0::/64"],
      ["::1", "0:0:0:0::/64"],
      ["::ffff:192.0.2.7", "192.0.2.7"],
      ["64:ff9b::192.0.2.7", "64:ff9b:0:0::/64"],
      ["not an address", "not an address"],
      ["1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8:9"],
    ];
    for (const [ip, client] of cases) expect(limiterClient(ip), ip).toBe(client);
  });
});
