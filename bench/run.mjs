// `npm run bench [-- --quick] [-- --help]`: builds the Worker, runs it in one local workerd with
// real D1, Durable Object and Queue bindings, measures it against reference workers in the same
// process, prints Markdown tables and writes bench/results.json. See bench/README.md.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { cpus, totalmem, type as osType, release as osRelease } from "node:os";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { parseArgs } from "node:util";
import { Api, BENCH_PASSWORD, createCustomer, uniqueIdentity } from "./lib/api.mjs";
import { runLoad, startLoad } from "./lib/load.mjs";
import { renderReport } from "./lib/report.mjs";
import { benchBindings, BENCH_DIR, builtEntry, readMigrations, readProject, ROOT, scratchDir, startRuntime, startSingle } from "./lib/runtime.mjs";
import { OWNED_TABLES, ownedCounts, seedCustomers, seedOwned } from "./lib/seed.mjs";
import { median, ratio } from "./lib/stats.mjs";

// ---------------------------------------------------------------------------------------------
// Parameters

const PRESETS = {
  full: {
    customers: 100_000, // rows in customers while everything is measured
    cascadeRows: 100_000, // rows a deleted customer owns, across the eleven kinds
    runs: 5, // runs per throughput/latency figure
    duration: 4, // seconds per load run
    warmup: 1, // seconds of unrecorded load per endpoint before the first run
    connections: 10, // keep-alive connections for throughput
    tenantConnections: 4, // other tenants' load during the cascade
    idleSeconds: 4, // other tenants' idle baseline before each loaded cascade
    cascadeRuns: 3,
    deepPages: 500,
    startupRuns: 3,
    loginSamples: 15,
    pbkdf2Per: 3,
  },
  quick: {
    customers: 2_000,
    cascadeRows: 2_200,
    runs: 2,
    duration: 1,
    warmup: 0,
    connections: 10,
    tenantConnections: 4,
    idleSeconds: 1,
    cascadeRuns: 1,
    deepPages: 10,
    startupRuns: 1,
    loginSamples: 3,
    pbkdf2Per: 1,
  },
};

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    "skip-build": { type: "boolean", default: false },
    "skip-startup": { type: "boolean", default: false },
    only: { type: "string" }, // comma list of phases: throughput,deep,pbkdf2,cascade,startup
    runs: { type: "string" },
    duration: { type: "string" },
    connections: { type: "string" },
    customers: { type: "string" },
    "cascade-rows": { type: "string" },
    "cascade-runs": { type: "string" },
    "deep-pages": { type: "string" },
    out: { type: "string", default: join(BENCH_DIR, "results.json") },
    verbose: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
  allowPositionals: false,
});

if (args.help) {
  console.log(`npm run bench [-- options]
  --quick              smoke mode (small data, short runs; under a minute)
  --skip-build         reuse dist/ instead of running npm run build
  --skip-startup       skip the start-up measurements
  --only LIST          phases to run: throughput,deep,pbkdf2,cascade,startup
  --runs N  --duration S  --connections N  --customers N
  --cascade-rows N  --cascade-runs N  --deep-pages N
  --out FILE           results file (default bench/results.json)
  --verbose            print the Worker's log lines`);
  process.exit(0);
}

const mode = args.quick ? "quick" : "full";
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
const phases = new Set((args.only ?? "throughput,deep,pbkdf2,cascade,startup").split(",").map((s) => s.trim()));
if (args["skip-startup"]) phases.delete("startup");

const started = performance.now();
const log = (msg) => console.log(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(5)}s] ${msg}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
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
// Build and bundle

function npmCommand(scriptArgs) {
  // Under `npm run`, npm_execpath is npm's own CLI: run it with this very Node.
  const npmCli = process.env.npm_execpath;
  if (npmCli && /\.c?js$/.test(npmCli)) return [process.execPath, [npmCli, ...scriptArgs]];
  return [process.platform === "win32" ? "npm.cmd" : "npm", scriptArgs];
}

