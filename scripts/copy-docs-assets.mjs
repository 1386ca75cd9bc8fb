// Fills public/ (Workers static assets, see [assets] in wrangler.toml) with what GET /docs loads:
// Swagger UI's bundle and stylesheet from node_modules, and the page's own initializer from
// src/routes/docs/. The Worker serves them itself, so the API reference needs no CDN.
// Runs before dev, build and test (npm pre-scripts). public/ is generated and git-ignored.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));
const swaggerDir = dirname(require.resolve("swagger-ui-dist/package.json"));
const swaggerVersion = JSON.parse(readFileSync(join(swaggerDir, "package.json"), "utf8")).version;

const publicDir = join(root, "public");
// Keep in step with ASSETS_PATH in src/routes/docs/index.ts.
const assetsDir = join(publicDir, "docs-assets");

rmSync(assetsDir, { recursive: true, force: true });
mkdirSync(assetsDir, { recursive: true });

const copies = [
  [join(swaggerDir, "swagger-ui-bundle.js"), "swagger-ui-bundle.js"],
  [join(swaggerDir, "swagger-ui.css"), "swagger-ui.css"],
  [join(swaggerDir, "favicon-32x32.png"), "favicon-32x32.png"],
  [join(swaggerDir, "LICENSE"), "swagger-ui-LICENSE.txt"],
  [join(swaggerDir, "NOTICE"), "swagger-ui-NOTICE.txt"],
  [join(root, "src", "routes", "docs", "swagger-initializer.js"), "swagger-initializer.js"],
];
for (const [from, to] of copies) copyFileSync(from, join(assetsDir, to));

// Headers of the static files (served by Workers assets before the Worker runs, so the app's
// middleware never sees them). Parsed by wrangler/Miniflare and by Cloudflare; never served.
writeFileSync(
  join(publicDir, "_headers"),
  // The console's files (scripts/copy-console-assets.mjs) get the same; one _headers file serves both.
  ["/docs-assets/*", "/console-assets/*"]
    .flatMap((path) => [path, "  X-Content-Type-Options: nosniff", "  Cross-Origin-Resource-Policy: same-origin"])
    .concat("")
    .join("\n"),
);

console.log(`copy-docs-assets: Swagger UI ${swaggerVersion} -> public/docs-assets/`);
