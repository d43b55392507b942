/** The console's place: the part of the address after `#`, as a path and its query. */
import { useEffect, useState } from "preact/hooks";

export interface Place {
  readonly path: string[];
  readonly query: URLSearchParams;
}

const read = (): Place => {
  const [path = "", query = ""] = window.location.hash.replace(/^#\/?/, "").split("?");
  return { path: path.split("/").filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(query) };
};

export function usePlace(): Place {
  const [place, setPlace] = useState(read);
  useEffect(() => {
    const on = () => setPlace(read());
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return place;
}

export const go = (path: string, query?: Record<string, string | undefined>): void => {
  const q = new URLSearchParams(
    Object.entries(query ?? {}).filter((e): e is [string, string] => Boolean(e[1])),
  );
  window.location.hash = `#/${path}${q.size ? `?${q.toString()}` : ""}`;
};
