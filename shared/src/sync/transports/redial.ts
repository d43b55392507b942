/**
 * How an agent's link paces its dials while its broker is away. A fleet's sites all lose the broker at the
 * same moment (a restart, a cut VPN concentrator): dialling it again at a fixed short period, every site
 * would keep it under thousands of connection attempts a second, and fall on it at once when it returns.
 * So each wait grows with the outage — about as long as the link has been down, between
 * `reconnectDelayMs` and `maxReconnectDelayMs` — and is drawn at random from its upper half.
 */
import type { Clock } from "../../clock";
import { jittered, systemClock } from "../../clock";
import type { LinkTuning } from "../transport";

/** The wait before the next dial, `outageMs` into an outage: within [cap/2, cap], cap growing with the outage. */
export function redialDelay(outageMs: number, link: LinkTuning, random: () => number = Math.random): number {
  return jittered(Math.min(link.maxReconnectDelayMs, Math.max(link.reconnectDelayMs, outageMs)), random);
}

/** One link's outage: when it began, and so how long to wait before each next dial. */
export class RedialPacer {
  #downSince: number | undefined;

  constructor(
    private readonly link: LinkTuning,
    private readonly clock: Clock = systemClock,
    private readonly random: () => number = Math.random,
  ) {}

  /** The link is up: the next outage starts again from the shortest wait. */
  up(): void {
    this.#downSince = undefined;
  }

  /** The wait before the next dial; the first call after the link went down starts the outage. */
  next(): number {
    const now = this.clock.now().getTime();
    this.#downSince ??= now;
    return redialDelay(now - this.#downSince, this.link, this.random);
  }
}
