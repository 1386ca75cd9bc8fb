import { describe, expect, it } from "vitest";
import { adminLogin, api, createCustomer } from "../helpers";

describe("smoke", () => {
  it("logs the super admin in and creates a customer", async () => {
    const token = await adminLogin();
    expect(token.split(".")).toHaveLength(3);
    const c = await createCustomer();
    const me = await api("GET", "/v1.0/customer", { token: c.token });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(c.id);
    expect(me.body.webhook_secret).toMatch(/^whsec_/);
  });
});