function build() {
  const [cmd, cmdArgs] = npmCommand(["run", "build", "--silent"]);
  const t0 = performance.now();
  const env = { ...process.env, CI: "true" };
  delete env.WRANGLER_LOG; // wrangler's default level prints the upload size
  const res = spawnSync(cmd, cmdArgs, { cwd: ROOT, encoding: "utf8", env });
  const output = `${res.stdout ?? ""}\n${res.stderr ?? ""}`;
  if (res.status !== 0) throw new Error(`npm run build failed (${res.status}):\n${output.slice(-3000)}`);
  const gzip = /gzip:\s*([\d.]+)\s*KiB/i.exec(output);
  return { seconds: (performance.now() - t0) / 1000, wranglerGzipKiB: gzip ? Number(gzip[1]) : null };
}

function bundleSize(project, buildInfo) {
  const entry = builtEntry(project);
  const dist = join(ROOT, "dist");
  // Everything the Worker uploads: its modules (not source maps, not the README wrangler drops there).
  const files = readdirSync(dist).filter((f) => /\.(m?js|cjs|wasm|bin|txt|html|sql)$/.test(f) && f !== "README.md");
  let raw = 0;
  let gz = 0;
  for (const f of files) {
    const buf = readFileSync(join(dist, f));
    raw += buf.length;
    gz += gzipSync(buf, { level: 9 }).length;
  }
  return {
    entry: entry.slice(ROOT.length + 1),
    files,
    rawBytes: raw,
    gzipBytes: gz,
    wranglerGzipKiB: buildInfo?.wranglerGzipKiB ?? null,
    buildSeconds: buildInfo?.seconds ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// Start-up

/** Active CPU ms of a V8 .cpuprofile: sampled time minus (idle). */
function profileActiveMs(file) {
  const prof = JSON.parse(readFileSync(file, "utf8"));
  const idleIds = new Set(prof.nodes.filter((n) => n.callFrame?.functionName === "(idle)").map((n) => n.id));
  let total = 0;
  let idle = 0;
  prof.samples.forEach((id, i) => {
    const dt = (prof.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    if (idleIds.has(id)) idle += dt;
  });
  return { sampledMs: total, activeMs: total - idle };
}

function wranglerCheckStartup() {
  const out = join(scratchDir(), "startup.cpuprofile");
  const pkgFile = require.resolve("wrangler/package.json");
  const wranglerBin = join(pkgFile, "..", JSON.parse(readFileSync(pkgFile, "utf8")).bin.wrangler);
  const env = { ...process.env, CI: "true" };
  delete env.WRANGLER_LOG;
  const res = spawnSync(process.execPath, [wranglerBin, "check", "startup", "--outfile", out], { cwd: ROOT, encoding: "utf8", env });
  if (res.status !== 0 || !existsSync(out)) throw new Error(`wrangler check startup failed: ${(res.stderr || res.stdout || "").slice(-1500)}`);
  const m = profileActiveMs(out);
  const printed = /Active:\s*([\d.]+)\s*ms/.exec(res.stdout ?? "");
  rmSync(join(out, ".."), { recursive: true, force: true });
  return { ...m, printedActiveMs: printed ? Number(printed[1]) : null };
}

async function coldStart(project, which, bindings) {
  const t0 = performance.now();
  const { mf, url } = await startSingle(project, which, bindings);
  const ready = performance.now() - t0;
  const res = await fetch(`${url}/v1.0/customer`);
  await res.arrayBuffer();
  const first = performance.now() - t0;
  await mf.dispose();
  return { readyMs: ready, firstResponseMs: first };
}

async function measureStartup(project) {
  const bindings = benchBindings(project);
  const main = [];
  const bare = [];
  for (let i = 0; i < P.startupRuns; i++) {
    bare.push(await coldStart(project, "bare", bindings));
    main.push(await coldStart(project, "main", bindings));
  }
  const med = (xs, k) => median(xs.map((x) => x[k]));
  const coldStartResult = {
    main: { readyMs: med(main, "readyMs"), firstResponseMs: med(main, "firstResponseMs") },
    bare: { readyMs: med(bare, "readyMs"), firstResponseMs: med(bare, "firstResponseMs") },
    extraMs: median(main.map((m, i) => m.firstResponseMs - bare[i].firstResponseMs)),
    runs: { main, bare },
  };
  const profiles = [];
  for (let i = 0; i < P.startupRuns; i++) profiles.push(await phase("startup-profile", async () => wranglerCheckStartup()));
  const ok = profiles.filter(Boolean);
  return {
    coldStart: coldStartResult,
    profile: ok.length ? { activeMs: median(ok.map((p) => p.activeMs)), sampledMs: median(ok.map((p) => p.sampledMs)), runs: ok } : null,
  };
}

// ---------------------------------------------------------------------------------------------
// The runtime under test

async function main() {
  const project = await readProject();
  let buildInfo = null;
  if (!args["skip-build"]) {
    log("building the Worker (npm run build)");
    buildInfo = build();
  }
  results.bundle = await phase("bundle", async () => bundleSize(project, buildInfo));
  if (results.bundle) log(`bundle: ${(results.bundle.gzipBytes / 1024).toFixed(1)} KiB gzipped (${results.bundle.entry})`);

  const workerLogs = [];
  const bindings = benchBindings(project);
  log("starting workerd (Miniflare): the Worker, an instrumented copy, the reference workers");
  const rt = await startRuntime(project, {
    bindings,
    onLog: (entry) => {
      workerLogs.push(entry);
      if (args.verbose) console.log(`[worker ${entry.level}] ${entry.message}`);
    },
  });
  const { db, urls } = rt;
  const stopRuntime = async () => {
    try {
      await rt.mf.dispose();
    } catch {
      // already gone
    }
  };
  for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => stopRuntime().finally(() => process.exit(130)));

  try {
    log("applying migrations");
    for (const statement of readMigrations(project.migrationsDir)) await db.prepare(statement).run();

    log(`seeding ${P.customers.toLocaleString("en-US")} customers straight into D1`);
    const seedStart = performance.now();
    await seedCustomers(db, P.customers);
    results.seed = { customers: P.customers, seconds: (performance.now() - seedStart) / 1000 };

    const api = new Api(urls.main);
    const admin = { username: bindings.ADMIN_USERNAME, password: bindings.ADMIN_PASSWORD };
    const adminToken = await api.login(admin.username, admin.password);
    const tenantA = await createCustomer(api, adminToken, "tenant-a");
    const tenantB = await createCustomer(api, adminToken, "tenant-b");
    tenantA.token = await api.login(tenantA.username, tenantA.password);
    tenantB.token = await api.login(tenantB.username, tenantB.password);
    tenantA.key = (await api.ok("POST", "/v1.0/accesskeys", { token: tenantA.token, body: { name: "bench", expire: 86400 } })).token;
    tenantB.key = (await api.ok("POST", "/v1.0/accesskeys", { token: tenantB.token, body: { name: "bench", expire: 86400 } })).token;
    // A seeded customer in the middle of the table: the row both the D1 reference and the admin GET read.
    const probe = await db.prepare("SELECT id FROM customers ORDER BY tm_create DESC LIMIT 1 OFFSET ?").bind(Math.floor(P.customers / 2)).first();
    const probeId = probe.id;

    const auth = (token) => ({ Authorization: `Bearer ${token}` });
    const cases = {
      bare: { label: "bare Worker, constant response (runtime limit)", url: `${urls.bare}/` },
      d1ref: { label: "minimal Worker, one D1 SELECT by primary key (floor)", url: `${urls.d1ref}/?id=${probeId}` },
      selfJwt: { label: "GET /v1.0/customer (JWT)", path: "/v1.0/customer", headers: auth(tenantA.token) },
      selfKey: { label: "GET /v1.0/customer (access key)", path: "/v1.0/customer", headers: auth(tenantA.key) },
      adminGet: { label: "GET /v1.0/customers/{id} (super admin)", path: `/v1.0/customers/${probeId}`, headers: auth(adminToken) },
      adminList: { label: "GET /v1.0/customers?page_size=100 (super admin)", path: "/v1.0/customers?page_size=100", headers: auth(adminToken) },
      adminCreate: {
        label: "POST /v1.0/customers (super admin; one PBKDF2 hash)",
        path: "/v1.0/customers",
        method: "POST",
        headers: { ...auth(adminToken), "Content-Type": "application/json" },
        setupRequest: (req) => {
          const { username, email } = uniqueIdentity("load");
          return { ...req, body: JSON.stringify({ username, password: BENCH_PASSWORD, name: "Load test", email }) };
        },
      },
    };
    const target = (c, base = urls.main) => ({
      url: c.url ?? `${base}${c.path}`,
      method: c.method,
      headers: c.headers,
      setupRequest: c.setupRequest,
    });

    // Round trips per request, through the instrumented copy (sequential, after a warm-up call).
    results.roundTrips = await phase("round-trips", async () => {
      const out = {};
      for (const [key, c] of Object.entries(cases)) {
        if (!c.path) continue;
        let calls = null;
        for (let i = 0; i < 3; i++) {
          const req = c.setupRequest ? c.setupRequest({}) : {};
          const res = await fetch(`${urls.instrumented}${c.path}`, { method: c.method ?? "GET", headers: c.headers, body: req.body });
          await res.arrayBuffer();
          if (res.status >= 300) throw new Error(`${c.label} -> ${res.status}`);
          calls = JSON.parse(res.headers.get("X-Bench-Calls") ?? "null");
        }
        out[key] = calls;
      }
      return out;
    });

    if (phases.has("throughput")) {
      results.throughput = await phase("throughput", async () => {
        const keys = Object.keys(cases);
        log(`throughput: ${keys.length} endpoints × ${P.runs} runs × ${P.duration} s, ${P.connections} connections`);
        if (P.warmup > 0) for (const key of keys) await runLoad(target(cases[key]), { connections: P.connections, duration: P.warmup });
        const runs = [];
        for (let r = 0; r < P.runs; r++) {
          const run = {};
          // Rotate the order each run so slow drift (other processes, SQLite cache) spreads evenly.
          const order = keys.map((_, i) => keys[(i + r) % keys.length]);
          for (const key of order) run[key] = await runLoad(target(cases[key]), { connections: P.connections, duration: P.duration });
          runs.push(run);
          log(`  run ${r + 1}/${P.runs}: ${keys.map((k) => `${k} ${run[k].rps.toFixed(0)}/s`).join(", ")}; load avg ${loadavg()}`);
        }
        const out = { cases: {}, runs };
        for (const key of keys) {
          const per = runs.map((run) => run[key]);
          const bad = per.reduce((n, p) => n + p.non2xx + p.errors, 0);
          if (bad) results.errors.push({ phase: "throughput", message: `${key}: ${bad} non-2xx/errored responses (${JSON.stringify(per.map((p) => p.codes))})` });
          out.cases[key] = {
            label: cases[key].label,
            rps: median(per.map((p) => p.rps)),
            p50: median(per.map((p) => p.p50)),
            p99: median(per.map((p) => p.p99)),
            cpuMsPerReq: median(per.map((p) => p.cpuMsPerReq)),
            workerdCpuShare: median(per.map((p) => p.workerdCpuShare)),
            // Reference CPU ÷ ours: what the req/s ratio would be if workerd had a core to itself.
            cpuVsReference: key === "bare" ? undefined : median(runs.map((run) => ratio(run.d1ref.cpuMsPerReq, run[key].cpuMsPerReq))),
            vsBare: median(runs.map((run) => ratio(run[key].rps, run.bare.rps))),
            vsReference: key === "bare" ? undefined : median(runs.map((run) => ratio(run[key].rps, run.d1ref.rps))),
            p50VsReference: median(runs.map((run) => ratio(run[key].p50, run.d1ref.p50))),
            calls: results.roundTrips?.[key] ?? (key === "d1ref" ? { d1: 1, do: 0, queue: 0 } : key === "bare" ? { d1: 0, do: 0, queue: 0 } : null),
          };
        }
        return out;
      });
    }

    if (phases.has("deep")) {
      results.deepPages = await phase("deep-pages", async () => {
        const pageSize = 100;
        const depth = Math.max(2, Math.min(P.deepPages, Math.floor(P.customers / pageSize)));
        log(`deep pages: walking ${depth} pages of ${pageSize} through next_page_token`);
        let token = "";
        const walk = [];
        for (let page = 1; page < depth; page++) {
          const t0 = performance.now();
          const body = await api.ok("GET", `/v1.0/customers?page_size=${pageSize}${token ? `&page_token=${encodeURIComponent(token)}` : ""}`, { token: adminToken });
          walk.push(performance.now() - t0);
          if (!body.next_page_token) throw new Error(`ran out of pages at page ${page}`);
          token = body.next_page_token;
        }
        const firstUrl = `${urls.main}/v1.0/customers?page_size=${pageSize}`;
        const deepUrl = `${firstUrl}&page_token=${encodeURIComponent(token)}`;
        const check = await api.ok("GET", deepUrl.slice(urls.main.length), { token: adminToken });
        if (check.result.length !== pageSize) throw new Error(`page ${depth} has ${check.result.length} items`);
        const headers = { Authorization: `Bearer ${adminToken}` };
        if (P.warmup > 0) await runLoad({ url: deepUrl, headers }, { connections: 1, duration: P.warmup });
        const runs = [];
        for (let r = 0; r < P.runs; r++) {
          const pair = {};
          for (const which of r % 2 ? ["deep", "first"] : ["first", "deep"]) {
            pair[which] = await runLoad({ url: which === "first" ? firstUrl : deepUrl, headers }, { connections: 1, duration: P.duration });
          }
          runs.push(pair);
        }
        const pick = (which) => ({
          rps: median(runs.map((r) => r[which].rps)),
          p50: median(runs.map((r) => r[which].p50)),
          p99: median(runs.map((r) => r[which].p99)),
        });
        return {
          customers: P.customers,
          pageSize,
          depth,
          walkMedianMs: median(walk),
          first: pick("first"),
          deep: pick("deep"),
          p50Ratio: median(runs.map((r) => ratio(r.deep.p50, r.first.p50))),
          p99Ratio: median(runs.map((r) => ratio(r.deep.p99, r.first.p99))),
          rpsRatio: median(runs.map((r) => ratio(r.deep.rps, r.first.rps))),
          runs,
        };
      });
    }

    if (phases.has("pbkdf2")) {
      results.pbkdf2 = await phase("pbkdf2", async () => {
        const source = readFileSync(join(ROOT, "src", "auth", "password.ts"), "utf8");
        const iterations = Number((/PBKDF2_ITERATIONS\s*=\s*([\d_]+)/.exec(source)?.[1] ?? "100000").replace(/_/g, ""));
        log(`PBKDF2: ${P.pbkdf2Per}-derivation probes and ${P.loginSamples} sequential logins`);
        const timed = async (url, init) => {
          const t0 = performance.now();
          const res = await fetch(url, init);
          await res.arrayBuffer();
          if (res.status >= 300) throw new Error(`${url} -> ${res.status}`);
          return performance.now() - t0;
        };
        await timed(`${urls.control}/pbkdf2?n=1&iterations=${iterations}`);
        const derive = [];
        for (let r = 0; r < P.runs; r++) {
          const base = await timed(`${urls.control}/pbkdf2?n=0`);
          const many = await timed(`${urls.control}/pbkdf2?n=${P.pbkdf2Per}&iterations=${iterations}`);
          derive.push((many - base) / P.pbkdf2Per);
        }
        const login = [];
        const read = [];
        const loginInit = {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ username: tenantB.username, password: tenantB.password }),
        };
        for (let i = 0; i < P.loginSamples; i++) {
          login.push(await timed(`${urls.main}/auth/login`, loginInit));
          read.push(await timed(`${urls.main}/v1.0/customer`, { headers: { Authorization: `Bearer ${tenantB.token}` } }));
        }
        return {
          iterations,
          deriveMs: median(derive),
          loginMs: median(login),
          readMs: median(read),
          loginMinusReadMs: median(login) - median(read),
          samples: { derive, login, read },
        };
      });
    }

    if (phases.has("cascade")) {
      results.cascade = await phase("cascade", async () => {
        const deleteCustomer = async (id) => {
          const res = await api.call("DELETE", `/v1.0/customers/${id}`, { token: adminToken });
          if (res.status === 200) return "api";
          if ((res.status === 404 && res.body?.error?.reason === "ROUTE_NOT_FOUND") || res.status === 405) {
            // The endpoint is not there (yet): the same transition through the Durable Object.
            const viaDo = await fetch(`${urls.control}/delete-via-do?id=${id}`);
            if (viaDo.ok) return "durable-object";
            throw new Error(`delete via Durable Object -> ${viaDo.status}: ${await viaDo.text()}`);
          }
          throw new Error(`DELETE /v1.0/customers/${id} -> ${res.status}: ${JSON.stringify(res.body)}`);
        };
        // Progress is polled from the job row (one primary-key read), not from the receipt endpoint,
        // whose per-kind count(*) would itself load D1 ten times a second; the endpoint is read
        // once at the end to check the receipt.
        const jobRow = async (id) => {
          const row = await db.prepare("SELECT status, tm_start, tm_finish, deleted FROM deletion_jobs WHERE customer_id = ?").bind(id).first();
          if (!row) return { status: "none" };
          return { status: row.status, tmStart: Number(row.tm_start), tmFinish: row.tm_finish === null ? null : Number(row.tm_finish), deleted: JSON.parse(row.deleted) };
        };
        const receipt = async (id) => {
          const res = await api.call("GET", `/v1.0/customers/${id}/deletion`, { token: adminToken });
          if (res.status !== 200) return { source: "none", status: res.status };
          const remaining = Object.values(res.body.remaining ?? {}).reduce((a, b) => a + Number(b), 0);
          if (res.body.status !== "finished" || remaining !== 0) throw new Error(`receipt of ${id}: ${JSON.stringify(res.body)}`);
          return { source: "api", status: res.body.status, remaining };
        };
        const limitMs = Math.max(60_000, P.cascadeRows * 3);
        const POLL_MS = 100;
        const sum = (counts) => Object.values(counts ?? {}).reduce((a, b) => a + Number(b), 0);
        /**
         * DELETE, then poll the job until finished. Times: wall (client) and tm_finish − tm_start
         * (server). The poll also yields a timeline: intervals in which no row went are time the
         * cascade spent between queue deliveries rather than deleting.
         */
        const cascade = async (id) => {
          const t0 = performance.now();
          const via = await deleteCustomer(id);
          // The job row holds, from the start, the rows the customer owned (what the cascade deletes).
          for (;;) {
            const s = await jobRow(id);
            const now = performance.now();
            const rows = sum(s.deleted);
            if (s.status === "finished" || s.status === "failed") {
              const wall = (now - t0) / 1000;
              if (s.status === "failed") throw new Error(`cascade of ${id} failed`);
              const server = s.tmFinish && s.tmStart ? (s.tmFinish - s.tmStart) / 1000 : null;
              const checked = await receipt(id);
              return { via, receipt: checked.source, rows, wallSeconds: wall, serverSeconds: server, deleted: s.deleted };
            }
            if (now - t0 > limitMs) throw new Error(`cascade of ${id} not finished after ${limitMs / 1000} s (status ${s.status})`);
            await sleep(POLL_MS);
          }
        };
        /** The same polling without a cascade: the idle baseline carries the same extra reads. */
        const idlePoller = (id) => {
          let stop = false;
          const done = (async () => {
            while (!stop) {
              await jobRow(id);
              await sleep(POLL_MS);
            }
          })();
          return async () => {
            stop = true;
            await done;
          };
        };
        const raw = async (id) => {
          const t0 = performance.now();
          const res = await fetch(`${urls.control}/raw-delete?customer=${id}&tables=${OWNED_TABLES.join(",")}`);
          const body = await res.json();
          if (!res.ok) throw new Error(`raw delete -> ${res.status}`);
          return { rows: body.rows, wallSeconds: (performance.now() - t0) / 1000, serverSeconds: body.ms / 1000 };
        };
        const victim = async (prefix) => {
          const c = await createCustomer(api, adminToken, prefix);
          await seedOwned(db, c.id, P.cascadeRows);
          return c;
        };
        const leftovers = async (id) => Object.values(await ownedCounts(db, id)).reduce((a, b) => a + b, 0);

        const runs = [];
        for (let r = 0; r < P.cascadeRuns; r++) {
          log(`cascade run ${r + 1}/${P.cascadeRuns}: seeding two customers with ${P.cascadeRows.toLocaleString("en-US")} rows each`);
          const v = await victim("victim");
          const w = await victim("twin");
          const run = {};
          // Alternate which goes first: the second finds a smaller table.
          for (const which of r % 2 ? ["raw", "cascade"] : ["cascade", "raw"]) {
            run[which] = which === "cascade" ? await cascade(v.id) : await raw(w.id);
          }
          const left = (await leftovers(v.id)) + (await leftovers(w.id));
          if (left) throw new Error(`${left} owned rows left after the deletions`);
          const secs = (x) => x.serverSeconds ?? x.wallSeconds;
          run.cascade.rowsPerSecond = run.cascade.rows / secs(run.cascade);
          run.raw.rowsPerSecond = run.raw.rows / secs(run.raw);
          run.speedRatio = ratio(run.cascade.rowsPerSecond, run.raw.rowsPerSecond);
          log(
            `  cascade ${run.cascade.rows} rows in ${secs(run.cascade).toFixed(2)} s (via ${run.cascade.via}); ` +
              `raw ${run.raw.rows} rows in ${secs(run.raw).toFixed(2)} s`,
          );

          // Other tenants' reads, idle and then during a cascade of a third copy.
          const u = await victim("loaded");
          const tenantsTarget = {
            url: `${urls.main}/v1.0/customer`,
            requests: [
              { method: "GET", path: "/v1.0/customer", headers: { Authorization: `Bearer ${tenantA.token}` } },
              { method: "GET", path: "/v1.0/customer", headers: { Authorization: `Bearer ${tenantB.key}` } },
            ],
          };
          const stopPolling = idlePoller(v.id);
          let idle;
          try {
            idle = await runLoad(tenantsTarget, { connections: P.tenantConnections, duration: P.idleSeconds });
          } finally {
            await stopPolling();
          }
          const load = startLoad(tenantsTarget, { connections: P.tenantConnections, maxSeconds: limitMs / 1000 });
          await sleep(200);
          let loaded;
          try {
            loaded = await cascade(u.id);
          } finally {
            run.during = await load.stop();
          }
          run.idle = idle;
          run.loadedCascade = loaded;
          if (await leftovers(u.id)) throw new Error("owned rows left after the loaded cascade");
          log(`  tenants' p99 idle ${idle.p99.toFixed(2)} ms, during cascade ${run.during.p99.toFixed(2)} ms`);
          runs.push(run);
        }
        const secs = (x) => x.serverSeconds ?? x.wallSeconds;
        const m = (f) => median(runs.map(f));
        return {
          rowsPerCustomer: P.cascadeRows,
          kinds: OWNED_TABLES.length,
          cascade: {
            rows: m((r) => r.cascade.rows),
            seconds: m((r) => secs(r.cascade)),
            wallSeconds: m((r) => r.cascade.wallSeconds),
            rowsPerSecond: m((r) => r.cascade.rowsPerSecond),
            // Time with no progress between two polls (queue hand-overs); rows/s over the rest.
            via: runs[0]?.cascade.via,
          },
          raw: { rows: m((r) => r.raw.rows), seconds: m((r) => secs(r.raw)), wallSeconds: m((r) => r.raw.wallSeconds), rowsPerSecond: m((r) => r.raw.rowsPerSecond) },
          speedRatio: m((r) => r.speedRatio),
          underLoad: {
            connections: P.tenantConnections,
            idle: { rps: m((r) => r.idle.rps), p50: m((r) => r.idle.p50), p99: m((r) => r.idle.p99) },
            during: { rps: m((r) => r.during.rps), p50: m((r) => r.during.p50), p99: m((r) => r.during.p99) },
            cascadeSeconds: m((r) => secs(r.loadedCascade)),
            p99Ratio: m((r) => ratio(r.during.p99, r.idle.p99)),
            p50Ratio: m((r) => ratio(r.during.p50, r.idle.p50)),
            rpsRatio: m((r) => ratio(r.during.rps, r.idle.rps)),
          },
          runs,
        };
      });
    }
  } finally {
    await stopRuntime();
  }

  const errorsLogged = workerLogs.filter((l) => /error/i.test(l.level));
  if (errorsLogged.length) {
    results.workerErrors = errorsLogged.slice(0, 20).map((l) => l.message.slice(0, 500));
    console.error(`[bench] the Worker logged ${errorsLogged.length} error line(s); first: ${errorsLogged[0].message.slice(0, 300)}`);
  }

  if (phases.has("startup")) {
    log(`start-up: ${P.startupRuns}× cold Miniflare start (ours vs bare) and ${P.startupRuns}× wrangler check startup`);
    results.startup = await phase("startup", () => measureStartup(project));
  }
}

