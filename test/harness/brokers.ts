/**
 * Real brokers for the sync suites, started on 127.0.0.1 with generated configs: nats-server with
 * JetStream and mosquitto (MQTT 5), each with the hub-managed credential files the hub rewrites and
 * reloads (SIGHUP) when sites enroll. Restartable in place for the fault tests.
 */
import type { ChildProcess } from "node:child_process";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { connect as tcpConnect } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { createUser } from "@nats-io/nkeys";
import type { SyncConfigInput } from "./sync";
import { mosquittoAcl, mosquittoHash, natsAuthConf } from "@nephoran/hub";
import { freePort } from "./ports";

const dec = new TextDecoder();

export function which(cmd: string): string | undefined {
  for (const p of [`/usr/sbin/${cmd}`, `/usr/bin/${cmd}`, `/usr/local/bin/${cmd}`, `/usr/local/sbin/${cmd}`])
    if (existsSync(p)) return p;
  try {
    return execFileSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

async function waitForPort(port: number, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = tcpConnect(port, "127.0.0.1");
      s.once("connect", () => (s.destroy(), resolve(true)));
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listens on 127.0.0.1:${port} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every broker this process started and that still runs: one exit hook kills them all. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const p of running) p.kill("SIGKILL");
});

export abstract class Broker {
  proc: ChildProcess | undefined;
  readonly dir: string;
  readonly pidFile: string;
  port = 0;
  #out = "";

  constructor(readonly kind: "nats" | "mosquitto") {
    this.dir = mkdtempSync(join(tmpdir(), `nephoran-${kind}-`));
    this.pidFile = join(this.dir, "broker.pid");
  }

  abstract get url(): string;
  /** The hub's sync config for this broker. */
  abstract hubSync(): SyncConfigInput;
  protected abstract command(): [string, string[]];
  protected abstract writeConfig(): void;

  async start(): Promise<this> {
    if (!this.port) {
      this.port = await freePort();
      this.writeConfig();
    }
    const [cmd, args] = this.command();
    const proc = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    proc.stdout?.on("data", (d: Buffer) => (this.#out += d.toString()));
    proc.stderr?.on("data", (d: Buffer) => (this.#out += d.toString()));
    this.proc = proc;
    // A broker never outlives the process that started it, however that process ends.
    running.add(proc);
    proc.once("exit", () => running.delete(proc));
    writeFileSync(this.pidFile, `${proc.pid}\n`);
    try {
      await waitForPort(this.port);
    } catch (e) {
      throw new Error(`${this.kind} did not start: ${(e as Error).message}\n${this.#out}`);
    }
    return this;
  }

  output(): string {
    return this.#out;
  }

  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => p.once("exit", () => resolve()));
    p.kill(signal);
    await exited;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}

export class NatsBroker extends Broker {
  readonly hubKey = createUser();
  readonly authFile = join(this.dir, "auth.conf");
  constructor() {
    super("nats");
  }
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }
  hubSync(): SyncConfigInput {
    return {
      transport: "nats",
      url: this.url,
      nkeySeed: dec.decode(this.hubKey.getSeed()),
      authFile: this.authFile,
      pidFile: this.pidFile,
    };
  }
  protected command(): [string, string[]] {
    return [which("nats-server") ?? "nats-server", ["-c", join(this.dir, "nats.conf")]];
  }
  protected writeConfig(): void {
    mkdirSync(join(this.dir, "js"), { recursive: true });
    writeFileSync(this.authFile, natsAuthConf(this.hubKey.getPublicKey(), []));
    writeFileSync(
      join(this.dir, "nats.conf"),
      [
        `listen: "127.0.0.1:${this.port}"`,
        `jetstream { store_dir: "${join(this.dir, "js")}", max_memory_store: 268435456, max_file_store: 2147483648 }`,
        `max_payload: 1048576`,
        `include "auth.conf"`,
        "",
      ].join("\n"),
    );
  }
}

export class MosquittoBroker extends Broker {
  readonly hubPassword = "mosquitto-hub-password-0123456789";
  readonly passwd = join(this.dir, "passwd");
  readonly acl = join(this.dir, "acl");
  constructor() {
    super("mosquitto");
  }
  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }
  hubSync(): SyncConfigInput {
    return {
      transport: "mqtt",
      url: this.url,
      password: this.hubPassword,
      authFile: this.passwd,
      aclFile: this.acl,
      pidFile: this.pidFile,
    };
  }
  protected command(): [string, string[]] {
    return [which("mosquitto") ?? "mosquitto", ["-c", join(this.dir, "mosquitto.conf")]];
  }
  protected writeConfig(): void {
    writeFileSync(this.passwd, `nephoran-hub:${mosquittoHash(this.hubPassword)}\n`, { mode: 0o600 });
    writeFileSync(this.acl, mosquittoAcl("nephoran-hub"), { mode: 0o600 });
    writeFileSync(
      join(this.dir, "mosquitto.conf"),
      [
        `user ${userInfo().username}`,
        `listener ${this.port} 127.0.0.1`,
        "allow_anonymous false",
        `password_file ${this.passwd}`,
        `acl_file ${this.acl}`,
        "persistence true",
        `persistence_location ${this.dir}/`,
        "max_queued_messages 100000",
        "max_inflight_messages 1000",
        "set_tcp_nodelay true",
        "log_type error",
        "",
      ].join("\n"),
    );
  }
}

/** Whether both brokers are installed (scripts/test-env/brokers.sh install puts them there). */
export const brokersInstalled = (): boolean => Boolean(which("nats-server") && which("mosquitto"));

export type BrokerKind = "embedded" | "mosquitto" | "nats";

/** The external broker a suite's transport needs, started; none for the hub's embedded one. */
export async function startBroker(kind: BrokerKind): Promise<Broker | undefined> {
  if (kind === "mosquitto") return new MosquittoBroker().start();
  if (kind === "nats") return new NatsBroker().start();
  return undefined;
}
