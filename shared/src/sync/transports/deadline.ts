/** Closing a link never hangs: each step of a stop gets a deadline, whatever the broker does. */

/** How long a transport's close may wait for the broker (a goodbye's acknowledgement, a drain). */
export const CLOSE_DEADLINE_MS = 2000;

/** Waits for `p` at most `ms`; a rejection or the deadline both just end the wait. */
export async function withDeadline(p: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!p) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
