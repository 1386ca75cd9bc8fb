import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  DELAY_FREE_FAILURES,
  delayMs,
  MAX_FAILURES_PER_ACCOUNT_AND_CLIENT,
  MAX_FAILURES_PER_CLIENT,
} from "../../src/auth/attempt-limiter";
import { ADMIN, api, BASE, createCustomer, expectError, unique } from "../helpers";

// Issue 12, defect 3: nobody who lacks the password can keep the owner out, and guessing stays bounded.

const CAP_SECONDS = Number(env.LOGIN_DELAY_CAP_SECONDS);
let ipSeq = 0;
/** A client address no other test uses. */
const newClient = () => `203.0.${113 + Math.floor(ipSeq / 250)}.${(ipSeq++ % 250) + 1}`;

interface Account {
  username: string;
  password: string;
}

/** One step: `times` logins by `who` from `client`, each expected to answer `expect` (and a Retry-After within bounds). */
interface Step {
  who: "owner" | "neighbour" | "strangers";
  client: string;
  password: "right" | "wrong";
  times?: number;
  expect: 200 | 401 | 429;
  retryAfter?: [min: number, max: number];
}

interface Scenario {
  name: string;
  /** The steps, given the account under attack, a second account, and accounts nobody owns. */
  steps: (clients: { attackers: string[]; shared: string; owner: string; spray: string }) => Step[];
}

const attackers = Array.from({ length: 3 * DELAY_FREE_FAILURES }, newClient);

const scenarios: Scenario[] = [
  {
    name: "a distributed attack on one account (many clients), then the owner from a new client → 200",
    steps: ({ attackers, owner }) => [
      ...attackers.map((client): Step => ({ who: "owner", client, password: "wrong", expect: 401 })),
      // A client that already failed here is slowed by a delay that has grown to the cap: not locked for the window.
      { who: "owner", client: attackers[0]!, password: "wrong", expect: 429, retryAfter: [1, CAP_SECONDS] },
      { who: "owner", client: owner, password: "right", expect: 200 },
    ],
  },
  {
    name: "one client's typos behind a shared address do not lock out the others behind it",
    steps: ({ shared, owner }) => [
      { who: "neighbour", client: shared, password: "wrong", times: MAX_FAILURES_PER_ACCOUNT_AND_CLIENT, expect: 401 },
      // That (account, client) pair is now limited for the window ...
      { who: "neighbour", client: shared, password: "right", expect: 429, retryAfter: [800, 900] },
      // ... and nothing else: another account behind the same address, and the same account elsewhere.
      { who: "owner", client: shared, password: "right", expect: 200 },
      { who: "neighbour", client: owner, password: "right", expect: 200 },
    ],
  },
  {
    name: "a password spray from one client (many accounts) hits the per-client ceiling",
    steps: ({ spray, owner }) => [
      { who: "strangers", client: spray, password: "wrong", times: MAX_FAILURES_PER_CLIENT, expect: 401 },
      { who: "strangers", client: spray, password: "wrong", expect: 429, retryAfter: [800, 900] },
      { who: "owner", client: spray, password: "right", expect: 429 },
      // The accounts themselves are not locked: their owners elsewhere are unaffected.
      { who: "owner", client: owner, password: "right", expect: 200 },
    ],
  },
];

describe("login limits (table-driven)", () => {
  it.each(scenarios)("$name", async ({ steps }) => {
    const [owner, neighbour] = await Promise.all([createCustomer(), createCustomer()]);
    const accounts: Record<"owner" | "neighbour", Account> = { owner, neighbour };
    const clients = { attackers, shared: newClient(), owner: newClient(), spray: newClient() };
    for (const [n, step] of steps(clients).entries()) {
      const times = step.times ?? 1;
      // Independent attempts go out in parallel batches; the limits must still count each one.
      for (let done = 0; done < times; done += 10) {
        const batch = Array.from({ length: Math.min(10, times - done) }, () => {
          const account: Account =
            step.who === "strangers"
              ? { username: `${unique("sprayed")}@example.com`, password: "x" }
              : accounts[step.who];
          const password = step.password === "right" ? account.password : `wrong-${crypto.randomUUID()}`;
          return api("POST", "/auth/login", {
            body: { username: account.username, password },
            headers: { "CF-Connecting-IP": step.client },
          });
        });
        for (const res of await Promise.all(batch)) {
          expect(res.status, `step ${n}: ${JSON.stringify(res.body)}`).toBe(step.expect);
          if (step.expect === 429) {
            expectError(res, 429, "RESOURCE_EXHAUSTED");
            const retryAfter = Number(res.headers.get("Retry-After"));
            expect(retryAfter, `step ${n}`).toBeGreaterThanOrEqual(step.retryAfter?.[0] ?? 1);
            expect(retryAfter, `step ${n}`).toBeLessThanOrEqual(step.retryAfter?.[1] ?? 900);
          }
        }
      }
    }
  });
});

describe("login limits", () => {
  it("the super admin cannot be locked out by failures from other clients", async () => {
    for (let i = 0; i < 2 * DELAY_FREE_FAILURES; i++) {
      const res = await api("POST", "/auth/login", {
        body: { username: ADMIN.username, password: `guess-${i}` },
        headers: { "CF-Connecting-IP": newClient() },
      });
      expect(res.status).toBe(401);
    }
    const res = await api("POST", "/auth/login", { body: ADMIN, headers: { "CF-Connecting-IP": newClient() } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
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
    const attempt = (password: string) =>
      api("POST", "/auth/login", { body: { username: c.username, password }, headers: { "CF-Connecting-IP": client } });
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AND_CLIENT - 1; i++)
      expect((await attempt(`nope-${i}`)).status).toBe(401);
    expect((await attempt(c.password)).status).toBe(200);
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AND_CLIENT - 1; i++)
      expect((await attempt(`nope-${i}`)).status).toBe(401);
    expect((await attempt(c.password)).status).toBe(200);
  });

  it("the delay grows with the account's failures and stops at the cap (unit)", () => {
    const policy = { freeEvents: DELAY_FREE_FAILURES, baseMs: 1000, capMs: CAP_SECONDS * 1000 };
    expect(delayMs(DELAY_FREE_FAILURES - 1, policy)).toBe(0);
    expect(delayMs(DELAY_FREE_FAILURES, policy)).toBe(1000);
    expect(delayMs(DELAY_FREE_FAILURES + 3, policy)).toBe(8000);
    expect(delayMs(DELAY_FREE_FAILURES + 40, policy)).toBe(CAP_SECONDS * 1000);
    expect(delayMs(1e9, policy)).toBe(CAP_SECONDS * 1000);
  });
});
