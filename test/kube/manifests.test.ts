/** The Kubernetes manifests in edge-images/ build with kustomize and pass the real API server's validation. */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";

const run = promisify(execFile);
const kubeconfig = inject("kubeconfig");
const dir = (name: string) => fileURLToPath(new URL(`../../edge-images/k8s/${name}`, import.meta.url));

describe.skipIf(!kubeconfig)("edge-images manifests", () => {
  it.each([
    [
      "hub",
      "nephoran-hub",
      ["namespace", "persistentvolumeclaim", "deployment.apps", "service", "configmap"],
    ],
    [
      "agent",
      "nephoran-system",
      ["namespace", "serviceaccount", "clusterrole.rbac.authorization.k8s.io", "deployment.apps"],
    ],
  ])("%s: valid against the API server (server-side dry run)", async (name, namespace, kinds) => {
    const kc = ["--kubeconfig", kubeconfig as string];
    // A server-side dry run of namespaced objects needs their namespace to exist.
    await run("kubectl", [...kc, "create", "namespace", namespace]).catch(() => undefined);
    const { stdout } = await run("kubectl", [...kc, "apply", "--dry-run=server", "-k", dir(name)]);
    for (const kind of kinds)
      expect(stdout).toMatch(
        new RegExp(
          `^${kind.replace(/\./g, "\\.")}/\\S+ (created|configured|unchanged) \\(server dry run\\)$`,
          "m",
        ),
      );
  });
});
