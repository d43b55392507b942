/**
 * A real Prometheus (Debian's) for the intent assurance suites, on a free 127.0.0.1 port in a temporary
 * folder, scraping every second a KPI exporter the test controls: gauges set to a value, counters that grow
 * at a rate (what `rate()` reads back), and a latency histogram whose 99th percentile is what the test sets.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Child } from "./process";
import { reapOnExit, spawnChild, stoppedServer } from "./process";
import { freePort } from "./ports";

/** Why Prometheus cannot run here, or undefined when it can. */
export function prometheusMissing(): string | undefined {
  try {
    execFileSync("prometheus", ["--version"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "Prometheus is not installed: run scripts/test-env/prometheus.sh install";
  }
}

type Labels = Record<string, string>;
const key = (name: string, labels: Labels) =>
  `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",")}}`;

/** Bucket bounds (seconds) of the latency histograms. */
const BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5];

/** Metrics in the text exposition format, as the tests set them. */
export class KpiExporter {
  readonly #gauges = new Map<string, number>();
  /** Counters: the value at `since`, growing by `perSecond` from then. */
  readonly #counters = new Map<string, { base: number; perSecond: number; since: number }>();
  #server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.#server = createServer((req, res) => {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end(this.text());
    });
    await new Promise<void>((r) => this.#server?.listen(0, "127.0.0.1", r));
    this.port = (this.#server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.#server ? this.#server.close(() => r()) : r()));
  }

  gauge(name: string, labels: Labels, value: number): void {
    this.#gauges.set(key(name, labels), value);
  }

  /** A counter that from now on grows by `perSecond` (what `rate()` over it reads back). */
  rate(name: string, labels: Labels, perSecond: number): void {
    const k = key(name, labels);
    const now = Date.now();
    const c = this.#counters.get(k);
    const base = c ? c.base + ((now - c.since) / 1000) * c.perSecond : 0;
    this.#counters.set(k, { base, perSecond, since: now });
  }

  /** A histogram (`name_bucket`, `_count`) every observation of which, from now on, takes `seconds`. */
  latency(name: string, labels: Labels, seconds: number, perSecond = 100): void {
    for (const le of [...BUCKETS.map(String), "+Inf"])
      this.rate(`${name}_bucket`, { ...labels, le }, le === "+Inf" || Number(le) >= seconds ? perSecond : 0);
    this.rate(`${name}_count`, labels, perSecond);
  }

  text(): string {
    const now = Date.now();
    const lines = [...this.#gauges].map(([k, v]) => `${k} ${v}`);
    for (const [k, c] of this.#counters)
      lines.push(`${k} ${c.base + ((now - c.since) / 1000) * c.perSecond}`);
    return `${lines.join("\n")}\n`;
  }
}

export class Prometheus {
  #child: Child | undefined;
  port = 0;

  private constructor(readonly dir: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A server scraping `targets` (host:port) every second, ready to answer queries. */
  static async start(targets: readonly string[]): Promise<Prometheus> {
    const missing = prometheusMissing();
    if (missing) throw new Error(missing);
    const p = new Prometheus(mkdtempSync(join(tmpdir(), "nephoran-prom-")));
    p.port = await freePort();
    const config = join(p.dir, "prometheus.yml");
    writeFileSync(
      config,
      [
        "global:",
        "  scrape_interval: 1s",
        "  evaluation_interval: 1s",
        "scrape_configs:",
        "  - job_name: kpi",
        "    honor_labels: true",
        "    static_configs:",
        `      - targets: [${targets.map((t) => `"${t}"`).join(", ")}]`,
        "",
      ].join("\n"),
    );
    p.#child = spawnChild(
      "prometheus",
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(p.dir, "data")}`,
        `--web.listen-address=127.0.0.1:${p.port}`,
        "--log.level=warn",
      ],
      {},
      { group: true },
    );
    reapOnExit(p.#child);
    for (let i = 0; i < 100; i++) {
      const ok = await fetch(`${p.url}/-/ready`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) return p;
      await new Promise((r) => setTimeout(r, 100));
    }
    await p.stop();
    throw new Error(`Prometheus did not become ready on ${p.url}`);
  }

  async stop(): Promise<void> {
    const c = this.#child;
    if (!c || c.proc.exitCode !== null || c.proc.signalCode !== null) return;
    stoppedServer(c);
    process.kill(-(c.proc.pid as number), "SIGTERM");
    await c.exited;
  }
}
