// One local workerd (through Miniflare's API) running the built Worker with the bindings that
// wrangler.toml declares, next to the bench's own reference workers. Not `wrangler dev`: its dev
// proxy sits in front of every request and caps throughput far below the runtime's.
//
// The Worker's options are derived from wrangler.toml by wrangler itself
// (unstable_getMiniflareWorkerOptions, the same mapping `wrangler dev` uses), so new bindings
// show up here without editing the bench. Two things are deliberately not mirrored:
//   - [assets]: the static-asset router runs before the Worker and only serves /docs-assets/;
//     on Cloudflare it is not the Worker's CPU, and locally it would add a JS hop to every request
//     of ours and none to the reference workers.
//   - [triggers] crons: Miniflare does not fire them on its own; the bench never needs them.
// Every worker is reached through its own direct socket (no Miniflare entry worker in front), so
// ours and the references are served along exactly the same path.
import { mkdtempSync, readdirSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, extname, join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BENCH_DIR = join(ROOT, "bench");

const BENCH_ADMIN_PASSWORD = "bench-admin-password-0123456789";

let wranglerModule;
async function wrangler() {
  // Keep wrangler's informational lines (e.g. "Using secrets defined in .dev.vars") out of the report.
  process.env.WRANGLER_LOG ??= "error";
  wranglerModule ??= await import("wrangler");
  return wranglerModule;
}

/** wrangler.toml as wrangler reads it, and the Miniflare options it derives from it. */
export async function readProject() {
  const w = await wrangler();
  const config = w.unstable_readConfig({ config: join(ROOT, "wrangler.toml") });
  const { workerOptions, main } = w.unstable_getMiniflareWorkerOptions(config);
  const d1 = config.d1_databases?.[0];
  if (!d1) throw new Error("wrangler.toml declares no D1 database");
  return {
    config,
    name: config.name ?? "worker",
    main: main ?? config.main,
    d1Binding: d1.binding,
    migrationsDir: resolve(ROOT, d1.migrations_dir ?? "migrations"),
    workerOptions,
  };
}

/** The bundle `npm run build` wrote: dist/<main's basename>.js (or the only .js file there). */
export function builtEntry(project) {
  const dist = join(ROOT, "dist");
  const wanted = join(dist, `${basename(project.main, extname(project.main))}.js`);
  if (existsSync(wanted)) return wanted;
  const js = existsSync(dist) ? readdirSync(dist).filter((f) => /\.m?js$/.test(f)) : [];
  if (js.length === 1) return join(dist, js[0]);
  throw new Error(`no built Worker in ${dist}: run npm run build`);
}

/** Statements of migrations/*.sql in order, split the way drizzle writes them. */
export function readMigrations(dir) {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .flatMap((f) =>
      readFileSync(join(dir, f), "utf8")
        .split("--> statement-breakpoint")
        .map((s) => s.trim())
        .filter(Boolean),
    );
}

/** The binding-related options of the Worker, mirrored from wrangler.toml. */
function mirroredOptions(project) {
  const o = project.workerOptions;
  return {
    compatibilityDate: o.compatibilityDate,
    compatibilityFlags: o.compatibilityFlags ?? [],
    d1Databases: o.d1Databases,
    durableObjects: o.durableObjects,
    queueProducers: o.queueProducers,
    queueConsumers: o.queueConsumers,
    kvNamespaces: o.kvNamespaces,
    r2Buckets: o.r2Buckets,
  };
}

/** [vars] from wrangler.toml plus bench-only secrets (never .dev.vars, so runs are reproducible). */
export function benchBindings(project) {
  const vars = Object.fromEntries(
    Object.entries(project.config.vars ?? {}).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
  return {
    ...vars,
    ADMIN_USERNAME: vars.ADMIN_USERNAME || "admin@bench.invalid",
    ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD,
    JWT_SECRET: randomBytes(32).toString("hex"),
    SIP_CREDENTIALS_KEY: randomBytes(32).toString("base64"),
  };
}

const direct = [{ host: "127.0.0.1", port: 0 }];

/**
 * A worker that runs the same bundle with its bindings wrapped, counting the D1 calls (statement
 * executions and batches), Durable Object calls and queue sends each request makes; the counts
 * come back in a response header. Used only for the round-trip table, never for timing.
 */
function instrumentedSource(entryName) {
  return `
import worker from "./${entryName}";
export * from "./${entryName}";

function countingD1(db, n) {
  const targets = new WeakMap();
  const wrapStmt = (stmt) => {
    const proxy = new Proxy(stmt, {
      get(t, p) {
        const v = Reflect.get(t, p, t);
        if (typeof v !== "function") return v;
        if (p === "bind") return (...a) => wrapStmt(v.apply(t, a));
        if (p === "first" || p === "all" || p === "run" || p === "raw") return (...a) => { n.d1++; return v.apply(t, a); };
        return v.bind(t);
      },
    });
    targets.set(proxy, stmt);
    return proxy;
  };
  return new Proxy(db, {
    get(t, p) {
      const v = Reflect.get(t, p, t);
      if (typeof v !== "function") return v;
      if (p === "prepare") return (...a) => wrapStmt(v.apply(t, a));
      // The service reads through a D1 session per request: count its calls the same way.
      if (p === "withSession") return (...a) => countingD1(v.apply(t, a), n);
      if (p === "batch") return (stmts, ...rest) => { n.d1++; return v.call(t, stmts.map((s) => targets.get(s) ?? s), ...rest); };
      if (p === "exec" || p === "dump") return (...a) => { n.d1++; return v.apply(t, a); };
      return v.bind(t);
    },
  });
}

function countingStub(stub, n) {
  return new Proxy(stub, {
    get(t, p) {
      const v = Reflect.get(t, p);
      if (typeof p === "symbol" || p === "then" || p === "id" || p === "name") return v;
      return (...a) => { n.do++; return t[p](...a); };
    },
  });
}

function countingNamespace(ns, n) {
  return new Proxy(ns, {
    get(t, p) {
      const v = Reflect.get(t, p, t);
      if (p === "get" || p === "getByName") return (...a) => countingStub(v.apply(t, a), n);
      return typeof v === "function" ? v.bind(t) : v;
    },
  });
}

function countingQueue(q, n) {
  return new Proxy(q, {
    get(t, p) {
      const v = Reflect.get(t, p, t);
      if (p === "send" || p === "sendBatch") return (...a) => { n.queue++; return v.apply(t, a); };
      return typeof v === "function" ? v.bind(t) : v;
    },
  });
}

function wrapEnv(env, n) {
  const out = {};
  for (const [k, v] of Object.entries(env)) {
    if (v && typeof v.prepare === "function" && typeof v.batch === "function") out[k] = countingD1(v, n);
    else if (v && typeof v.idFromName === "function") out[k] = countingNamespace(v, n);
    else if (v && typeof v.send === "function" && typeof v.sendBatch === "function") out[k] = countingQueue(v, n);
    else out[k] = v;
  }
  return out;
}

export default {
  ...worker,
  async fetch(request, env, ctx) {
    const n = { d1: 0, do: 0, queue: 0 };
    const response = await worker.fetch(request, wrapEnv(env, n), ctx);
    const out = new Response(response.body, response);
    out.headers.set("X-Bench-Calls", JSON.stringify(n));
    return out;
  },
};
`;
}

/**
 * Starts workerd with: the service (consuming its queues), an instrumented copy of it, the bare
 * reference, the two floors (primary-key read, 100-row list), the peer and the usage read's floor
 * (when their bundles are given)
 * and the bench's control worker. Storage is ephemeral (a temp dir
 * Miniflare removes on dispose). Returns the Miniflare instance and each worker's base URL.
 */
export async function startRuntime(project, { bindings, onLog, inspect = false, peerScript, floorUsageScript } = {}) {
  const { Miniflare, Log, LogLevel, convertV4MiniflareOptions } = await import("miniflare");
  const entry = builtEntry(project);
  const mirrored = mirroredOptions(project);
  const lifecycle = Object.entries(mirrored.durableObjects ?? {}).find(
    ([, d]) => (typeof d === "string" ? d : d.className) === "CustomerLifecycle",
  );
  const names = {
    main: project.name,
    instrumented: "bench-instrumented",
    bare: "bench-bare",
    floorGet: "bench-floor-get",
    floorList: "bench-floor-list",
    floorAgent: "bench-floor-agent",
    ...(peerScript ? { peer: "bench-peer" } : {}),
    ...(floorUsageScript ? { floorUsage: "bench-floor-usage" } : {}),
    control: "bench-control",
  };
  const distDir = dirname(entry);
  const entryName = basename(entry);
  const crossScriptDOs = Object.fromEntries(
    Object.entries(mirrored.durableObjects ?? {}).map(([binding, d]) => [
      binding,
      typeof d === "string" ? { className: d, scriptName: names.main } : { ...d, scriptName: names.main },
    ]),
  );
  const options = {
    host: "127.0.0.1",
    port: 0,
    cf: false,
    enableDevRegistry: false,
    log: new Log(LogLevel.WARN),
    handleStructuredLogs: onLog,
    ...(inspect ? { inspectorPort: 0 } : {}),
    workers: [
      {
        name: names.main,
        ...mirrored,
        modules: true,
        scriptPath: entry,
        bindings,
        unsafeDirectSockets: direct,
        ...(inspect ? { unsafeInspectorProxy: true } : {}),
      },
      {
        name: names.instrumented,
        compatibilityDate: mirrored.compatibilityDate,
        compatibilityFlags: mirrored.compatibilityFlags,
        modulesRoot: distDir,
        modules: [
          {
            type: "ESModule",
            path: join(distDir, "__bench_instrumented.mjs"),
            contents: instrumentedSource(entryName),
          },
          { type: "ESModule", path: entry },
        ],
        d1Databases: mirrored.d1Databases,
        durableObjects: crossScriptDOs,
        queueProducers: mirrored.queueProducers,
        bindings,
        unsafeDirectSockets: direct,
      },
      {
        name: names.bare,
        compatibilityDate: mirrored.compatibilityDate,
        compatibilityFlags: mirrored.compatibilityFlags,
        modules: true,
        scriptPath: join(BENCH_DIR, "workers", "bare.mjs"),
        unsafeDirectSockets: direct,
      },
      ...Object.entries({ floorGet: "floor-get.mjs", floorList: "floor-list.mjs", floorAgent: "floor-agent.mjs" }).map(
        ([key, file]) => ({
          name: names[key],
          compatibilityDate: mirrored.compatibilityDate,
          compatibilityFlags: mirrored.compatibilityFlags,
          modules: true,
          scriptPath: join(BENCH_DIR, "workers", file),
          d1Databases: mirrored.d1Databases,
          unsafeDirectSockets: direct,
          ...(inspect ? { unsafeInspectorProxy: true } : {}),
        }),
      ),
      ...(peerScript
        ? [
            {
              name: names.peer,
              compatibilityDate: mirrored.compatibilityDate,
              compatibilityFlags: mirrored.compatibilityFlags,
              modules: true,
              scriptPath: peerScript,
              d1Databases: mirrored.d1Databases,
              bindings: { JWT_SECRET: bindings.JWT_SECRET },
              unsafeDirectSockets: direct,
              ...(inspect ? { unsafeInspectorProxy: true } : {}),
            },
          ]
        : []),
      ...(floorUsageScript
        ? [
            {
              name: names.floorUsage,
              compatibilityDate: mirrored.compatibilityDate,
              compatibilityFlags: mirrored.compatibilityFlags,
              modules: true,
              scriptPath: floorUsageScript,
              d1Databases: mirrored.d1Databases,
              unsafeDirectSockets: direct,
            },
          ]
        : []),
      {
        name: names.control,
        compatibilityDate: mirrored.compatibilityDate,
        compatibilityFlags: mirrored.compatibilityFlags,
        modules: true,
        scriptPath: join(BENCH_DIR, "workers", "control.mjs"),
        d1Databases: mirrored.d1Databases,
        durableObjects: lifecycle ? { LIFECYCLE: crossScriptDOs[lifecycle[0]] } : {},
        unsafeDirectSockets: direct,
      },
    ],
  };
  const mf = new Miniflare(convertV4MiniflareOptions(options));
  await mf.ready;
  const urls = {};
  for (const [key, name] of Object.entries(names))
    urls[key] = (await mf.unsafeGetDirectURL(name)).href.replace(/\/$/, "");
  const db = await mf.getD1Database(project.d1Binding, names.main);
  return { mf, urls, names, db };
}

/** A fresh Miniflare with one worker only, for start-up timing. Resolves with the instance once ready. */
export async function startSingle(project, which, bindings) {
  const { Miniflare, Log, LogLevel, convertV4MiniflareOptions } = await import("miniflare");
  const mirrored = mirroredOptions(project);
  const worker =
    which === "main"
      ? {
          name: project.name,
          ...mirrored,
          modules: true,
          scriptPath: builtEntry(project),
          bindings,
          unsafeDirectSockets: direct,
        }
      : {
          name: "bench-bare",
          compatibilityDate: mirrored.compatibilityDate,
          modules: true,
          scriptPath: join(BENCH_DIR, "workers", "bare.mjs"),
          unsafeDirectSockets: direct,
        };
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      cf: false,
      enableDevRegistry: false,
      log: new Log(LogLevel.WARN),
      workers: [worker],
    }),
  );
  await mf.ready;
  const url = (await mf.unsafeGetDirectURL(worker.name)).href.replace(/\/$/, "");
  return { mf, url };
}

/**
 * CPU seconds (user + system) used so far by the workerd processes `parentPid` started (by
 * default this process; the load generator passes the harness's), from /proc (Linux); null
 * elsewhere. Sampled around each load run to get the runtime's CPU per request.
 */
export function workerdCpuSeconds(parentPid = process.pid) {
  let total = 0;
  let found = false;
  let entries;
  try {
    entries = readdirSync("/proc");
  } catch {
    return null;
  }
  for (const d of entries) {
    if (!/^\d+$/.test(d)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${d}/stat`, "utf8");
    } catch {
      continue;
    }
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(stat.indexOf("(") + 1, close);
    const fields = stat.slice(close + 2).split(" ");
    if (comm !== "workerd" || Number(fields[1]) !== parentPid) continue;
    found = true;
    total += (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  }
  return found ? total : null;
}
const CLOCK_TICKS = 100; // USER_HZ on Linux

export function scratchDir(prefix = "voipbin-bench-") {
  return mkdtempSync(join(tmpdir(), prefix));
}
