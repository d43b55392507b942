/** What the NATS agent and hub transports share: how they connect. */
import type { LinkTuning } from "../transport";
import { nkeyAuthenticator } from "./nkey";

/** `url`: one server, or a cluster's servers separated by commas — the client fails over between them. */
export function connectOptions(
  url: string,
  seed: string,
  name: string,
  link: LinkTuning,
  /** The wait before each redial of a server (default: `reconnectDelayMs`, with up to half of it at random). */
  redialDelay?: () => number,
) {
  const pingInterval = Math.max(250, Math.floor(link.deadAfterMs / 3));
  return {
    servers: url
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    name,
    authenticator: nkeyAuthenticator(seed),
    maxReconnectAttempts: -1,
    reconnectTimeWait: link.reconnectDelayMs,
    reconnectJitter: Math.floor(link.reconnectDelayMs / 2),
    ...(redialDelay ? { reconnectDelayHandler: redialDelay } : {}),
    // A first dial that fails rejects: the caller dials again on its own loop, which a close can end (a dial
    // the client repeats itself cannot be called off, and its timers would keep a stopped process alive).
    waitOnFirstConnect: false,
    pingInterval,
    maxPingOut: 3,
    timeout: Math.max(2000, link.deadAfterMs),
  };
}
