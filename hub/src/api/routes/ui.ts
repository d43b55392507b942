/**
 * The web console: a small Preact application built with the hub (`hub/dist-ui`, by `pnpm build`) and served
 * by the hub itself — nothing from a CDN, nothing fetched at run time, so it works on an air-gapped network.
 * One page at `/ui` (the console routes in its fragment), under a strict Content-Security-Policy: no inline
 * script or style, nothing from another origin. `GET /` leads here.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { filesIn } from "../assets";
import type { AppEnv } from "../env";
import { ApiError, ApiErrorCode } from "../errors";

const ASSETS: Record<string, string> = {
  "main.js": "text/javascript; charset=utf-8",
  "main.css": "text/css; charset=utf-8",
};

export const UI_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const PAGE = (version: string) => `<!doctype html><html lang=en><head><meta charset=utf-8>
<meta name=viewport content="width=device-width, initial-scale=1">
<title>Nephoran Edge — fleet console</title><link rel=stylesheet href="/ui/assets/main.css?v=${version}">
</head><body><div id=app></div><script type=module src="/ui/assets/main.js?v=${version}"></script></body></html>`;

/** The console's built assets: `hub/dist-ui`, found from here in the sources and in the built hub alike. */
function assetsDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = dirname(dir))
    if (existsSync(join(dir, "dist-ui", "main.js"))) return join(dir, "dist-ui");
  return undefined;
}

export function register(app: OpenAPIHono<AppEnv>): void {
  const dir = assetsDir();
  const asset = dir ? filesIn(dir) : undefined;
  // The assets' version: a new build is a new URL, so a browser never mixes two builds.
  const version = dir ? Math.round(statSync(join(dir, "main.js")).mtimeMs).toString(36) : "";
  const missing = () =>
    new ApiError(503, ApiErrorCode.Unavailable, "the console is not built: run `pnpm build` (hub/dist-ui)");

  app.get("/", (c) => c.redirect("/ui", 302));
  app.get("/ui", (c) => {
    if (!dir) throw missing();
    return c.html(PAGE(version), 200, {
      "content-security-policy": UI_CSP,
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    });
  });
  app.get("/ui/assets/:name", (c) => {
    if (!asset) throw missing();
    const name = c.req.param("name");
    const type = ASSETS[name];
    if (!type) throw new ApiError(404, ApiErrorCode.NotFound, `no asset ${name}`);
    return c.body(new Uint8Array(asset(name)), 200, {
      "content-type": type,
      "cache-control": "public, max-age=86400, immutable",
      "x-content-type-options": "nosniff",
    });
  });
}
