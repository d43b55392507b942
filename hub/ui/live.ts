/**
 * Live updates from the hub's server-sent events: every change bumps a counter the pages watch (at most a few
 * times a second), and the link's state shows when it is lost; the browser reconnects by itself.
 */
import { useEffect, useState } from "preact/hooks";

type Listener = () => void;
const listeners = new Set<Listener>();
let changes = 0;
let linked = true;
let source: EventSource | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;

const notify = () => listeners.forEach((l) => l());

export const TYPES = [
  "intent.created",
  "intent.updated",
  "intent.deleting",
  "intent.rollout",
  "intent.progress",
  "intent.fulfilment",
  "intent.report",
  "site.enrolled",
  "site.updated",
  "site.presence",
  "site.resync",
  "site.deleted",
];

export function connect(): void {
  if (source) return;
  source = new EventSource("/v1/events");
  const changed = () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      changes++;
      notify();
    }, 250);
  };
  for (const t of TYPES) source.addEventListener(t, changed);
  source.addEventListener("ready", () => {
    if (!linked) changed();
    linked = true;
    notify();
  });
  source.onerror = () => {
    linked = false;
    notify();
  };
}

export function disconnect(): void {
  source?.close();
  source = undefined;
}

/** The number of changes seen so far, and whether the link to the hub is up. */
export function useLive(): { changes: number; linked: boolean } {
  const [, set] = useState(0);
  useEffect(() => {
    const l = () => set((n) => n + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return { changes, linked };
}
