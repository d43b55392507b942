/** A compact HTML view of /status for a field engineer's browser: no scripts, refreshed every 5 s. */
import { blockingMessage } from "@nephoran/shared";
import type { AgentStatus } from "./report";

const esc = (v: unknown): string => String(v ?? "—").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const row = (cells: unknown[], tag = "td") =>
  `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join("")}</tr>`;

export function statusHtml(s: AgentStatus): string {
  const state = s.hub.link === "online" ? esc(s.hub.link) : `<b class=bad>${esc(s.hub.link)}</b>`;
  const link = s.hub.configured
    ? `${state}${s.hub.linkSince ? ` since ${esc(s.hub.linkSince)}` : ""}${s.hub.error ? ` — ${esc(s.hub.error)}` : ""} — ${esc(s.hub.transport)} ${esc(s.hub.url)}; last sync ${esc(s.hub.lastSyncAt)}`
    : "not enrolled: this site runs on its local store alone";
  const loop = s.reconcile;
  const intents = s.intents.length
    ? s.intents
        .map((i) =>
          row([
            esc(i.id),
            esc(i.name),
            esc(i.origin),
            `${esc(i.revision)}${i.appliedRevision !== i.revision ? ` (applied ${esc(i.appliedRevision)})` : ""}`,
            `<span class="phase ${esc(i.phase)}">${esc(i.phase)}</span>`,
            i.nfs
              .map((n) => `${esc(n.name)} ${esc(n.readyReplicas)}/${esc(n.desiredReplicas)}`)
              .join("<br>") || "—",
            esc(blockingMessage(i.conditions) ?? ""),
            i.expectations
              .map(
                (x) =>
                  `<span class="${esc(x.state)}">${esc(x.target)} ${esc(x.state)}</span>${x.measured !== undefined ? ` (${esc(Math.round(x.measured * 100) / 100)})` : ""}`,
              )
              .concat(
                i.remediations.map((r) =>
                  r.threshold !== undefined
                    ? `${esc(r.nf)} steering at ${esc(r.threshold)}% (asked ${esc(r.asked)}%)`
                    : `${esc(r.nf)} scaled to ${esc(r.replicas)} (asked ${esc(r.asked)})`,
                ),
              )
              .join("<br>") || "—",
          ]),
        )
        .join("")
    : `<tr><td colspan=8>no intents</td></tr>`;
  return `<!doctype html><html lang=en><head><meta charset=utf-8><meta http-equiv=refresh content=5>
<title>${esc(s.site)} — Nephoran Edge agent</title>
<style>body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f3f3f3}
.bad,.Failed,.Degraded,.NotFulfilled{color:#b00020;font-weight:bold}.Ready,.Fulfilled{color:#0a7a2f;font-weight:bold}.Applied{color:#8a5a00;font-weight:bold}.Applying,.Pending,.Planned{color:#555}dt{font-weight:bold;float:left;width:11em}dd{margin:0 0 .3em 11em}</style>
</head><body><h1>Site ${esc(s.site)}</h1><dl>
<dt>agent</dt><dd>${esc(s.version)}, up since ${esc(s.startedAt)}, target ${esc(s.target)}</dd>
<dt>hub link</dt><dd>${link}</dd>
<dt>versions</dt><dd>desired ${esc(s.desiredVersion)} committed${s.hub.hubVersion ? ` (hub announced ${esc(s.hub.hubVersion)})` : ""}; ${esc(s.outbox)} report(s) waiting for the hub</dd>
<dt>reconcile</dt><dd>${esc(loop.state)}; last success ${esc(loop.lastSuccessAt)}${loop.lastError ? `; <span class=bad>${esc(loop.consecutiveFailures)} failure(s): ${esc(loop.lastError)}</span>` : ""}${loop.lastResult?.rejected.length ? `; <span class=bad>refused: ${esc(loop.lastResult.rejected.join("; "))}</span>` : ""}</dd>
<dt>knowledge base</dt><dd>${esc(s.knowledge.state)}${s.knowledge.model ? ` — ${esc(s.knowledge.model)}, ${esc(s.knowledge.chunks)} chunks${s.knowledge.runtime ? `, runs ${esc(s.knowledge.runtime)}` : ""}` : ""}${s.knowledge.error ? ` <span class=bad>${esc(s.knowledge.error)}</span>` : ""}</dd>
</dl><h2>Intents</h2><table>${row(["id", "name", "origin", "revision", "phase", "network functions (ready/desired)", "why", "expectations"], "th")}${intents}</table>
<p>JSON: <a href="status">/status</a> · <a href="metrics">/metrics</a> · <a href="v1/intents">/v1/intents</a></p></body></html>`;
}
