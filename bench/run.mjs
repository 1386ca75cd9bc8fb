// `npm run bench [-- --quick] [-- --help]`: builds the Worker, runs it in one local workerd with
// real D1, Durable Object and Queue bindings, measures it against reference workers in the same
// process, prints Markdown tables and writes bench/results.json. See bench/README.md.
// The phases live in bench/phases/, one file each; this file is the parameters and the order.
import { createRequire } from "node:module";
import { cpus, totalmem, type as osType, release as osRelease } from "node:os";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { agentWithExtensions, Api, createCustomer } from "./lib/api.mjs";
import { build, bundleFloorUsage, bundlePeer, bundleSize } from "./lib/build.mjs";
import { closeLoader } from "./lib/load.mjs";
import { loaderShares, renderReport } from "./lib/report.mjs";
import { benchBindings, BENCH_DIR, readMigrations, readProject, ROOT, startRuntime } from "./lib/runtime.mjs";
import { databaseBytes, seedCustomers } from "./lib/seed.mjs";
import { measureStartup } from "./lib/startup.mjs";
import { targets } from "./lib/targets.mjs";
import { cascadePhase } from "./phases/cascade.mjs";
import { deepPages } from "./phases/deep.mjs";
import { limitsPhase } from "./phases/limits.mjs";
import { passwordHashing } from "./phases/pbkdf2.mjs";
import { soak } from "./phases/soak.mjs";
import { isolateCpu } from "./phases/isolate-cpu.mjs";
import { roundTrips, target, throughput, throughputCases } from "./phases/throughput.mjs";
// ---------------------------------------------------------------------------------------------
// Parameters

const PRESETS = {
  full: {
    customers: 100_000, // rows in customers while everything is measured
    cascadeRows: 100_000, // rows a deleted customer owns, across the eleven kinds
    loadedCascadeRows: 1_000_000, // the cascade under the tenants' load: long enough to sample their p99
    minDuringSamples: 1_000, // tenant responses during that cascade, or the phase fails
    runs: 5, // runs per throughput/latency figure
    duration: 4, // seconds per load run
    warmup: 1, // seconds of unrecorded load per endpoint before the first run
    connections: 10, // keep-alive connections for throughput
    profileRuns: 3, // after the timed runs: profiled runs per endpoint (isolate CPU); 0 to skip
    profileSeconds: 3,
    tenantConnections: 4, // other tenants' load during the cascade
    idleSeconds: 4, // other tenants' idle baseline before each loaded cascade
    cascadeRuns: 3,
    deepPages: 500,
    startupRuns: 3,
    loginSamples: 15,
    pbkdf2Per: 3,
    soakSeconds: 300, // the memory soak's measured part
    soakWarmup: 10,
    soakCustomers: 10_000,
  },
  quick: {
    customers: 2_000,
    cascadeRows: 2_200,
    loadedCascadeRows: 5_500,
    minDuringSamples: 0, // a smoke run samples what it gets
    runs: 2,
    duration: 1,
    warmup: 0,
    connections: 10,
    profileRuns: 1,
    profileSeconds: 1,
    tenantConnections: 4,
    idleSeconds: 1,
    cascadeRuns: 1,
    deepPages: 10,
    startupRuns: 1,
    loginSamples: 3,
    pbkdf2Per: 1,
    soakSeconds: 10,
    soakWarmup: 2,
    soakCustomers: 1_000,
  },
};

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    "skip-build": { type: "boolean", default: false },
    "skip-startup": { type: "boolean", default: false },
    only: { type: "string" }, // comma list of phases: throughput,limits,deep,pbkdf2,cascade,soak,startup
    runs: { type: "string" },
    duration: { type: "string" },
    connections: { type: "string" },
    customers: { type: "string" },
    "cascade-rows": { type: "string" },
    "cascade-runs": { type: "string" },
    "loaded-cascade-rows": { type: "string" },
    "profile-runs": { type: "string" },
    "profile-seconds": { type: "string" },
    "deep-pages": { type: "string" },
    "soak-seconds": { type: "string" },
    out: { type: "string" },
    verbose: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
  allowPositionals: false,
});

if (args.help) {
  console.log(`npm run bench [-- options]
  --quick              smoke mode (small data, short runs; about a minute and a half)
  --skip-build         reuse dist/ instead of running npm run build
  --skip-startup       skip the start-up measurements
  --only LIST          phases to run: throughput,limits,deep,pbkdf2,cascade,soak,startup
  --runs N  --duration S  --connections N  --customers N
  --cascade-rows N  --cascade-runs N  --deep-pages N  --soak-seconds S
  --loaded-cascade-rows N   rows of the cascade run under the tenants' load (full: 1,000,000)
  --profile-runs N  --profile-seconds S   profiled runs per read for isolate CPU (0: none)
  --out FILE           results file (default bench/results.json; --quick: bench/results.quick.json)
  --verbose            print the Worker's log lines`);
  process.exit(0);
}

