/**
 * A CommonJS package's exports from a dynamic import: its names, or — where a bundle leaves the import to
 * Node, which then hands a CommonJS module's exports over as `default` — the default export. `probe` is a
 * name the package exports.
 */
export function commonJsExports<T extends object>(loaded: unknown, probe: keyof T & string): T {
  const m = loaded as T & { default?: T };
  return probe in m ? m : (m.default as T);
}
