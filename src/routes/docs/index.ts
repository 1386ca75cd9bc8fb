import type { Context } from "hono";
import type { AppEnv } from "../../app-env";

/**
 * GET /docs: the interactive API reference (Swagger UI) of GET /openapi.json.
 *
 * An HTML page, not a JSON API route, so it is registered with a plain `app.get` and stays out of
 * the OpenAPI document. Everything it loads comes from this Worker: the Swagger UI files are
 * Workers static assets under ASSETS_PATH (public/docs-assets/, filled from node_modules by
 * scripts/copy-docs-assets.mjs before dev, build and test), served before the Worker runs.
 */
export const DOCS_PATH = "/docs";
export const OPENAPI_PATH = "/openapi.json";
/** Keep in step with scripts/copy-docs-assets.mjs. */
export const ASSETS_PATH = "/docs-assets";

/**
 * Only this origin, for everything. Swagger UI needs no inline script, eval or inline style
 * element; its stylesheet draws its icons as data: images. connect-src 'self' covers fetching the
 * document and "Try it out" calls to this API.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>VoIPBIN Customer API reference</title>
<link rel="icon" type="image/png" href="${ASSETS_PATH}/favicon-32x32.png">
<link rel="stylesheet" href="${ASSETS_PATH}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="${OPENAPI_PATH}"></div>
<noscript>The API reference needs JavaScript. The OpenAPI document itself is at <a href="${OPENAPI_PATH}">${OPENAPI_PATH}</a>.</noscript>
<script src="${ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="${ASSETS_PATH}/swagger-initializer.js"></script>
</body>
</html>
`;

export function docsPage(c: Context<AppEnv>) {
  c.header("Content-Security-Policy", DOCS_CSP);
  c.header("X-Content-Type-Options", "nosniff");
  c.header("Referrer-Policy", "no-referrer");
  c.header("X-Frame-Options", "DENY");
  c.header("Cache-Control", "no-cache");
  return c.html(page);
}
