// `npm run dev [-- wrangler dev flags]`: local config, local D1 migrations, then wrangler dev.
import { spawnSync, spawn } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, readFileSync } from "node:fs";

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("Created .dev.vars from .dev.vars.example (local development defaults).");
} else {
  // A .dev.vars made before a required secret existed gets the example's value, so it keeps working.
  const REQUIRED = ["ADMIN_USERNAME", "ADMIN_PASSWORD", "JWT_SECRET", "SIP_CREDENTIALS_KEY"];
  const current = readFileSync(".dev.vars", "utf8");
  const missing = readFileSync(".dev.vars.example", "utf8")
    .split("\n")
    .filter((line) =>
      REQUIRED.some((name) => line.startsWith(`${name}=`) && !new RegExp(`^${name}=`, "m").test(current)),
    );
  if (missing.length) {
    appendFileSync(".dev.vars", `${current.endsWith("\n") ? "" : "\n"}${missing.join("\n")}\n`);
    console.log(`Added to .dev.vars from .dev.vars.example: ${missing.map((l) => l.split("=")[0]).join(", ")}.`);
  }
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
