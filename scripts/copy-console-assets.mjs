// Fills public/console-assets/ (Workers static assets, see [assets] in wrangler.toml) with the
// console's browser code, src/console/assets/: plain ES modules and one stylesheet, served as they
// are (no bundler, no build step). Runs before dev, build and test, like copy-docs-assets.mjs.
import { cpSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const from = join(root, "src", "console", "assets");
// Keep in step with CONSOLE_ASSETS_PATH in src/console/pages.ts.
const to = join(root, "public", "console-assets");

rmSync(to, { recursive: true, force: true });
mkdirSync(to, { recursive: true });
cpSync(from, to, { recursive: true });
console.log(`copy-console-assets: ${readdirSync(to).length} files -> public/console-assets/`);
