// A minimal client for the service's HTTP API, used to set the bench up through real endpoints.

export class Api {
  constructor(base) {
    this.base = base;
  }

  async call(method, path, { token, body, headers = {} } = {}) {
    const h = { ...headers };
    if (token) h.Authorization = `Bearer ${token}`;
    let payload;
    if (body !== undefined) {
      payload = JSON.stringify(body);
      h["Content-Type"] = "application/json";
    }
    const res = await fetch(this.base + path, { method, headers: h, body: payload });
    const text = await res.text();
    let parsed = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed };
  }

  async ok(method, path, options) {
    const res = await this.call(method, path, options);
    if (res.status < 200 || res.status >= 300) {
      throw new Error(
        `${method} ${path} -> ${res.status}: ${typeof res.body === "string" ? res.body : JSON.stringify(res.body)}`,
      );
    }
    return res.body;
  }

  async login(username, password) {
    return (await this.ok("POST", "/auth/login", { body: { username, password } })).token;
  }
}

let seq = 0;
/** A unique username/email pair for customers the bench creates through the API. */
export function uniqueIdentity(prefix = "bench") {
  const tag = `${prefix}-${process.pid.toString(36)}-${Date.now().toString(36)}-${(seq++).toString(36)}`;
  return { username: `${tag}@bench.invalid`, email: `${tag}@bench.invalid` };
}

export const BENCH_PASSWORD = "bench-password-0123456789";

/** Creates an active customer (and its admin agent) as the super admin; returns id + credentials. */
export async function createCustomer(api, adminToken, prefix = "tenant") {
  const { username, email } = uniqueIdentity(prefix);
  const customer = await api.ok("POST", "/v1.0/customers", {
    token: adminToken,
    body: { username, password: BENCH_PASSWORD, name: `Bench ${prefix}`, email },
  });
  return { id: customer.id, username, email, password: BENCH_PASSWORD };
}

/**
 * A CustomerAgent (16) of the tenant, logged in, whose `extension` addresses name `count` of the
 * tenant's extensions (plus one extension it does not own): the caller of the agent's API reads.
 */
export async function agentWithExtensions(api, tenant, count) {
  const { username } = uniqueIdentity("agent");
  await api.ok("POST", "/v1.0/agents", {
    token: tenant.token,
    body: { username, password: BENCH_PASSWORD, name: "Bench agent", permission: 16 },
  });
  const token = await api.login(username, BENCH_PASSWORD);
  const me = await api.ok("GET", "/v1.0/service_agents/me", { token });
  const addresses = [];
  for (let i = 0; i <= count; i++) {
    const ext = await api.ok("POST", "/v1.0/extensions", {
      token: tenant.token,
      body: { name: `Bench desk ${i}`, extension: `${6000 + i}`, password: `bench-sip-secret-${i}` },
    });
    if (i < count) addresses.push({ type: "extension", target: ext.id });
  }
  await api.ok("PUT", "/v1.0/service_agents/me/addresses", { token, body: { addresses } });
  return { id: me.id, token, extensions: count };
}
