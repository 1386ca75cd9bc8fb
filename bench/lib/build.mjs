// Building: the Worker (npm run build), its bundle size, and the peer Worker's bundle (esbuild).
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { BENCH_DIR, builtEntry, ROOT } from "./runtime.mjs";

function npmCommand(scriptArgs) {
  // Under `npm run`, npm_execpath is npm's own CLI: run it with this very Node.
  const npmCli = process.env.npm_execpath;
  if (npmCli && /\.c?js$/.test(npmCli)) return [process.execPath, [npmCli, ...scriptArgs]];
  return [process.platform === "win32" ? "npm.cmd" : "npm", scriptArgs];
}

export function build() {
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

export function bundleSize(project, buildInfo) {
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

/**
 * bench/workers/peer.mjs bundled the way wrangler bundles a Worker (esbuild, ESM, minified), with
 * the project's own hono and drizzle-orm. Returns the path of the bundle (bench/.build/, git-ignored).
 */
export function bundlePeer() {
  return bundleWorker("peer.mjs");
}

/** bench/workers/floor-usage.mjs with the service's own usage statement (src/plans/usage-sql.ts). */
export function bundleFloorUsage() {
  return bundleWorker("floor-usage.mjs");
}

async function bundleWorker(name) {
  // esbuild comes with wrangler; resolve it from there, not as a dependency of its own.
  const fromWrangler = createRequire(createRequire(join(ROOT, "package.json")).resolve("wrangler/package.json"));
  const esbuild = await import(fromWrangler.resolve("esbuild"));
  // Inside the project: workerd resolves module paths from its working directory, never above it.
  const outfile = join(BENCH_DIR, ".build", name);
  await esbuild.build({
    entryPoints: [join(BENCH_DIR, "workers", name)],
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser"],
    target: "es2022",
    minify: true,
    outfile,
    nodePaths: [join(ROOT, "node_modules")],
    logLevel: "silent",
  });
  return outfile;
}
