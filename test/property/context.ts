import type fc from "fast-check";
import { adminLogin, api, createAgent, createCustomer, type TestCustomer } from "../helpers";
import { createResource } from "../helpers/resources";
import type { Operation, Sent, Target } from "./document";

// ---- Per-operation context -------------------------------------------------------------------

export interface Ctx {
  token?: string;
  path: string;
  target?: Target;
  customer?: TestCustomer;
  /** Ids a config needs (a billing account, an agent, a verification customer…). */
  ids: Record<string, string>;
}

export interface Expected {
  status: number;
  reason?: string;
}

export interface OpConfig {
  setup(op: Operation): Promise<Ctx>;
  /** Field arbitraries for values whose validity depends on state. */
  valid?(ctx: Ctx): Record<string, fc.Arbitrary<unknown>>;
  /** Makes a generated body usable: unique emails and usernames, real tokens. */
  prepare?(body: Record<string, unknown>, ctx: Ctx): Promise<Record<string, unknown>> | Record<string, unknown>;
  /** The documented answer to a valid body; 200 unless said otherwise. */
  oracle?(body: Record<string, unknown>, ctx: Ctx): Expected;
  /** A fresh caller for each valid run, for routes that change the caller's own account. */
  perRun?(): Promise<Partial<Ctx>>;
  /** Where the stored state can be read back (GET), and the part of the answer to compare. */
  readback?(res: Sent, ctx: Ctx): { path: string; token?: string; shown: any } | null;
  /** Further checks of a success. */
  check?(body: Record<string, unknown>, res: Sent, ctx: Ctx): Promise<void>;
  /** false: the answer does not show the fields sent (login answers a token). */
  echo?: false;
  runs?: number;
}

export const superAdmin = () => adminLogin();

const cache = new Map<string, Promise<Ctx>>();
export const ctxOf = (op: Operation, config: OpConfig) => {
  if (!cache.has(op.key)) cache.set(op.key, config.setup(op));
  return cache.get(op.key)!;
};

export async function ownCustomer(path: string): Promise<Ctx> {
  const customer = await createCustomer();
  return { token: customer.token, path, customer, target: { table: "customers", id: customer.id }, ids: {} };
}

/** A CustomerAgent (16) of a fresh customer, signed in: the caller of the service_agents/me routes. */
export async function ownAgent(path: string): Promise<Ctx> {
  const customer = await createCustomer();
  const agent = await createAgent(customer.id, 16);
  const id = (await api("GET", "/v1.0/service_agents/me", { token: agent.token })).body.id as string;
  return {
    token: agent.token,
    path,
    customer,
    target: { table: "agents", id },
    ids: { id, username: agent.username, password: agent.password },
  };
}

/** A customer for the operator's routes, with a billing account of its own. */
export async function operatorTarget(op: Operation): Promise<Ctx> {
  const customer = await createCustomer();
  const account = await createResource(customer.token, "billing_accounts");
  return {
    token: await superAdmin(),
    path: op.path.replace("{id}", customer.id),
    customer,
    target: { table: "customers", id: customer.id },
    ids: { billing: account.id },
  };
}

export const selfReadback = (res: Sent, ctx: Ctx) => ({ path: "/v1.0/customer", token: ctx.token, shown: res.body });
export const operatorReadback = (res: Sent, ctx: Ctx) => ({
  path: `/v1.0/customers/${ctx.customer!.id}`,
  token: ctx.ids.admin,
  shown: res.body,
});
