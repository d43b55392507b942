import { defineConfig } from "vitest/config";

const conditions = ["source"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    testTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: [
            "shared/src/**/*.test.ts",
            "hub/src/**/*.test.ts",
            "agent/src/**/*.test.ts",
            "test/corpus/**/*.test.ts",
          ],
        },
      },
      {
        extends: true,
        test: { name: "integration", include: ["test/integration/**/*.test.ts"], testTimeout: 60_000 },
      },
      {
        extends: true,
        test: {
          name: "kube",
          include: ["test/kube/**/*.test.ts"],
          globalSetup: ["test/harness/kube-global.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        extends: true,
        // Starts its own API servers (three), hub and brokers; runs beside the other projects.
        test: { name: "e2e", include: ["test/e2e/**/*.test.ts"], testTimeout: 600_000, hookTimeout: 600_000 },
      },
    ],
  },
});
