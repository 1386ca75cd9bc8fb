// Plan limits and usage (issue 17). The limit is a condition inside the create's INSERT; this
// measures what that costs. A create on a limited plan runs side by side with the same create on
// the unlimited plan, with 0 and with 10,000 existing rows of the kind, and the usage read runs
// next to a floor Worker that runs its very statement (bench/workers/floor-usage.mjs).
//
// The kind is the number: the one kind whose rows can be 10,000 while a limited plan still lets
// creates through, since only its virtual (+899) numbers count. Each connection creates a virtual
// number and deletes it again (autocannon request pairs), so the count stays under the plan's
// limit (basic: 50 virtual numbers, well over the connections) at any run length. Flows are the
// other end: their cap (10,000) is the same on every plan, and its check counts up to 10,000
// rows, so they are measured at 0 and near the cap on one plan, for what the count costs.
import { createCustomer } from "../lib/api.mjs";
import { runLoad } from "../lib/load.mjs";
import { median, ratio, spread } from "../lib/stats.mjs";

const LIMITED = "basic";
const EXISTING = 10_000;
const FLOWS_NEAR_CAP = 9_950;

let numberSeq = 0;
const numberBase = Math.floor(Math.random() * 9e5) * 1e5;
/** A virtual number no other request of the run sends (+899 and 11 digits). */
const nextVirtual = () => `+899${String(numberBase + numberSeq++).padStart(11, "0")}`;

/** count rows of a kind for a customer, in one INSERT … SELECT from a generated sequence. */
async function seed(db, customerId, table, count, extra = {}) {
  const columns = ["id", "customer_id", "tm_create", "tm_update", ...Object.keys(extra)];
  const values = [
    "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))",
    "?1",
    "?2 - n",
    "?2 - n",
    ...Object.values(extra),
  ];
  await db
    .prepare(
      `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${Number(count)}) ` +
        `INSERT INTO "${table}" (${columns.join(", ")}) SELECT ${values.join(", ")} FROM seq`,
    )
    .bind(customerId, Date.now() - 3_600_000)
    .run();
}

const BODIES = {
  numbers: () => ({ name: "bench", number: nextVirtual() }),
  flows: () => ({ name: "bench", actions: [{ type: "answer" }] }),
};

/**
 * Create-then-delete on each connection: the create is the measured write; the delete keeps the
 * count level. A recipe for the load generator's process (lib/load.mjs): it holds functions.
 */
export function createDeletePairs(token, kind) {
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
  return [
    {
      method: "POST",
      path: `/v1.0/${kind}`,
      headers,
      setupRequest: (req) => ({ ...req, body: JSON.stringify(BODIES[kind]()) }),
      onResponse: (status, resBody, context) => {
        context.id = status === 200 ? JSON.parse(resBody).id : undefined;
      },
    },
    {
      method: "DELETE",
      headers: { Authorization: `Bearer ${token}` },
      // No id (the create failed): skip to the next create; the failure is counted as non-2xx.
      setupRequest: (req, context) => (context.id ? { ...req, path: `/v1.0/${kind}/${context.id}` } : null),
    },
  ];
}

const pairs = (base, token, kind) => ({
  url: base,
  recipe: { module: import.meta.url, name: "createDeletePairs", args: [token, kind] },
});

async function onPlan(api, adminToken, customer, plan) {
  const token = await api.login(customer.username, customer.password);
  const account = await api.ok("POST", "/v1.0/billing_accounts", { token, body: { name: plan } });
  await api.ok("PUT", "/v1.0/customer/billing_account_id", { token, body: { billing_account_id: account.id } });
  await api.ok("PUT", `/v1.0/billing_accounts/${account.id}/plan_type`, {
    token: adminToken,
    body: { plan_type: plan },
  });
  const usage = await api.ok("GET", "/v1.0/customer/usage", { token });
  if (usage.plan_type !== plan) throw new Error(`customer ${customer.id} is on ${usage.plan_type}, not ${plan}`);
  return { ...customer, token };
}

