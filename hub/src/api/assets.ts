/** Static files the hub serves from a folder of its own packages: each read on first use, then kept. */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export function filesIn(dir: string): (name: string) => Buffer {
  const cache = new Map<string, Buffer>();
  return (name) => {
    let b = cache.get(name);
    if (!b) cache.set(name, (b = readFileSync(join(dir, name))));
    return b;
  };
}
