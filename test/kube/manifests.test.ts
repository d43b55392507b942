/**
 * The Kubernetes manifests in edge-images/ build with kustomize and pass the real API server's validation.
 * Kinds this API server does not serve (policy/v1 PodDisruptionBudget is newer than it) are checked here.
 */
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
    ["hub-fleet", "nephoran-hub", ["namespace", "secret", "deployment.apps", "service"]],
    [
      "agent",
      "nephoran-system",
      ["namespace", "serviceaccount", "clusterrole.rbac.authorization.k8s.io", "deployment.apps"],
    ],
  ])("%s: valid against the API server (server-side dry run)", async (name, namespace, kinds) => {
    const kc = ["--kubeconfig", kubeconfig as string];
    // A server-side dry run of namespaced objects needs their namespace to exist.
    await run("kubectl", [...kc, "create", "namespace", namespace]).catch(() => undefined);
    const built = (await run("kubectl", ["kustomize", dir(name)])).stdout.split(/^---$/m);
    const pdbs = built.filter((d) => /^kind: PodDisruptionBudget$/m.test(d));
    for (const pdb of pdbs) {
      // Two of the three replicas stay up through a drain, and the budget selects the hub's pods.
      expect(pdb).toMatch(/^apiVersion: policy\/v1$/m);
      expect(pdb).toMatch(/minAvailable: 2/);
      expect(pdb).toMatch(/app\.kubernetes\.io\/name: nephoran-hub/);
    }
    const served = built.filter((d) => !pdbs.includes(d)).join("---\n");
    const apply = execFile("kubectl", [...kc, "apply", "--dry-run=server", "-f", "-"]);
    apply.stdin?.end(served);
    let stdout = "";
    apply.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    let stderr = "";
    apply.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => apply.once("exit", resolve));
    expect(code, stderr).toBe(0);
    for (const kind of kinds)
      expect(stdout).toMatch(
        new RegExp(
          `^${kind.replace(/\./g, "\\.")}/\\S+ (created|configured|unchanged) \\(server dry run\\)$`,
          "m",
        ),
      );
  });
});
