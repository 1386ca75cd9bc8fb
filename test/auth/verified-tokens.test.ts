import { describe, expect, it } from "vitest";
import { issueToken, TOKEN_TTL_SECONDS, VerifiedTokens, verifyToken } from "../../src/auth/jwt";

const agent = { id: "agent-1", username: "alice", customerId: "customer-1", permission: 64, tokenVersion: 3 };
const claims = { agentId: "agent-1", customerId: "customer-1", version: 3, issuedAt: 0 };

// The per-isolate memory of checked signatures must never accept what a fresh check would refuse.
describe("verifyToken with its memory of checked tokens", () => {
  it("accepts a token again, and refuses it once it has expired, even though it was remembered", async () => {
    const now = Date.UTC(2026, 11, 8);
    const token = await issueToken(agent, "secret-a", now);
    expect(await verifyToken(token, "secret-a", now)).toMatchObject({ agentId: "agent-1", version: 3 });
    expect(await verifyToken(token, "secret-a", now + 1000)).toMatchObject({ agentId: "agent-1" });
    expect(await verifyToken(token, "secret-a", now + TOKEN_TTL_SECONDS * 1000)).toBeNull();
  });

  it("refuses a remembered token under another secret (the secret was rotated)", async () => {
    const token = await issueToken(agent, "secret-b");
    expect(await verifyToken(token, "secret-b")).not.toBeNull();
    expect(await verifyToken(token, "secret-c")).toBeNull();
  });

  it("refuses a token whose payload was changed after a valid one was remembered", async () => {
    const token = await issueToken(agent, "secret-d");
    expect(await verifyToken(token, "secret-d")).not.toBeNull();
    const [header, payload = "", signature] = token.split(".");
    const changed = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/")));
    changed.permission = 1;
    const forged = `${header}.${btoa(JSON.stringify(changed)).replace(/=+$/, "")}.${signature}`;
    expect(await verifyToken(forged, "secret-d")).toBeNull();
  });
});

describe("VerifiedTokens", () => {
  it("keeps at most its capacity, dropping the oldest first", () => {
    const memory = new VerifiedTokens(2);
    memory.set("t1", "s", claims, 10_000);
    memory.set("t2", "s", claims, 10_000);
    memory.set("t3", "s", claims, 10_000);
    expect(memory.size).toBe(2);
    expect(memory.get("t1", "s", 0)).toBeUndefined();
    expect(memory.get("t2", "s", 0)).toEqual(claims);
    expect(memory.get("t3", "s", 0)).toEqual(claims);
  });

  it("forgets an entry that has expired or was checked under another secret", () => {
    const memory = new VerifiedTokens(10);
    memory.set("t1", "s", claims, 1_000);
    memory.set("t2", "s", claims, 5_000);
    expect(memory.get("t1", "s", 1_000)).toBeUndefined();
    expect(memory.get("t2", "other", 0)).toBeUndefined();
    expect(memory.size).toBe(0);
  });
});
