/**
 * `nephoran site validate`: whether edge sites are what a field engineer signs off after a bootstrap — heard
 * from, in step with what they should run, and every intent there converged — one line each, PASS or FAIL
 * with why, and a failing exit when any site fails.
 */
import type { CliIo } from "@nephoran/shared";
import { EXIT, HubCallError, UsageError } from "@nephoran/shared";
import type { HubClient } from "@nephoran/shared";
import type { Json } from "./output";

/** What the hub says of a site (`GET /v1/sites/{id}`), as far as validating it needs. */
export interface SiteFacts {
  readonly id: string;
  readonly presence: string;
  readonly lastSeen: string | null;
  readonly syncLag: { readonly versions: number; readonly seconds: number | null };
  readonly intents: readonly { readonly intentId: string; readonly phase: string }[];
}

export interface Verdict {
  readonly site: string;
  readonly ok: boolean;
  readonly problems: readonly string[];
  readonly converged: number;
  readonly intents: number;
}

/** Phases a site's intent may be in for the site to pass: running, or applied where readiness is not seen. */
const CONVERGED = new Set(["Ready", "Applied"]);

export function judgeSite(s: SiteFacts, maxLagSeconds: number): Verdict {
  const problems: string[] = [];
  if (s.presence !== "online") problems.push(`offline (last seen ${s.lastSeen ?? "never"})`);
  const { versions, seconds } = s.syncLag;
  if (versions > 0 && (seconds === null || seconds > maxLagSeconds))
    problems.push(
      `behind by ${versions} version${versions === 1 ? "" : "s"}${seconds === null ? "" : ` for ${Math.round(seconds)} s`}`,
    );
  const stuck = s.intents.filter((i) => !CONVERGED.has(i.phase));
  for (const i of stuck.slice(0, 3)) problems.push(`${i.intentId} ${i.phase}`);
  if (stuck.length > 3) problems.push(`and ${stuck.length - 3} more intents not converged`);
  return {
    site: s.id,
    ok: problems.length === 0,
    problems,
    converged: s.intents.length - stuck.length,
    intents: s.intents.length,
  };
}

/** The verdicts as a table, one line a site. */
export function table(vs: readonly Verdict[], facts: ReadonlyMap<string, SiteFacts>): string {
  const rows = vs.map((v) => {
    const f = facts.get(v.site);
    return [
      v.site,
      f?.presence ?? "unknown",
      f?.lastSeen ?? "never",
      `${f?.syncLag.versions ?? "?"}`,
      `${v.converged}/${v.intents}`,
      v.ok ? "PASS" : `FAIL: ${v.problems.join("; ")}`,
    ];
  });
  const head = ["SITE", "PRESENCE", "LAST SEEN", "BEHIND", "CONVERGED", "RESULT"];
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => (r[k] ?? "").length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, k) => (k === r.length - 1 ? c : c.padEnd(widths[k] ?? 0)))
      .join("  ")
      .trimEnd();
  return `${[head, ...rows].map(line).join("\n")}\n`;
}

/** Runs the validation: the sites named, or every enrolled one. */
export async function validateSites(
  client: HubClient,
  io: CliIo,
  opts: {
    readonly sites: readonly string[];
    readonly all: boolean;
    readonly maxLag: number;
    readonly json: boolean;
  },
): Promise<number> {
  if (opts.all === opts.sites.length > 0)
    throw new UsageError("name the sites to validate, or give --all (not both)");
  let ids = [...opts.sites];
  if (opts.all) {
    ids = [];
    for (let cursor: string | undefined, more = true; more;) {
      const page = (
        await client.request(
          "GET",
          `/v1/sites?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        )
      ).json as { items: Json[]; nextCursor: string | null };
      ids.push(...page.items.map((s) => String(s["id"])));
      cursor = page.nextCursor ?? undefined;
      more = cursor !== undefined;
    }
    if (!ids.length) {
      io.err("no site is enrolled with this hub\n");
      return EXIT.failure;
    }
  }
  const facts = new Map<string, SiteFacts>();
  const verdicts: Verdict[] = [];
  for (const id of ids) {
    const s = await client.request("GET", `/v1/sites/${encodeURIComponent(id)}`).then(
      (r) => r.json as SiteFacts,
      (e: unknown) => {
        if (e instanceof HubCallError && e.status === 404) return undefined;
        throw e;
      },
    );
    if (!s) {
      verdicts.push({
        site: id,
        ok: false,
        problems: ["not enrolled with this hub"],
        converged: 0,
        intents: 0,
      });
      continue;
    }
    facts.set(id, s);
    verdicts.push(judgeSite(s, opts.maxLag));
  }
  const failed = verdicts.filter((v) => !v.ok).length;
  if (opts.json) io.out(`${JSON.stringify(verdicts, null, 2)}\n`);
  else {
    io.out(table(verdicts, facts));
    io.out(`${verdicts.length - failed} passed, ${failed} failed\n`);
  }
  return failed ? EXIT.failure : EXIT.ok;
}