export async function limitsPhase({ P, log, api, urls, db, adminToken, loadavg, errors }) {
  log(`plan limits: customers on ${LIMITED} and unlimited, with 0 and ${EXISTING.toLocaleString("en-US")} numbers`);
  const make = async (label, plan) => onPlan(api, adminToken, await createCustomer(api, adminToken, label), plan);
  const customers = {
    limited0: await make("limited-0", LIMITED),
    unlimited0: await make("unlimited-0", "unlimited"),
    limited10k: await make("limited-10k", LIMITED),
    unlimited10k: await make("unlimited-10k", "unlimited"),
    flows: await make("flows", "unlimited"),
    flowsNearCap: await make("flows-cap", "unlimited"),
  };
  // Ordinary (PSTN) numbers: rows of the kind that no plan limits, so creates still pass.
  const pstn = (n) => `'+1555' || printf('%010d', ${n} + n)`;
  await seed(db, customers.limited10k.id, "numbers", EXISTING, { number: pstn(1_000_000_000) });
  await seed(db, customers.unlimited10k.id, "numbers", EXISTING, { number: pstn(2_000_000_000) });
  await seed(db, customers.flowsNearCap.id, "flows", FLOWS_NEAR_CAP);

  const { numbers: number, flows: flow } = BODIES;
  const cases = {
    limited0: { label: `create + delete a virtual number, ${LIMITED} plan, 0 numbers`, kind: "numbers", body: number },
    unlimited0: { label: "the same, unlimited plan, 0 numbers", kind: "numbers", body: number },
    limited10k: {
      label: `create + delete a virtual number, ${LIMITED} plan, ${EXISTING.toLocaleString("en-US")} numbers`,
      kind: "numbers",
      body: number,
    },
    unlimited10k: {
      label: `the same, unlimited plan, ${EXISTING.toLocaleString("en-US")} numbers`,
      kind: "numbers",
      body: number,
    },
    flows: { label: "create + delete a flow, 0 flows (cap 10,000 on every plan)", kind: "flows", body: flow },
    flowsNearCap: {
      label: `create + delete a flow, ${FLOWS_NEAR_CAP.toLocaleString("en-US")} flows (the cap's count at its longest)`,
      kind: "flows",
      body: flow,
    },
  };
  const usageCustomer = customers.limited10k;
  const targets = {
    ...Object.fromEntries(
      Object.entries(cases).map(([key, c]) => [key, pairs(urls.main, customers[key].token, c.kind)]),
    ),
    usage: { url: `${urls.main}/v1.0/customer/usage`, headers: { Authorization: `Bearer ${usageCustomer.token}` } },
    usageFloor: { url: `${urls.floorUsage}/?id=${usageCustomer.id}` },
  };

  // D1 calls of one create on each plan, through the instrumented copy; and of the usage read.
  const calls = {};
  const instrumentedCreate = async (key, c) => {
    const res = await fetch(`${urls.instrumented}/v1.0/${c.kind}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${customers[key].token}`, "Content-Type": "application/json" },
      body: JSON.stringify(c.body()),
    });
    const body = await res.json();
    if (res.status !== 200) throw new Error(`${c.label} -> ${res.status}: ${JSON.stringify(body)}`);
    await api.ok("DELETE", `/v1.0/${c.kind}/${body.id}`, { token: customers[key].token });
    return JSON.parse(res.headers.get("X-Bench-Calls") ?? "null");
  };
  // The isolate's first write also takes over expired webhook claims (once a minute per isolate,
  // src/webhooks/dispatch.ts): an unmeasured create first, so that no case is charged for it.
  const [firstKey, firstCase] = Object.entries(cases)[0];
  await instrumentedCreate(firstKey, firstCase);
  for (const [key, c] of Object.entries(cases)) calls[key] = await instrumentedCreate(key, c);
  const usageRes = await fetch(`${urls.instrumented}/v1.0/customer/usage`, { headers: targets.usage.headers });
  const usageBody = await usageRes.json();
  if (usageRes.status !== 200 || usageBody.resources.numbers.count !== EXISTING)
    throw new Error(`usage read -> ${usageRes.status}: ${JSON.stringify(usageBody).slice(0, 300)}`);
  calls.usage = JSON.parse(usageRes.headers.get("X-Bench-Calls") ?? "null");

  const keys = Object.keys(targets);
  log(`plan limits: ${keys.length} loads × ${P.runs} runs × ${P.duration} s, ${P.connections} connections`);
  if (P.warmup > 0)
    for (const key of keys) await runLoad(targets[key], { connections: P.connections, duration: P.warmup });
  const runs = [];
  for (let r = 0; r < P.runs; r++) {
    const run = {};
    const order = keys.map((_, i) => keys[(i + r) % keys.length]);
    for (const key of order)
      run[key] = await runLoad(targets[key], { connections: P.connections, duration: P.duration });
    runs.push(run);
    log(
      `  run ${r + 1}/${P.runs}: ${keys.map((k) => `${k} ${run[k].rps.toFixed(0)}/s`).join(", ")}; load avg ${loadavg()}`,
    );
  }
  for (const key of keys) {
    const bad = runs.reduce((n, run) => n + run[key].non2xx + run[key].errors, 0);
    if (bad)
      errors.push({
        phase: "limits",
        message: `${key}: ${bad} non-2xx/errored responses (${JSON.stringify(runs.map((run) => run[key].codes))})`,
      });
  }
  const perRun = (f) => spread(runs.map(f));
  const summary = (key, label) => ({
    label,
    // A pair is two requests; rps counts both, so a create's rate is half of it.
    rps: median(runs.map((run) => run[key].rps)),
    p50: median(runs.map((run) => run[key].p50)),
    p99: median(runs.map((run) => run[key].p99)),
    cpuMsPerReq: median(runs.map((run) => run[key].cpuMsPerReq)),
    loaderCpuShare: median(runs.map((run) => run[key].loaderCpuShare)),
    calls: calls[key] ?? null,
  });
  return {
    plan: LIMITED,
    existing: EXISTING,
    cases: {
      ...Object.fromEntries(Object.entries(cases).map(([key, c]) => [key, summary(key, c.label)])),
      usage: summary("usage", "GET /v1.0/customer/usage (JWT; the customer with 10,000 numbers)"),
      usageFloor: { ...summary("usageFloor", "floor: the usage statement alone, prepared"), calls: { d1: 1 } },
    },
    // Each a ratio within a run, then its median and range over runs.
    limitedVsUnlimited0: perRun((run) => ratio(run.limited0.rps, run.unlimited0.rps)),
    limitedVsUnlimited10k: perRun((run) => ratio(run.limited10k.rps, run.unlimited10k.rps)),
    flowsNearCapVsEmpty: perRun((run) => ratio(run.flowsNearCap.rps, run.flows.rps)),
    usageVsFloor: perRun((run) => ratio(run.usage.rps, run.usageFloor.rps)),
    runs,
  };
}
