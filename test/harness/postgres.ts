/**
 * A real PostgreSQL 15 for the store suites and benchmarks: initdb into a temporary folder (as the
 * unprivileged `postgres` user when run as root, since initdb refuses root), then the server on a free
 * 127.0.0.1 port. TCP logins need the password (scram-sha-256), which is in `passwordFile`, as a deployed
 * hub reads it. Stoppable, killable and restartable in place for the fault tests.
 */
import { chownSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { Child } from "./process";
import { reapOnExit, spawnChild, stoppedServer } from "./process";
import { freePort } from "./ports";

const BIN = "/usr/lib/postgresql/15/bin";
export const PG_USER = "nephoran";

/** Why PostgreSQL cannot run here, or undefined when it can. */
export function postgresMissing(): string | undefined {
  if (!existsSync(join(BIN, "initdb")) || !existsSync(join(BIN, "postgres")))
    return `PostgreSQL 15 is not installed (${BIN}): run scripts/test-env/postgres.sh install`;
  if (userInfo().uid === 0) {
    try {
      execFileSync("id", ["postgres"], { stdio: "ignore" });
    } catch {
      return "running as root, and there is no postgres user to run initdb as";
    }
  }
  return undefined;
}

/** As the `postgres` user when this process is root (initdb and postgres refuse root). */
function unprivileged(cmd: string, args: readonly string[]): [string, string[]] {
  return userInfo().uid === 0 ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, [...args]];
}

export class Postgres {
  readonly dir: string;
  readonly data: string;
  readonly password = `pw-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`;
  readonly passwordFile: string;
  port = 0;
  #child: Child | undefined;

  private constructor(readonly durable: boolean) {
    this.dir = mkdtempSync(join(tmpdir(), "nephoran-pg-"));
    this.data = join(this.dir, "data");
    this.passwordFile = join(this.dir, "password");
    writeFileSync(this.passwordFile, `${this.password}\n`, { mode: 0o600 });
    if (userInfo().uid === 0) {
      const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
      const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
      chownSync(this.dir, uid, gid);
      chownSync(this.passwordFile, uid, gid);
    }
    const [cmd, args] = unprivileged(join(BIN, "initdb"), [
      "-D",
      this.data,
      "-U",
      PG_USER,
      "--pwfile",
      this.passwordFile,
      "--auth-local=trust",
      "--auth-host=scram-sha-256",
      "-E",
      "UTF8",
      "--no-sync",
    ]);
    execFileSync(cmd, args, { stdio: "pipe" });
  }

  /**
   * A new server, started. `durable`: fsync on, as a deployment runs it (benchmarks); off by default, for
   * suites that measure nothing and must be quick.
   */
  static async start(opts: { durable?: boolean } = {}): Promise<Postgres> {
    const missing = postgresMissing();
    if (missing) throw new Error(missing);
    const pgs = new Postgres(opts.durable ?? false);
    pgs.port = await freePort();
    await pgs.resume();
    return pgs;
  }

  /** Starts the server again on the same data and port (after stop or kill). */
  async resume(): Promise<void> {
    const settings = [
      "listen_addresses=127.0.0.1",
      "max_connections=300",
      "shared_buffers=128MB",
      ...(this.durable ? [] : ["fsync=off", "synchronous_commit=off", "full_page_writes=off"]),
    ];
    const [cmd, args] = unprivileged(join(BIN, "postgres"), [
      "-D",
      this.data,
      "-p",
      String(this.port),
      "-k",
      this.dir,
      ...settings.flatMap((s) => ["-c", s]),
    ]);
    this.#child = spawnChild(cmd, args, {}, { group: true });
    reapOnExit(this.#child);
    await this.#child.waitFor("database system is ready to accept connections", 30_000);
  }

  /** The URL a hub is given: no password in it (it comes from passwordFile or PGPASSWORD). */
  url(db = "postgres"): string {
    return `postgres://${PG_USER}@127.0.0.1:${this.port}/${db}`;
  }

  /** A fresh, empty database; its URL. */
  async createDatabase(
    name = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`,
  ): Promise<string> {
    await this.run("postgres", `CREATE DATABASE ${name}`);
    return this.url(name);
  }

  /** Runs one statement as the database's owner (e.g. ANALYZE after a benchmark's bulk load). */
  async run(db: string, text: string): Promise<void> {
    const client = new pg.Client({
      host: "127.0.0.1",
      port: this.port,
      user: PG_USER,
      database: db,
      password: this.password,
    });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  }

  /** Shuts down cleanly ("fast": sessions are ended, then the server stops). */
  async stop(): Promise<void> {
    await this.#signal("SIGINT");
  }

  /** Gone at once, as a crashed machine: the next start recovers from the log. */
  async kill(): Promise<void> {
    await this.#signal("SIGKILL");
  }

  async #signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    if (!child || child.proc.exitCode !== null || child.proc.signalCode !== null) return;
    this.#child = undefined;
    stoppedServer(child);
    try {
      process.kill(-(child.proc.pid as number), signal);
    } catch {
      return;
    }
    await child.exited;
  }
}
