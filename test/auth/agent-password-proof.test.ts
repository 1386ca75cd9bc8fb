import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_FAILURES_PER_ACCOUNT_AND_CLIENT } from "../../src/auth/attempt-limiter";
import { issueToken } from "../../src/auth/jwt";
import { api, createCustomer, expectError, type TestCustomer, unique } from "../helpers";
import { createResource } from "../helpers/resources";

// Issue 21, defect 18: a stolen token alone does not change its agent's password. An agent
// changing its own password proves it: current_password, or a token from a login in the last
// 5 minutes. A CustomerAdmin setting another agent's password is unchanged.

const MINUTE = 60_000;

/** A token of `username` as a login `ageMs` ago would have issued it (still valid: tokens last 7 days). */
async function tokenIssuedAgo(username: string, ageMs: number): Promise<string> {
  const agent = (await env.DB.prepare(
    "SELECT id, username, customer_id AS customerId, permission, token_version AS tokenVersion FROM agents WHERE username = ?",
  )
    .bind(username)
    .first<{ id: string; username: string; customerId: string; permission: number; tokenVersion: number }>())!;
  return issueToken(agent, env.JWT_SECRET, Date.now() - ageMs);
}

const agentIdOf = async (username: string) =>
  (await env.DB.prepare("SELECT id FROM agents WHERE username = ?").bind(username).first<{ id: string }>())!.id;

const canLogIn = async (username: string, password: string) =>
  (await api("POST", "/auth/login", { body: { username, password } })).status === 200;

interface Case {
  name: string;
  /** Whose token: the agent's own, or its customer's admin (for another agent). */
  caller: "self" | "admin";
  tokenAgeMs: number;
  current?: "right" | "wrong";
  expect: { status: 200 | 401 | 403; reason?: string };
}

const cases: Case[] = [
  {
    name: "own token from an old login, no proof",
    caller: "self",
    tokenAgeMs: 10 * MINUTE,
    expect: { status: 403, reason: "RECENT_LOGIN_REQUIRED" },
  },
  {
    name: "own token from an old login, wrong current_password",
    caller: "self",
    tokenAgeMs: 10 * MINUTE,
    current: "wrong",
    expect: { status: 401, reason: "INVALID_PASSWORD" },
  },
  {
    name: "own token from an old login, right current_password",
    caller: "self",
    tokenAgeMs: 10 * MINUTE,
    current: "right",
    expect: { status: 200 },
  },
  // What the platform's clients send (only `password`) works right after a login.
  {
    name: "own token from a login a minute ago, no proof",
    caller: "self",
    tokenAgeMs: MINUTE,
    expect: { status: 200 },
  },
  {
    name: "a fresh token with a wrong current_password",
    caller: "self",
    tokenAgeMs: 0,
    current: "wrong",
    expect: { status: 401, reason: "INVALID_PASSWORD" },
  },
  {
    name: "an admin's old token, another agent's password",
    caller: "admin",
    tokenAgeMs: 10 * MINUTE,
    expect: { status: 200 },
  },
];

describe("PUT /v1.0/agents/{id}/password: proof of the owner (table-driven)", () => {
  it.each(cases)("$name → $expect.status", async ({ caller, tokenAgeMs, current, expect: want }) => {
    const c = await createCustomer();
    const agent = await createResource(c.token, "agents");
    const target =
      caller === "self"
        ? { username: c.username, password: c.password }
        : { username: agent.username, password: "agent-password-1" };
    const id = await agentIdOf(target.username);
    const token = await tokenIssuedAgo(c.username, tokenAgeMs);
    const newPassword = unique("new-password-");
    const body = {
      password: newPassword,
      ...(current ? { current_password: current === "right" ? target.password : "not-my-password" } : {}),
    };
    const res = await api("PUT", `/v1.0/agents/${id}/password`, { token, body });
    if (want.status === 200) {
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(await canLogIn(target.username, newPassword)).toBe(true);
      expect(await canLogIn(target.username, target.password)).toBe(false);
    } else {
      expectError(res, want.status, want.status === 401 ? "UNAUTHENTICATED" : "PERMISSION_DENIED", want.reason);
      // Nothing changed: the old password still logs in, and the caller's token still works.
      expect(await canLogIn(target.username, target.password)).toBe(true);
      expect((await api("GET", "/v1.0/customer", { token })).status).toBe(200);
    }
  });
});

describe("PUT /v1.0/agents/{id}/password: guessing current_password", () => {
  it("is limited like a login: past the per-client limit, 429 even for the right password", async () => {
    const c: TestCustomer = await createCustomer();
    const id = await agentIdOf(c.username);
    const token = await tokenIssuedAgo(c.username, 30 * MINUTE);
    const headers = { "CF-Connecting-IP": "198.51.100.181" };
    const attempt = (current: string) =>
      api("PUT", `/v1.0/agents/${id}/password`, {
        token,
        headers,
        body: { password: "new-password-1", current_password: current },
      });
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AND_CLIENT; i++)
      expectError(await attempt(`guess-${i}`), 401, "UNAUTHENTICATED", "INVALID_PASSWORD");
    const limited = await attempt(c.password);
    expectError(limited, 429, "RESOURCE_EXHAUSTED", "TOO_MANY_ATTEMPTS");
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(await canLogIn(c.username, c.password)).toBe(true);
  });
});
