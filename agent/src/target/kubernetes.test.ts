/** The Kubernetes target's own words, against an API server that is not there. */
import { KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { KubernetesTarget } from "./kubernetes";

describe("the Kubernetes target's errors", () => {
  it("name objects as kubectl does: namespace/name, a cluster-scoped one by its name alone", async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "c", server: "http://127.0.0.1:1", skipTLSVerify: true }],
      users: [{ name: "u", token: "t0ken" }],
      contexts: [{ name: "x", cluster: "c", user: "u" }],
      currentContext: "x",
    });
    const target = new KubernetesTarget(kc, "edge01", { requestTimeoutMs: 2000 });
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "x.nephoran.io" },
    };
    await expect(target.apply(crd)).rejects.toThrow(/^applying CustomResourceDefinition x\.nephoran\.io: /);
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "amf", namespace: "core" } };
    await expect(target.apply(cm)).rejects.toThrow(/^applying ConfigMap core\/amf: /);
  });
});
