// `npm run dev [-- wrangler dev flags]`: local config, local D1 migrations, then wrangler dev.
import { spawnSync, spawn } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("Created .dev.vars from .dev.vars.example (local development defaults).");
}

const wrangler = process.platform === "win32" ? "wrangler.cmd" : "wrangler";
const migrate = spawnSync(wrangler, ["d1", "migrations", "apply", "DB", "--local"], {
  stdio: "inherit",
  env: { ...process.env, CI: "true" }, // answer wrangler's confirmation prompt
});
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const dev = spawn(wrangler, ["dev", ...process.argv.slice(2)], { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => process.exit(code ?? 0));
