/**
 * vitest global setup for the suites that need a real API server: starts one for the whole run.
 * Where the binaries are missing the suites are skipped with a loud message, except under CI, where
 * a missing API server is a failure.
 */
import type { TestProject } from "vitest/node";
import { kubeBinaries, startKube } from "./kube";

declare module "vitest" {
  export interface ProvidedContext {
    kubeconfig: string | null;
    kubeServer: string | null;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!(await kubeBinaries())) {
    const msg =
      "the Kubernetes API server is not built: run `bash scripts/test-env/kube.sh build` (test.sh does)";
    if (process.env["CI"]) throw new Error(`${msg}; CI must run the Kubernetes suites`);
    console.warn(`\n!!! SKIPPING Kubernetes integration suites: ${msg}\n`);
    project.provide("kubeconfig", null);
    project.provide("kubeServer", null);
    return async () => {};
  }
  const kube = await startKube();
  project.provide("kubeconfig", kube.kubeconfig);
  project.provide("kubeServer", kube.server);
  return () => kube.stop();
}
