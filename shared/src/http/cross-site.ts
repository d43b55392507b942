/**
 * Cross-site request forgery guard for state-changing HTTP routes, shared by the hub's API and the agent's
 * status endpoint. A browser on another web site can send a form post (text/plain, urlencoded, multipart)
 * with the credentials it holds for us (Basic auth, cookies) without a CORS preflight; it can never send
 * `application/json` cross-origin without one, and it always says where the request comes from
 * (`Sec-Fetch-Site`, `Origin`). A request that changes state must therefore be JSON and must not come
 * from another site. Clients that are not browsers (curl, the CLI) send neither header and pass.
 */

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface RequestFacts {
  readonly method: string;
  /** The request's own URL: its origin is "this site". */
  readonly url: string;
  readonly header: (name: string) => string | undefined;
}

export const CrossSiteRefusal = {
  NotJson: "NOT_JSON",
  CrossSite: "CROSS_SITE",
} as const;
export type CrossSiteRefusal = (typeof CrossSiteRefusal)[keyof typeof CrossSiteRefusal];

/** Why a state-changing request is refused, or undefined when it may go on. */
export function crossSiteRefusal(r: RequestFacts): { code: CrossSiteRefusal; message: string } | undefined {
  if (SAFE_METHODS.has(r.method.toUpperCase())) return undefined;
  const fetchSite = r.header("sec-fetch-site")?.toLowerCase();
  if (fetchSite && fetchSite !== "same-origin" && fetchSite !== "none") {
    return {
      code: CrossSiteRefusal.CrossSite,
      message: `cross-site request refused (Sec-Fetch-Site: ${fetchSite})`,
    };
  }
  const origin = r.header("origin");
  if (origin !== undefined && origin !== new URL(r.url).origin) {
    return {
      code: CrossSiteRefusal.CrossSite,
      message: `cross-origin request refused (Origin: ${origin.slice(0, 200)})`,
    };
  }
  // A request with a body (or a declared type) must be JSON; a bodiless POST (resync) needs none.
  const type = (r.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const length = Number(r.header("content-length") ?? 0);
  const hasBody = type !== "" || length > 0 || r.header("transfer-encoding") !== undefined;
  if (hasBody) {
    if (type !== "application/json" && !/^application\/[a-z0-9.+-]*\+json$/.test(type)) {
      return {
        code: CrossSiteRefusal.NotJson,
        message: `the body must be application/json (got ${type ? type.slice(0, 100) : "no content type"})`,
      };
    }
  }
  return undefined;
}

/** In /u mode a paired surrogate reads as one code point: what matches \p{Cs} stands alone. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Parses a JSON body once and says what makes it unacceptable whatever the route: a `__proto__` key (JSON.parse
 * keeps one as an own property, but object spreads and schema parsers drop it silently or follow it), or a
 * string that is not well-formed Unicode (a lone surrogate, which a store would keep only lossily). `value` is undefined when the text is not JSON at all (the route's own validation says so).
 */
export function inspectJson(json: string): { value?: unknown; problem?: string } {
  let problem: string | undefined;
  let value: unknown;
  try {
    value = JSON.parse(json, (key: string, v: unknown) => {
      if (problem) return v;
      if (key === "__proto__") problem = 'a key named "__proto__" is not allowed anywhere in the body';
      else if (LONE_SURROGATE.test(key) || (typeof v === "string" && LONE_SURROGATE.test(v)))
        problem = `${key ? `"${key}"` : "a string"} is not well-formed Unicode (a lone surrogate): send valid UTF-16 text`;
      return v;
    });
  } catch {
    return {};
  }
  return problem ? { problem } : { value };
}
