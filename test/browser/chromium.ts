// Which Chromium the browser tests drive, found without installing anything by hand: CHROMIUM_PATH
// if set; else a system Chrome or Chromium at its usual Linux or macOS place; else the Linux build
// that the `@sparticuz/chromium` devDependency carries inside the npm package (no download step).
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rename, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { chromium, type Browser } from "playwright-core";

// The network may be closed, and nothing of the browser's own should leave the machine.
const QUIET = [
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];
// Chromium will not start its sandbox as root (CI containers run as root).
const AS_ROOT = process.getuid?.() === 0 ? ["--no-sandbox"] : [];

const SYSTEM_PATHS = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
  "/opt/google/chrome/chrome",
  "/snap/bin/chromium",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
];

// The package's flags are for serverless hosts; these two would switch off the very protections
// (same-origin policy, mixed-content blocking) that the docs test checks, and playwright sets headless.
// --single-process too: in it, closing a browser context kills the whole browser (SIGTRAP), and the
// console test closes one per flow.
const dropped = (flag: string) =>
  flag === "--disable-web-security" ||
  flag === "--allow-running-insecure-content" ||
  flag === "--single-process" ||
  flag.startsWith("--headless");

export const HOW_TO_GET_ONE =
  "The browser tests (test/browser/) need Chrome or Chromium. Any one of these works: " +
  "set CHROMIUM_PATH to a Chrome/Chromium binary; install Google Chrome or Chromium at its usual place " +
  `(${SYSTEM_PATHS.join(", ")}); or, on Linux x64, run \`npm install\` so the bundled @sparticuz/chromium ` +
  "devDependency is present (it is unpacked into node_modules/.cache on first use).";

interface Candidate {
  source: string;
  launch: () => Promise<Browser>;
}

const system = (source: string, executablePath: string): Candidate => ({
  source,
  launch: () => chromium.launch({ executablePath, headless: true, args: ["--disable-gpu", ...QUIET, ...AS_ROOT] }),
});

/**
 * The package's binary, its SwiftShader and its NSS/expat libraries, unpacked once per package version
 * into node_modules/.cache. The package itself unpacks into os.tmpdir() and trusts whatever is there
 * (another version, or half a file after an interrupted run), so it unpacks into a fresh directory here
 * that is renamed into place only when complete.
 */
async function unpackBundled(): Promise<{ executablePath: string; libDir: string; args: string[] }> {
  const require = createRequire(import.meta.url);
  const entry = require.resolve("@sparticuz/chromium");
  const packageDir = join(dirname(entry), "..");
  const { version } = JSON.parse(await readFile(join(packageDir, "package.json"), "utf8")) as { version: string };
  const { default: bundled, inflate } = await import("@sparticuz/chromium");

  const cache = join(import.meta.dirname, "..", "..", "node_modules", ".cache");
  const dir = join(cache, `sparticuz-chromium-${version}`);
  const result = { executablePath: join(dir, "chromium"), libDir: join(dir, "al2023", "lib"), args: bundled.args };
  if (existsSync(result.executablePath) && existsSync(result.libDir)) return result;

  await mkdir(cache, { recursive: true });
  const staging = await mkdtemp(join(cache, "sparticuz-chromium-unpacking-"));
  const tmpdir = process.env.TMPDIR;
  process.env.TMPDIR = staging; // where the package unpacks (it reads os.tmpdir())
  try {
    await bundled.executablePath(join(packageDir, "bin"));
    await inflate(join(packageDir, "bin", "al2023.tar.br"));
  } finally {
    if (tmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmpdir;
  }
  try {
    await rename(staging, dir);
  } catch (err) {
    // Another run got there first (with a complete copy, as it renamed it into place): use that one.
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(result.executablePath) || !existsSync(result.libDir)) throw err;
  }
  return result;
}

const bundled: Candidate = {
  source: "the Chromium bundled in the @sparticuz/chromium npm package",
  launch: async () => {
    if (process.platform !== "linux" || process.arch !== "x64") {
      throw new Error(`it is a Linux x64 build; this machine is ${process.platform} ${process.arch}`);
    }
    const { executablePath, libDir, args } = await unpackBundled();
    return chromium.launch({
      executablePath,
      headless: true,
      args: [...args.filter((flag) => !dropped(flag)), ...QUIET],
      // Its own NSS and expat, built with it: nothing needed from the system's package manager.
      env: { ...process.env, LD_LIBRARY_PATH: [libDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(":") },
    });
  },
};

/** CHROMIUM_PATH alone when it is set (an explicit choice is never replaced), else system, then bundled. */
export function candidates(
  env: NodeJS.ProcessEnv = process.env,
  exists: (path: string) => boolean = existsSync,
): Candidate[] {
  if (env.CHROMIUM_PATH) return [system(`CHROMIUM_PATH=${env.CHROMIUM_PATH}`, env.CHROMIUM_PATH)];
  return [...SYSTEM_PATHS.filter(exists).map((path) => system(path, path)), bundled];
}

/** The first candidate that starts; if none does, an error that lists each attempt and how to get a browser. */
export async function launchChromium(list: Candidate[] = candidates()): Promise<{ browser: Browser; source: string }> {
  const failures: string[] = [];
  for (const candidate of list) {
    try {
      return { browser: await candidate.launch(), source: candidate.source };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      failures.push(`- ${candidate.source}: ${message.split("\n").slice(0, 4).join("\n    ")}`);
    }
  }
  throw new Error(`No Chrome or Chromium could be started.\n${failures.join("\n")}\n${HOW_TO_GET_ONE}`);
}
