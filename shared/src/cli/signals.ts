/**
 * A long-running command's stop: SIGINT or SIGTERM, listened for from the moment the command begins. A stop
 * asked while the process is still starting (taking its lock, opening its store, binding its port) is kept
 * and honoured once it has started, where the signal's default action would end it at once, half started.
 * The same signal again, once it is in, is not caught: it ends the process (a second Ctrl-C forces a stuck
 * stop). The other one is, until the command ends: a Ctrl-C reaches every process of a terminal's group, and
 * a script that started them (scripts/start.sh) may then send SIGTERM to those still stopping.
 */
export interface StopSignal {
  /** The signal that asked for the stop. */
  readonly requested: Promise<NodeJS.Signals>;
  /** Stops listening (a command that ends of itself leaves no listener behind). */
  dispose(): void;
}

const SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"];

export function stopSignal(): StopSignal {
  let resolve: (s: NodeJS.Signals) => void = () => {};
  const requested = new Promise<NodeJS.Signals>((r) => (resolve = r));
  // Each is called once, then gone (resolving a stop already asked for does nothing).
  const on = (signal: NodeJS.Signals) => resolve(signal);
  for (const s of SIGNALS) process.once(s, on);
  return {
    requested,
    dispose: () => {
      for (const s of SIGNALS) process.off(s, on);
    },
  };
}

/** Runs a long-running command with its stop listened for from its first step, and no listener left after. */
export async function untilStopped<T>(command: (stop: Promise<NodeJS.Signals>) => Promise<T>): Promise<T> {
  const stop = stopSignal();
  try {
    return await command(stop.requested);
  } finally {
    stop.dispose();
  }
}
