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
const dir = (name: string) => fileURLToPath(new URL(`../../edge-images/${name}`, import.meta.url));

const HUB = ["namespace", "deployment.apps", "service"];
const AGENT = ["namespace", "serviceaccount", "clusterrole.rbac.authorization.k8s.io", "deployment.apps"];
const POLICY = "networkpolicy.networking.k8s.io";

/** What Pod Security "restricted" asks of a pod template, checked here (this API server predates its admission). */
function expectRestricted(doc: string): void {
  expect(doc).toMatch(/runAsNonRoot: true/);
  expect(doc).toMatch(/seccompProfile:\s+type: RuntimeDefault/);
  expect(doc).toMatch(/allowPrivilegeEscalation: false/);
  expect(doc).toMatch(/capabilities:\s+drop:\s+- ALL/);
  expect(doc).toMatch(/readOnlyRootFilesystem: true/);
  expect(doc).not.toMatch(/hostNetwork: true|hostPath:|privileged: true/);
}

describe.skipIf(!kubeconfig)("edge-images manifests", () => {
  it.each([
    ["k8s/hub", "nephoran-hub", ["persistentvolumeclaim", "configmap", ...HUB]],
    ["k8s/hub-fleet", "nephoran-hub", ["secret", ...HUB]],
    ["k8s/agent", "nephoran-system", AGENT],
    // The GitOps overlays, one per environment.
    ["gitops/hub/base", "nephoran-hub", HUB],
    ["gitops/hub/local", "nephoran-hub", HUB],
    ["gitops/hub/dev", "nephoran-hub", HUB],
    ["gitops/hub/staging", "nephoran-hub", ["secret", ...HUB]],
    ["gitops/hub/production", "nephoran-hub", ["secret", POLICY, ...HUB]],
    ["gitops/agent/base", "nephoran-system", AGENT],
    ["gitops/agent/local", "nephoran-system", AGENT],
    ["gitops/agent/dev", "nephoran-system", AGENT],
    ["gitops/agent/staging", "nephoran-system", AGENT],
    ["gitops/agent/production", "nephoran-system", [POLICY, ...AGENT]],
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
    // Staging and production: Pod Security "restricted" on the namespace, and pods that meet it; production
    // also denies all traffic but what is allowed.
    if (/staging|production/.test(name)) {
      const ns = built.find((d) => /^kind: Namespace$/m.test(d)) ?? "";
      expect(ns).toMatch(/pod-security\.kubernetes\.io\/enforce: restricted/);
      expectRestricted(built.find((d) => /^kind: Deployment$/m.test(d)) ?? "");
    }
    if (name.endsWith("production"))
      expect(
        built.some((d) => /name: default-deny/.test(d) && /policyTypes:\s+- Ingress\s+- Egress/.test(d)),
      ).toBe(true);
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
