// `npm run dev [-- wrangler dev flags]`: local config, local D1 migrations, then wrangler dev,
// with wrangler's start-up chatter folded into a short banner. `DEV_VERBOSE=1` shows it all.
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";

const verbose = Boolean(process.env.DEV_VERBOSE);

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
const devVars = parseDevVars(readFileSync(".dev.vars", "utf8"));

const wrangler = process.platform === "win32" ? "wrangler.cmd" : "wrangler";
// No telemetry prompt or upload from a development machine.
const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };

// Migrations: wrangler prints the whole table after each one; keep one line unless it fails.
const migrate = spawnSync(wrangler, ["d1", "migrations", "apply", "DB", "--local"], {
  encoding: "utf8",
  env: { ...env, CI: "true" }, // answers wrangler's confirmation prompt
});
const migrateOutput = `${migrate.stdout ?? ""}${migrate.stderr ?? ""}`;
if (migrate.status !== 0 || verbose) process.stdout.write(migrateOutput);
if (migrate.status !== 0) {
  console.error("Applying the local D1 migrations failed (output above).");
  process.exit(migrate.status ?? 1);
}
// Each migration's table lists the ones still to apply: the distinct names are the applied ones.
const applied = new Set(migrateOutput.match(/\d{4}_[\w-]+\.sql/g) ?? []).size;
console.log(applied ? `D1 (local): applied ${applied} migrations.` : "D1 (local): migrations up to date.");

const dev = spawn(wrangler, ["dev", ...process.argv.slice(2)], {
  env,
  stdio: ["inherit", "pipe", "pipe"],
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => process.exit(code ?? 0));

let ready = false;
// Lines that only repeat what wrangler.toml says or report the offline machine; errors pass.
const NOISE = [
  /^\s*$/,
  /wrangler \d+\.\d+/,
  /^─+$/,
  /^Your Worker has access to the following bindings/,
  /^Binding\s+Resource/,
  /^env\.\w+/,
  /^Using secrets defined in \.dev\.vars/,
  /collects anonymous telemetry/,
  /Unable to fetch the `Request\.cf` object/,
  /getaddrinfo ENOTFOUND/,
  /^\s+at /,
  /Scheduled Workers are not automatically triggered/,
  /To manually trigger a scheduled event/,
  /cdn-cgi\/(local|handler)\/scheduled/,
  /For more details, see .*cron-triggers/,
  /^⎔ (Starting local server|Connection status updated|Reloading local server)/,
  /Parsed \d+ valid header rule/,
];

function relay(stream, out) {
  createInterface({ input: stream }).on("line", (line) => {
    const plain = line.replace(/\x1b\[[0-9;]*m/g, "");
    const url = plain.match(/Ready on (https?:\/\/\S+)/)?.[1];
    if (url) {
      if (!ready || verbose) out.write(`${verbose ? `${line}\n` : ""}${banner(url)}`);
      ready = true;
      return;
    }
    if (verbose || (!ready && !NOISE.some((re) => re.test(plain))) || (ready && !isBindingsLine(plain))) {
      out.write(`${line}\n`);
    }
  });
}
relay(dev.stdout, process.stdout);
relay(dev.stderr, process.stderr);

// Wrangler reprints the bindings after a reload; they stay quiet then too.
function isBindingsLine(plain) {
  return /^(Your Worker has access|Binding\s+Resource|env\.\w+)/.test(plain) || /Request\.cf|ENOTFOUND|^\s+at /.test(plain);
}

function banner(url) {
  const base = url.replace(/\/$/, "");
  const admin = devVars.ADMIN_USERNAME ?? "(ADMIN_USERNAME is not set in .dev.vars)";
  const password = devVars.ADMIN_PASSWORD ? devVars.ADMIN_PASSWORD : "(ADMIN_PASSWORD is not set in .dev.vars)";
  const lines = [
    "",
    `  VoIPBIN Customer API is ready on ${base}`,
    "",
    `    API reference   ${base}/docs`,
    `    Console         ${base}/console`,
    `    Health          ${base}/health`,
    `    Super admin     ${admin} / ${password}   (from .dev.vars)`,
  ];
  if (devVars.PUBLIC_BASE_URL && devVars.PUBLIC_BASE_URL.replace(/\/$/, "") !== base) {
    lines.push(`    Note            mailed links use PUBLIC_BASE_URL=${devVars.PUBLIC_BASE_URL} from .dev.vars`);
  }
  lines.push("", "  Mails (verification and password links) are printed below as they are sent. Ctrl-C stops.", "", "");
  return lines.join("\n");
}

function parseDevVars(text) {
  const vars = {};
  for (const raw of text.split(/\r?\n/)) {
    const m = raw.match(/^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/);
    if (m) vars[m[1]] = m[2].replace(/^"(.*)"$/, "$1");
  }
  return vars;
}
