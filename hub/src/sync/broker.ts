/**
 * The embedded MQTT broker (aedes, MQTT 3.1.1): one machine runs hub and agents with no external server.
 * Sites log in with their site credential (user = site name) and reach only their own topics; the hub
 * logs in with a secret made at start.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Server } from "node:net";
import { createServer } from "node:net";
import { Aedes } from "aedes";
import type { Client } from "aedes";
import { credentialIdOf, listen, mqttTopic } from "@nephoran/shared";
import type { Logger } from "pino";

export const HUB_USER = "nephoran-hub";

export interface EmbeddedBrokerOptions {
  readonly host: string;
  readonly port: number;
  /** Whether `password` is the current credential of site `site`. */
  readonly verifySite: (site: string, password: string) => Promise<boolean>;
  readonly logger: Logger;
}

interface Session {
  readonly user: string;
  /** CredentialId of the password the client logged in with (sites only). */
  readonly credentialId: string | undefined;
}

export class EmbeddedBroker {
  readonly hubPassword = randomBytes(24).toString("base64url");
  #aedes: Aedes | undefined;
  #server: Server | undefined;
  readonly #users = new WeakMap<Client, Session>();
  /** Live clients per site, so a revoked credential's sessions can be closed at once. */
  readonly #bySite = new Map<string, Set<Client>>();

  constructor(private readonly opts: EmbeddedBrokerOptions) {}

  async start(): Promise<string> {
    const aedes = await Aedes.createBroker({
      authenticate: (client, username, password, done) => {
        const pw = password?.toString("utf8") ?? "";
        const refuse = () => {
          this.opts.logger.warn({ username }, "embedded broker: login refused");
          const err = Object.assign(new Error("bad user name or password"), { returnCode: 4 as const });
          done(err, false);
        };
        const accept = () => {
          const user = username as string;
          this.#users.set(client, {
            user,
            credentialId: user === HUB_USER ? undefined : credentialIdOf(pw),
          });
          if (user !== HUB_USER) {
            let set = this.#bySite.get(user);
            if (!set) this.#bySite.set(user, (set = new Set()));
            set.add(client);
          }
          done(null, true);
        };
        if (username === HUB_USER) return safeEqual(pw, this.hubPassword) ? accept() : refuse();
        if (username === undefined) return refuse();
        // A store that cannot answer refuses the login; the site retries.
        this.opts.verifySite(username, pw).then(
          (ok) => (ok ? accept() : refuse()),
          () => refuse(),
        );
      },
      authorizePublish: (client, packet, done) => {
        const user = client ? this.#users.get(client)?.user : HUB_USER;
        if (user === HUB_USER || (user && packet.topic === mqttTopic.up(user))) return done(null);
        done(new Error(`not allowed to publish to ${packet.topic}`));
      },
      authorizeSubscribe: (client, sub, done) => {
        const user = this.#users.get(client)?.user;
        if (
          user === HUB_USER ||
          (user && (sub.topic === mqttTopic.down(user) || sub.topic === mqttTopic.desired(user)))
        )
          return done(null, sub);
        this.opts.logger.warn({ user, topic: sub.topic }, "embedded broker: subscription refused");
        done(new Error(`not allowed to subscribe to ${sub.topic}`));
      },
    });
    aedes.on("clientDisconnect", (client) => this.#forget(client));
    aedes.on("clientError", (client) => this.#forget(client));
    this.#aedes = aedes;
    const server = createServer((socket) => aedes.handle(socket));
    this.#server = server;
    try {
      const addr = await listen(server, this.opts.port, this.opts.host, "the embedded broker");
      return `mqtt://${addr.address}:${addr.port}`;
    } catch (e) {
      // Nothing of a broker that could not listen stays behind (its timers would keep the process alive).
      await this.stop();
      throw e;
    }
  }

  #forget(client: Client): void {
    const s = this.#users.get(client);
    if (s) this.#bySite.get(s.user)?.delete(client);
  }

  /**
   * Closes every session of `site` that did not log in with credential `current` (all of them when the site
   * is gone): a re-enrolled or deleted site's old box loses its link at once, and cannot log in again.
   */
  disconnectStale(site: string, current: string | undefined): number {
    let closed = 0;
    for (const client of this.#bySite.get(site) ?? []) {
      if (current !== undefined && this.#users.get(client)?.credentialId === current) continue;
      this.#bySite.get(site)?.delete(client);
      client.close();
      closed++;
    }
    if (closed)
      this.opts.logger.warn({ site, closed }, "embedded broker: closed sessions of a revoked credential");
    return closed;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    // Stop accepting, close the clients (which lets the listener finish), then wait for it.
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    await new Promise<void>((resolve) => (this.#aedes ? this.#aedes.close(() => resolve()) : resolve()));
    await closed;
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
