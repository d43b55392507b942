/**
 * A three-server nats-server cluster on 127.0.0.1 (routes between them, JetStream on each), sharing one
 * hub-written auth file: what a fleet's sync runs on. Each server can be killed and started again in place.
 */
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createUser } from "@nats-io/nkeys";
import { connect, nkeyAuthenticator } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { NATS_HUB_CONSUMER, NATS_UP_STREAM } from "@nephoran/shared";
import { natsAuthConf } from "@nephoran/hub";
import { Broker, which } from "./brokers";
import { freePort } from "./ports";
import type { SyncConfigInput } from "./sync";

const dec = new TextDecoder();

class ClusterNode extends Broker {
  routePort = 0;
  constructor(
    readonly name: string,
    private readonly shared: { authFile: string; routes: () => number[] },
  ) {
    super("nats");
  }
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }
  hubSync(): SyncConfigInput {
    throw new Error("a cluster node is configured through its cluster");
  }
  /** Writes the config once every server's ports are known (start() then leaves it as it is). */
  configure(port: number, routePort: number): void {
    this.port = port;
    this.routePort = routePort;
  }
  writeOut(): void {
    this.writeConfig();
  }
  protected command(): [string, string[]] {
    return [which("nats-server") ?? "nats-server", ["-c", join(this.dir, "nats.conf")]];
  }
  protected writeConfig(): void {
    mkdirSync(join(this.dir, "js"), { recursive: true });
    // Each server includes the one file the hub rewrites (a link: the hub replaces the file, not the link).
    symlinkSync(this.shared.authFile, join(this.dir, "auth.conf"));
    const routes = this.shared
      .routes()
      .filter((p) => p !== this.routePort)
      .map((p) => `"nats-route://127.0.0.1:${p}"`);
    writeFileSync(
      join(this.dir, "nats.conf"),
      [
        `server_name: "${this.name}"`,
        `listen: "127.0.0.1:${this.port}"`,
        `cluster { name: "nephoran", listen: "127.0.0.1:${this.routePort}", routes: [${routes.join(", ")}] }`,
        `jetstream { store_dir: "${join(this.dir, "js")}", max_memory_store: 268435456, max_file_store: 2147483648 }`,
        `max_payload: 1048576`,
        `include "auth.conf"`,
        "",
      ].join("\n"),
    );
  }
}

export class NatsCluster {
  readonly hubKey = createUser();
  readonly nodes: ClusterNode[];
  readonly authFile: string;

  private constructor(dir: string) {
    this.authFile = join(dir, "auth.conf");
    writeFileSync(this.authFile, natsAuthConf(this.hubKey.getPublicKey(), []));
    const shared = { authFile: this.authFile, routes: () => this.nodes.map((n) => n.routePort) };
    this.nodes = ["n1", "n2", "n3"].map((n) => new ClusterNode(n, shared));
  }

  /** Three servers, started together, once JetStream has a leader and answers. */
  static async start(dir: string): Promise<NatsCluster> {
    const c = new NatsCluster(dir);
    for (const n of c.nodes) n.configure(await freePort(), await freePort());
    // Ports are known before any config is written: each server lists the others' routes.
    for (const n of c.nodes) n.writeOut();
    await Promise.all(c.nodes.map((n) => n.start()));
    await c.jetStreamReady();
    return c;
  }

  /** Every server's client URL, comma-separated: what the hub and the sites are given. */
  get urls(): string {
    return this.nodes.map((n) => n.url).join(",");
  }

  hubSync(): SyncConfigInput {
    return {
      transport: "nats",
      url: this.urls,
      nkeySeed: dec.decode(this.hubKey.getSeed()),
      authFile: this.authFile,
      pidFile: this.nodes.map((n) => n.pidFile),
      streamReplicas: 3,
    };
  }

  /** Until JetStream answers on the cluster (a meta leader is elected some seconds after start). */
  async jetStreamReady(ms = 30_000): Promise<void> {
    const end = Date.now() + ms;
    const nc = await this.#connect();
    try {
      for (;;) {
        try {
          await (await jetstreamManager(nc)).getAccountInfo();
          return;
        } catch (e) {
          if (Date.now() > end) throw new Error(`JetStream did not come up on the cluster: ${String(e)}`);
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    } finally {
      await nc.close();
    }
  }

  /** Where the reports stream and the hub's consumer stand (leaders, counts), or why that cannot be told. */
  async reportsState(): Promise<string> {
    try {
      const nc = await this.#connect(2000);
      try {
        const jsm = await jetstreamManager(nc, { timeout: 2000 });
        const s = await jsm.streams.info(NATS_UP_STREAM);
        const c = await jsm.consumers.info(NATS_UP_STREAM, NATS_HUB_CONSUMER);
        return (
          `stream ${NATS_UP_STREAM}: leader ${s.cluster?.leader ?? "none"}, ${s.state.messages} messages; ` +
          `consumer ${NATS_HUB_CONSUMER}: leader ${c.cluster?.leader ?? "none"}, pending ${c.num_pending}, ` +
          `unacknowledged ${c.num_ack_pending}, redelivered ${c.num_redelivered}, waiting pulls ${c.num_waiting}`
        );
      } finally {
        await nc.close();
      }
    } catch (e: unknown) {
      return `the reports stream could not be read: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  /** A connection as the hub, to whichever server answers (`timeoutMs`: how long each dial may take). */
  #connect(timeoutMs?: number) {
    return connect({
      servers: this.nodes.map((n) => n.url),
      authenticator: nkeyAuthenticator(this.hubKey.getSeed()),
      ...(timeoutMs ? { timeout: timeoutMs } : {}),
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
  }
}