const mode = args.quick ? "quick" : "full";
// The committed results.json is a full run's; a smoke run (CI's too) never overwrites it.
args.out ??= join(BENCH_DIR, args.quick ? "results.quick.json" : "results.json");
const P = { ...PRESETS[mode] };
const num = (k, key) => {
  if (args[k] !== undefined) P[key] = Number(args[k]);
};
num("runs", "runs");
num("duration", "duration");
num("connections", "connections");
num("customers", "customers");
num("cascade-rows", "cascadeRows");
num("cascade-runs", "cascadeRuns");
num("deep-pages", "deepPages");
num("soak-seconds", "soakSeconds");
num("loaded-cascade-rows", "loadedCascadeRows");
num("profile-runs", "profileRuns");
num("profile-seconds", "profileSeconds");
const phases = new Set(
  (args.only ?? "throughput,limits,deep,pbkdf2,cascade,soak,startup").split(",").map((s) => s.trim()),
);
if (args["skip-startup"]) phases.delete("startup");

const started = performance.now();
const log = (msg) => console.log(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(5)}s] ${msg}`);
const require = createRequire(join(ROOT, "package.json"));
const versionOf = (pkg) => {
  try {
    return JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), "utf8")).version;
  } catch {
    return "?";
  }
};

const results = {
  meta: {
    date: new Date().toISOString(),
    mode,
    params: P,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model?.trim() ?? "?",
      memGiB: Math.round(totalmem() / 2 ** 30),
      os: `${osType()} ${osRelease()}`,
      node: process.versions.node,
      miniflare: versionOf("miniflare"),
      workerd: versionOf("workerd"),
      wrangler: versionOf("wrangler"),
      autocannon: versionOf("autocannon"),
      loadavgAtStart: null,
    },
  },
  errors: [],
};
try {
  results.meta.machine.loadavgAtStart = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);
} catch {
  // not Linux
}

function loadavg() {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    return "?";
  }
}

async function phase(name, fn) {
  try {
    return await fn();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    results.errors.push({ phase: name, message });
    console.error(`[bench] phase ${name} failed: ${err instanceof Error ? err.stack : message}`);
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// The runtime under test

// Runtimes up at the moment: an interrupted run disposes of them (and their workerd) on its way out.
const running = new Set();
const live = (rt) => {
  running.add(rt);
  return rt;
};
async function stop(rt) {
  running.delete(rt);
  try {
    await rt.mf.dispose();
  } catch {
    // already gone
  }
}
for (const signal of ["SIGINT", "SIGTERM"])
  process.once(signal, () => Promise.all([...running].map(stop)).finally(() => process.exit(130)));

/**
 * The data every throughput figure reads, in a fresh runtime: migrations, the seeded customers,
 * two tenants (a JWT and an access key each), a CustomerAgent with extensions, the probe row.
 */
async function setUp(project, rt, bindings, measureStorage) {
  const { db, urls } = rt;
  log("applying migrations");
  for (const statement of readMigrations(project.migrationsDir)) await db.prepare(statement).run();

  log(`seeding ${P.customers.toLocaleString("en-US")} customers straight into D1`);
  const seedStart = performance.now();
  const bytesBefore = await databaseBytes(db);
  await seedCustomers(db, P.customers);
  const bytesAfter = await databaseBytes(db);
  if (measureStorage) {
    results.seed = { customers: P.customers, seconds: (performance.now() - seedStart) / 1000 };
    // Storage per customer row, indexes included (the scale-out plan in the README uses it).
    results.storage = {
      bytesPerCustomer: bytesBefore !== null && bytesAfter !== null ? (bytesAfter - bytesBefore) / P.customers : null,
    };
  }

  const api = new Api(urls.main);
  const admin = { username: bindings.ADMIN_USERNAME, password: bindings.ADMIN_PASSWORD };
  const adminToken = await api.login(admin.username, admin.password);
  const tenantA = await createCustomer(api, adminToken, "tenant-a");
  const tenantB = await createCustomer(api, adminToken, "tenant-b");
  tenantA.token = await api.login(tenantA.username, tenantA.password);
  tenantB.token = await api.login(tenantB.username, tenantB.password);
  tenantA.key = (
    await api.ok("POST", "/v1.0/accesskeys", { token: tenantA.token, body: { name: "bench", expire: 86400 } })
  ).token;
  tenantB.key = (
    await api.ok("POST", "/v1.0/accesskeys", { token: tenantB.token, body: { name: "bench", expire: 86400 } })
  ).token;
  // A seeded customer in the middle of the table: the row both the floor and the admin GET read.
  const probe = await db
    .prepare("SELECT id FROM customers ORDER BY tm_create DESC LIMIT 1 OFFSET ?")
    .bind(Math.floor(P.customers / 2))
    .first();
  const probeId = probe.id;

  const agentA = await agentWithExtensions(api, tenantA, 4);

  return { api, adminToken, tenantA, tenantB, agentA, probeId };
}

async function main() {
  const project = await readProject();
  let buildInfo = null;
  if (!args["skip-build"]) {
    log("building the Worker (npm run build)");
    buildInfo = build();
  }
  results.bundle = await phase("bundle", async () => bundleSize(project, buildInfo));
  if (results.bundle)
    log(`bundle: ${(results.bundle.gzipBytes / 1024).toFixed(1)} KiB gzipped (${results.bundle.entry})`);

  const workerLogs = [];
  const bindings = benchBindings(project);
  log("starting workerd (Miniflare): the Worker, an instrumented copy, the reference workers");
  const peerScript = await bundlePeer();
  const floorUsageScript = await bundleFloorUsage();
  const rt = live(
    await startRuntime(project, {
      bindings,
      peerScript,
      floorUsageScript,
      onLog: (entry) => {
        workerLogs.push(entry);
        if (args.verbose) console.log(`[worker ${entry.level}] ${entry.message}`);
      },
    }),
  );
  const { db, urls } = rt;
  const stopRuntime = () => stop(rt);

  try {
    const { api, adminToken, tenantA, tenantB, agentA, probeId } = await setUp(project, rt, bindings, true);
    const ctx = { P, log, api, urls, db, rt, adminToken, tenantA, tenantB, loadavg, errors: results.errors };
    const cases = throughputCases({ urls, probeId, adminToken, tenantA, agentA });
    results.roundTrips = await phase("round-trips", () => roundTrips(cases, urls));
    if (phases.has("throughput"))
      results.throughput = await phase("throughput", () => throughput({ ...ctx, calls: results.roundTrips }, cases));
    if (phases.has("limits")) results.limits = await phase("limits", () => limitsPhase(ctx));
    if (phases.has("deep")) results.deepPages = await phase("deep-pages", () => deepPages(ctx));
    if (phases.has("pbkdf2")) results.pbkdf2 = await phase("pbkdf2", () => passwordHashing(ctx));
    if (phases.has("cascade")) results.cascade = await phase("cascade", () => cascadePhase(ctx));
  } finally {
    await stopRuntime();
  }

  const errorsLogged = workerLogs.filter((l) => /error/i.test(l.level));
  if (errorsLogged.length) {
    results.workerErrors = errorsLogged.slice(0, 20).map((l) => l.message.slice(0, 500));
    console.error(
      `[bench] the Worker logged ${errorsLogged.length} error line(s); first: ${errorsLogged[0].message.slice(0, 300)}`,
    );
  }

  // The isolate's CPU per request, in a workerd of its own with the inspector on: an inspector in
  // the timed runs' workerd, even with no session attached, put ~15% on workerd's CPU per D1 read.
  if (results.throughput && P.profileRuns > 0) {
    const profiled = await phase("isolate-cpu", async () => {
      log("isolate CPU: a workerd of its own with the inspector on, the same data");
      const prt = live(await startRuntime(project, { bindings, inspect: true, peerScript, floorUsageScript }));
      try {
        const set = await setUp(project, prt, bindings, false);
        const cases = throughputCases({ urls: prt.urls, ...set });
        const ctx = { P, log, rt: prt };
        return await isolateCpu(ctx, cases, (c) => target(c, prt.urls.main));
      } finally {
        await stop(prt);
      }
    });
    if (profiled) {
      for (const [key, p] of Object.entries(profiled.cases)) Object.assign(results.throughput.cases[key], p);
      results.throughput.isolate = { samplingMicros: profiled.samplingMicros, runs: profiled.runs };
    }
  }

  // In a workerd of its own, with the inspector on: after the other phases, so nothing else shares it.
  if (phases.has("soak")) results.soak = await phase("soak", () => soak({ P, log, project, bindings }));

  if (phases.has("startup")) {
    log(`start-up: ${P.startupRuns}× cold Miniflare start (ours vs bare) and ${P.startupRuns}× wrangler check startup`);
    results.startup = await phase("startup", () => measureStartup(project, { runs: P.startupRuns, phase }));
  }
}

let exitCode = 0;
try {
  await main();
} catch (err) {
  results.errors.push({ phase: "harness", message: err instanceof Error ? err.message : String(err) });
  console.error(err);
}
closeLoader();
results.loader = loaderShares(results);
results.targets = targets(results);
results.meta.seconds = (performance.now() - started) / 1000;
results.meta.machine.loadavgAtEnd = loadavg();
writeFileSync(args.out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\n${renderReport(results)}\n`);
console.log(
  `[bench] ${mode} run finished in ${results.meta.seconds.toFixed(0)} s; results in ${args.out.startsWith(ROOT) ? args.out.slice(ROOT.length + 1) : args.out}`,
);
// Speed is reported, never asserted; a harness that could not measure something fails.
if (results.errors.length) exitCode = 1;
process.exit(exitCode);
