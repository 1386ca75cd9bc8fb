// Start-up: wrangler's own profile of the global scope, and cold starts against the bare Worker.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { benchBindings, ROOT, scratchDir, startSingle } from "./runtime.mjs";
import { median } from "./stats.mjs";

const require = createRequire(join(ROOT, "package.json"));

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
  const res = spawnSync(process.execPath, [wranglerBin, "check", "startup", "--outfile", out], {
    cwd: ROOT,
    encoding: "utf8",
    env,
  });
  if (res.status !== 0 || !existsSync(out))
    throw new Error(`wrangler check startup failed: ${(res.stderr || res.stdout || "").slice(-1500)}`);
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

export async function measureStartup(project, { runs, phase }) {
  const bindings = benchBindings(project);
  const main = [];
  const bare = [];
  for (let i = 0; i < runs; i++) {
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
  for (let i = 0; i < runs; i++) profiles.push(await phase("startup-profile", async () => wranglerCheckStartup()));
  const ok = profiles.filter(Boolean);
  return {
    coldStart: coldStartResult,
    profile: ok.length
      ? { activeMs: median(ok.map((p) => p.activeMs)), sampledMs: median(ok.map((p) => p.sampledMs)), runs: ok }
      : null,
  };
}
