/** Loading what a page shows: again when its inputs change, and on every live change from the hub. */
import { useEffect, useState } from "preact/hooks";
import { useLive } from "./live";

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: string | undefined;
  readonly reload: () => void;
}

export function useData<T>(load: () => Promise<T>, inputs: readonly unknown[], live = true): Loaded<T> {
  const { changes } = useLive();
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [asked, setAsked] = useState(0);
  useEffect(() => {
    let gone = false;
    load().then(
      (d) => {
        if (gone) return;
        setData(d);
        setError(undefined);
      },
      (e: unknown) => {
        if (!gone) setError(e instanceof Error ? e.message : String(e));
      },
    );
    return () => {
      gone = true;
    };
  }, [...inputs, asked, live ? changes : 0]);
  return { data, error, reload: () => setAsked((n) => n + 1) };
}
