// Starts Swagger UI on the page that GET /docs returns (src/routes/docs/index.ts). A file of its own
// rather than an inline script, so the page's Content-Security-Policy can stay at script-src 'self'.
// Copied to public/docs-assets/ by scripts/copy-docs-assets.mjs.
window.addEventListener("DOMContentLoaded", () => {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    domNode: root,
    deepLinking: true,
    // No call to the public validator service: the page talks to this origin only.
    validatorUrl: null,
    // Never load another document named in the page's query string.
    queryConfigEnabled: false,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // Hundreds of operations: the page opens on the list of tags, a tag opens on a click, and the
    // filter box narrows the tags. Expanded all at once, Swagger UI (>= 5.33) would render only the
    // operations near the viewport anyway (PR #11024).
    docExpansion: "none",
    filter: true,
    displayOperationId: true,
  });
});
