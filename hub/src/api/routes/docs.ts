/**
 * The API reference: the OpenAPI document rendered by Swagger UI, served from the hub's own packages —
 * no CDN, since hubs often run where only the VPN reaches.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { filesIn } from "../assets";
import type { AppEnv } from "../env";
import { ApiError, ApiErrorCode } from "../errors";

const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

// Swagger UI asks an online validator about the document unless told not to: validatorUrl null.
const INIT = `window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#api",
  validatorUrl: null,
  deepLinking: true,
  displayRequestDuration: true,
  defaultModelsExpandDepth: 1,
  defaultModelExpandDepth: 3,
  showExtensions: true,
});
`;

const PAGE = `<!doctype html><html lang=en><head><meta charset=utf-8>
<meta name=viewport content="width=device-width, initial-scale=1">
<title>Nephoran Edge hub API</title><link rel=stylesheet href="/docs/assets/swagger-ui.css">
<link rel=icon type="image/png" href="/docs/assets/favicon-32x32.png">
<style>body{margin:0;font:14px system-ui,sans-serif}.intro{max-width:1460px;margin:0 auto;padding:16px 20px 0}</style>
</head><body><div class=intro><p>Authenticate with <code>Authorization: Bearer &lt;token&gt;</code> (Authorize, below).
The machine-readable contract: <a href="/openapi.json">/openapi.json</a>.</p></div><div id=api></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script><script src="/docs/assets/init.js"></script>
</body></html>`;

/** Only this page's own origin: scripts, styles and the document; inline styles are Swagger UI's own. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function register(app: OpenAPIHono<AppEnv>): void {
  const dir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  const version = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string })
    .version;
  const asset = filesIn(dir);

  app.get("/docs", (c) => c.html(PAGE, 200, { "content-security-policy": CSP }));
  app.get("/docs/assets/init.js", (c) =>
    c.body(INIT, 200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" }),
  );
  app.get("/docs/assets/:name", (c) => {
    const name = c.req.param("name");
    const type = ASSETS[name];
    if (!type) throw new ApiError(404, ApiErrorCode.NotFound, `no asset ${name}`);
    const etag = `"swagger-ui-${version}"`;
    if (c.req.header("if-none-match") === etag) return c.body(null, 304);
    return c.body(new Uint8Array(asset(name)), 200, {
      "content-type": type,
      etag,
      "cache-control": "public, max-age=86400",
    });
  });
}
