import { defineConfig } from "tsup";

export default defineConfig([
  {
    entry: { index: "src/index.ts", cli: "src/cli/main.ts" },
    format: ["esm"],
    target: "node20",
    platform: "node",
    dts: { entry: { index: "src/index.ts" } },
    splitting: true,
    sourcemap: true,
    clean: true,
  },
  // The web console: one browser bundle and its stylesheet, served by the hub from dist-ui.
  {
    entry: { main: "ui/main.tsx" },
    outDir: "dist-ui",
    format: ["esm"],
    target: "es2022",
    platform: "browser",
    minify: true,
    splitting: false,
    sourcemap: false,
    clean: true,
    dts: false,
    noExternal: [/.*/],
    esbuildOptions(o) {
      o.jsx = "automatic";
      o.jsxImportSource = "preact";
    },
  },
]);
