/**
 * A long-running command's stop: SIGINT or SIGTERM, listened for from the moment the command begins. A stop
 * asked while the process is still starting (taking its lock, opening its store, binding its port) is kept
 * and honoured once it has started, where the signal's default action would end it at once, half started.
 * A second signal, once the first is in, is not caught: it ends the process (a stuck stop can be forced).
 */
export interface StopSignal {
  /** The signal that asked for the stop. */
  readonly requested: Promise<NodeJS.Signals>;
  /** Stops listening (a command that ends of itself leaves no listener behind). */
  dispose(): void;
}

const SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"];

export function stopSignal(): StopSignal {
  let dispose = () => {};
  const requested = new Promise<NodeJS.Signals>((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      dispose();
      resolve(signal);
    };
    for (const s of SIGNALS) process.on(s, on);
    dispose = () => {
      for (const s of SIGNALS) process.off(s, on);
    };
  });
  return { requested, dispose };
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
