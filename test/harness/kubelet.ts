/**
 * A kubelet stand-in for an API server without nodes: registers a Node, binds pending pods to it and
 * reports them Running and Ready, so the real ReplicaSet/Deployment/StatefulSet controllers compute
 * readiness the way they do on a cluster.
 */
import { CoreV1Api, KubeConfig, setHeaderOptions } from "@kubernetes/client-node";

const NODE = "nephoran-test-node";

export async function markPodsReady(kubeconfig: string, labelSelector: string): Promise<number> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  try {
    await core.createNode({
      body: {
        metadata: { name: NODE, labels: { "kubernetes.io/hostname": NODE } },
        status: { conditions: [{ type: "Ready", status: "True" }] },
      },
    });
  } catch (e: unknown) {
    if ((e as { code?: number }).code !== 409) throw e;
  }
  const pods = await core.listPodForAllNamespaces({ labelSelector });
  let marked = 0;
  const now = new Date();
  for (const p of pods.items) {
    const name = p.metadata?.name as string;
    const namespace = p.metadata?.namespace as string;
    if (p.metadata?.deletionTimestamp) continue;
    if (!p.spec?.nodeName) {
      await core.createNamespacedBinding({
        namespace,
        body: { metadata: { name }, target: { apiVersion: "v1", kind: "Node", name: NODE } },
      });
    }
    if (p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")) continue;
    await core.patchNamespacedPodStatus(
      {
        name,
        namespace,
        body: {
          status: {
            phase: "Running",
            startTime: now,
            conditions: ["PodScheduled", "Initialized", "ContainersReady", "Ready"].map((type) => ({
              type,
              status: "True",
              lastTransitionTime: now,
            })),
            containerStatuses: (p.spec?.containers ?? []).map((c) => ({
              name: c.name,
              image: c.image,
              imageID: "",
              ready: true,
              restartCount: 0,
              started: true,
              state: { running: { startedAt: now } },
            })),
          },
        },
      },
      setHeaderOptions("Content-Type", "application/merge-patch+json"),
    );
    marked++;
  }
  return marked;
}