// ---------------------------------------------------------------------------------------------
// Targets and report

function targets() {
  const out = [];
  const t = results.throughput?.cases;
  const fmt = (v, d = 2) => (typeof v === "number" ? v.toFixed(d) : "–");
  const add = (name, aim, value, met, measured) => out.push({ name, aim, value, met: value === null || value === undefined ? null : met, measured });
  if (t) {
    for (const key of ["selfJwt", "selfKey", "adminGet", "adminList"]) {
      const c = t[key];
      if (c) add(`${c.label}: req/s ÷ D1 floor`, "≥ 0.8×", c.vsReference, c.vsReference >= 0.8, `${fmt(c.vsReference)}×`);
    }
    for (const key of ["selfJwt", "selfKey", "adminGet", "adminList"]) {
      const calls = t[key]?.calls;
      if (calls) add(`${t[key].label}: round trips`, "≤ 1 D1, no DO", calls.d1 + calls.do, calls.d1 <= 1 && calls.do === 0, `${calls.d1} D1, ${calls.do} DO`);
    }
  }
  const d = results.deepPages;
  if (d) add(`page ${d.depth} ÷ first page, p50 latency`, "≤ 1.5×", d.p50Ratio, d.p50Ratio <= 1.5, `${fmt(d.p50Ratio)}×`);
  const c = results.cascade;
  if (c) {
    add("cascade ÷ raw delete, rows/s", "≥ 0.5×", c.speedRatio, c.speedRatio >= 0.5, `${fmt(c.speedRatio)}×`);
    add("other tenants' p99 during cascade ÷ idle", "≤ 2×", c.underLoad?.p99Ratio, c.underLoad?.p99Ratio <= 2, `${fmt(c.underLoad?.p99Ratio)}×`);
  }
  const b = results.bundle;
  if (b) {
    // The larger of our zlib -9 figure and wrangler's own upload figure, in kB of 1,000 bytes.
    const bytes = Math.max(b.gzipBytes, (b.wranglerGzipKiB ?? 0) * 1024);
    add("bundle, gzipped", "≤ 300 KB", bytes, bytes <= 300_000, `${(bytes / 1000).toFixed(1)} KB`);
  }
  return out;
}

let exitCode = 0;
try {
  await main();
} catch (err) {
  results.errors.push({ phase: "harness", message: err instanceof Error ? err.message : String(err) });
  console.error(err);
}
results.targets = targets();
results.meta.seconds = (performance.now() - started) / 1000;
results.meta.machine.loadavgAtEnd = loadavg();
writeFileSync(args.out, JSON.stringify(results, null, 2) + "\n");
console.log("\n" + renderReport(results) + "\n");
console.log(`[bench] ${mode} run finished in ${results.meta.seconds.toFixed(0)} s; results in ${args.out.startsWith(ROOT) ? args.out.slice(ROOT.length + 1) : args.out}`);
// Speed is reported, never asserted; a harness that could not measure something fails.
if (results.errors.length) exitCode = 1;
process.exit(exitCode);
