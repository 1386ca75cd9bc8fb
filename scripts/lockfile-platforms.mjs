// The npm registry reachable here lacks workerd's macOS and Windows binaries, so `npm install`
// leaves them out of package-lock.json and `npm ci` then rejects the lockfile as out of sync.
// This adds the missing optional, platform-restricted entries (npm skips them on Linux; on
// macOS/Windows with the public registry they resolve normally). Run after `npm install`.
import { readFileSync, writeFileSync } from "node:fs";

const PLATFORMS = {
  "workerd-darwin-64": { os: ["darwin"], cpu: ["x64"] },
  "workerd-darwin-arm64": { os: ["darwin"], cpu: ["arm64"] },
  "workerd-windows-64": { os: ["win32"], cpu: ["x64"] },
};

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  if (!path.endsWith("node_modules/workerd") || !entry.optionalDependencies) continue;
  const prefix = path.slice(0, -"workerd".length);
  for (const [name, platform] of Object.entries(PLATFORMS)) {
    const full = `@cloudflare/${name}`;
    const version = entry.optionalDependencies[full];
    const key = `${prefix}${full}`;
    if (!version || lock.packages[key]) continue;
    lock.packages[key] = {
      version,
      cpu: platform.cpu,
      dev: entry.dev,
      license: "Apache-2.0",
      optional: true,
      os: platform.os,
      engines: { node: ">=16" },
    };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))),
);
writeFileSync("package-lock.json", `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lockfile: added ${added} platform entries`);
