// `npm run bench:profile [-- --seconds 4 --only selfJwt,agentMe,floorAgentMe]`: where the Worker's own CPU goes.
// Runs the same workerd set-up as the benchmark, attaches V8's sampling profiler to the
// service's isolate (Miniflare's inspector proxy), drives one endpoint at a time with autocannon
// and attributes the samples to the bundled modules (esbuild's `// node_modules/...` and
// `// src/...` markers in dist/index.js). D1's own work runs in another isolate and is not in
// these numbers; the benchmark's "workerd CPU ms/req" column has the whole.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { agentWithExtensions, Api, createCustomer } from "./lib/api.mjs";
import { runLoad } from "./lib/load.mjs";
import { bundlePeer } from "./lib/build.mjs";
import { connectInspector } from "./lib/inspector.mjs";
import { benchBindings, builtEntry, readMigrations, readProject, ROOT, startRuntime } from "./lib/runtime.mjs";
import { seedCustomers } from "./lib/seed.mjs";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "4" },
    connections: { type: "string", default: "10" },
    customers: { type: "string", default: "10000" },
    only: { type: "string" },
    top: { type: "string", default: "12" },
  },
});

const project = await readProject();
if (!existsSync(join(ROOT, "dist"))) {
  const r = spawnSync(process.platform === "win32" ? "npm.cmd" : "npm", ["run", "build", "--silent"], {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const entry = builtEntry(project);

// (line, column) of the bundle → its source module: through the source map wrangler writes next to
// the bundle (the build may minify), else through esbuild's `// node_modules/...` markers.
let moduleAt;
const mapFile = `${entry}.map`;
if (existsSync(mapFile)) {
  const map = new SourceMap(JSON.parse(readFileSync(mapFile, "utf8")));
  moduleAt = (line, column) => {
    const hit = map.findEntry(line, column);
    return hit?.originalSource
      ? hit.originalSource.replace(/^(\.\.\/)+/, "").replace(/^.*?node_modules\//, "node_modules/")
      : null;
  };
} else {
  const markers = [];
  readFileSync(entry, "utf8")
    .split("\n")
    .forEach((line, i) => {
      const m = /^\/\/ ((?:node_modules|src)\/\S+)$/.exec(line);
      if (m) markers.push([i, m[1]]);
    });
  moduleAt = (line) => {
    let found = null;
    for (const [l, path] of markers) {
      if (l > line) break;
      found = path;
    }
    return found;
  };
}
const groupOf = (path) => {
  if (!path) return "(bundle, unmapped)";
  // drizzle-orm ships source maps into its repository's src/ (outside the package), which the
  // bundle's composed map turns into node_modules/src/…
  if (path.startsWith("node_modules/src/")) return "drizzle-orm";
  const nm = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return nm ? nm[1] : path;
};

const SAMPLING_US = 100;
const bindings = benchBindings(project);
const rt = await startRuntime(project, { bindings, inspect: true, peerScript: await bundlePeer() });
try {
  for (const statement of readMigrations(project.migrationsDir)) await rt.db.prepare(statement).run();
  await seedCustomers(rt.db, Number(args.customers));
  const api = new Api(rt.urls.main);
  const adminToken = await api.login(bindings.ADMIN_USERNAME, bindings.ADMIN_PASSWORD);
  const tenant = await createCustomer(api, adminToken, "profiled");
  const jwt = await api.login(tenant.username, tenant.password);
  const key = (await api.ok("POST", "/v1.0/accesskeys", { token: jwt, body: { name: "profile" } })).token;
  // An agent of the tenant whose addresses name three of its extensions, as in the benchmark.
  const agent = await agentWithExtensions(api, { ...tenant, token: jwt }, 3);
  const probe = await rt.db.prepare("SELECT id FROM customers ORDER BY tm_create DESC LIMIT 1 OFFSET 100").first();
  const cases = {
    floorGet: { worker: rt.names.floorGet, base: rt.urls.floorGet, path: `/?id=${probe.id}` },
    floorList: { worker: rt.names.floorList, base: rt.urls.floorList, path: "/" },
    peerSelf: { worker: rt.names.peer, base: rt.urls.peer, path: "/v1.0/customer", token: jwt },
    peerList: { worker: rt.names.peer, base: rt.urls.peer, path: "/v1.0/customers?page_size=100", token: adminToken },
    selfJwt: { path: "/v1.0/customer", token: jwt },
    selfKey: { path: "/v1.0/customer", token: key },
    adminGet: { path: `/v1.0/customers/${probe.id}`, token: adminToken },
    adminList: { path: "/v1.0/customers?page_size=100", token: adminToken },
    agentMe: { path: "/v1.0/service_agents/me", token: agent.token },
    agentExtensions: { path: "/v1.0/service_agents/extensions", token: agent.token },
    floorAgentMe: {
      worker: rt.names.floorAgent,
      base: rt.urls.floorAgent,
      path: `/me?agent=${agent.id}&customer=${tenant.id}`,
    },
  };
  const selected = args.only ? args.only.split(",") : Object.keys(cases);

  const connect = async (workerName) => {
    const session = await connectInspector(rt.mf, workerName);
    await session.send("Profiler.enable");
    await session.send("Profiler.setSamplingInterval", { interval: SAMPLING_US });
    return session;
  };
  const sessions = new Map();

  for (const name of selected) {
    const c = cases[name];
    const workerName = c.worker ?? rt.names.main;
    if (!sessions.has(workerName)) sessions.set(workerName, await connect(workerName));
    const { send } = sessions.get(workerName);
    const url = (c.base ?? rt.urls.main) + c.path;
    const headers = c.token ? { Authorization: `Bearer ${c.token}` } : {};
    await runLoad({ url, headers }, { connections: Number(args.connections), duration: 1 });
    await send("Profiler.start");
    const load = await runLoad(
      { url, headers },
      { connections: Number(args.connections), duration: Number(args.seconds) },
    );
    const { profile } = await send("Profiler.stop");

    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    // Each sample stands for one interval: V8 samples the isolate only while it holds the thread,
    // and a sample's time delta spans whatever else the thread did in between (lib/inspector.mjs).
    const selfMs = new Map();
    for (const id of profile.samples) selfMs.set(id, (selfMs.get(id) ?? 0) + SAMPLING_US / 1000);
    const groups = new Map();
    const functions = new Map();
    let active = 0;
    for (const [id, ms] of selfMs) {
      const frame = byId.get(id).callFrame;
      if (frame.functionName === "(idle)") continue;
      active += ms;
      let group;
      if (frame.url && !c.worker && entry.endsWith(frame.url.split("/").pop()))
        group = groupOf(moduleAt(frame.lineNumber, frame.columnNumber));
      else if (frame.functionName.startsWith("(")) group = frame.functionName;
      else group = frame.url ? `(other: ${frame.url.split("/").pop()})` : "(runtime built-ins)";
      groups.set(group, (groups.get(group) ?? 0) + ms);
      const fn = `${frame.functionName || "(anonymous)"} [${group}]`;
      functions.set(fn, (functions.get(fn) ?? 0) + ms);
    }
    const per = (ms) => (ms / load.requests).toFixed(3);
    console.log(`\n## ${name}: ${c.path} — ${load.requests} requests, ${load.rps.toFixed(0)} req/s`);
    console.log(
      `Worker isolate CPU: ${per(active)} ms/request (workerd as a whole: ${load.cpuMsPerReq?.toFixed(3) ?? "?"} ms/request)\n`,
    );
    console.log("| module (self time) | ms/request | share |\n| --- | ---: | ---: |");
    for (const [g, ms] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, Number(args.top))) {
      console.log(`| ${g} | ${per(ms)} | ${((100 * ms) / active).toFixed(1)}% |`);
    }
    console.log("\n| function (self time) | ms/request |\n| --- | ---: |");
    for (const [fn, ms] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, Number(args.top)))
      console.log(`| ${fn} | ${per(ms)} |`);
  }
  for (const session of sessions.values()) session.close();
} finally {
  await rt.mf.dispose();
}
