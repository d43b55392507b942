/**
 * A TCP proxy the tests control, standing in for a VPN link: pass traffic, cut it (connections
 * dropped, new ones refused), or stall it (connections accepted, nothing forwarded).
 */
import type { Server, Socket } from "node:net";
import { connect, createServer } from "node:net";

export type LinkState = "up" | "cut" | "stalled";

export class TcpProxy {
  #state: LinkState = "up";
  #server: Server | undefined;
  readonly #pairs = new Set<{ client: Socket; upstream: Socket }>();
  port = 0;
  /** Connections accepted so far, those refused while cut included: how often clients dialled. */
  accepted = 0;

  constructor(
    private readonly upstreamHost: string,
    private readonly upstreamPort: number,
  ) {}

  get state(): LinkState {
    return this.#state;
  }

  async start(port = 0): Promise<number> {
    this.#server = createServer((client) => this.#accept(client));
    await new Promise<void>((resolve, reject) => {
      this.#server?.once("error", reject);
      this.#server?.listen(port, "127.0.0.1", () => resolve());
    });
    const addr = this.#server.address();
    this.port = typeof addr === "object" && addr ? addr.port : 0;
    return this.port;
  }

  /** Drops every connection and refuses new ones until restore(). */
  cut(): void {
    this.#state = "cut";
    for (const p of this.#pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    this.#pairs.clear();
  }

  /** Holds traffic: open connections stop moving data, new ones are accepted but not forwarded. */
  stall(): void {
    this.#state = "stalled";
    for (const p of this.#pairs) hold(p);
  }

  restore(): void {
    this.#state = "up";
    for (const p of this.#pairs) flow(p);
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  #accept(client: Socket): void {
    this.accepted++;
    if (this.#state === "cut") {
      client.destroy();
      return;
    }
    const upstream = connect(this.upstreamPort, this.upstreamHost);
    const pair = { client, upstream };
    this.#pairs.add(pair);
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.#pairs.delete(pair);
    };
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
    if (this.#state === "stalled") hold(pair);
    else flow(pair);
  }
}

/** Data stays in the sockets' buffers: unpiped and paused (pipe() alone would resume a paused stream). */
function hold(p: { client: Socket; upstream: Socket }): void {
  p.client.unpipe(p.upstream);
  p.upstream.unpipe(p.client);
  p.client.pause();
  p.upstream.pause();
}

function flow(p: { client: Socket; upstream: Socket }): void {
  p.client.pipe(p.upstream);
  p.upstream.pipe(p.client);
}
