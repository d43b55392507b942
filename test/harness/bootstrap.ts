/** Runs the edge site scripts as an operator would: the bootstrap against a real API server, the validation. */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { markPodsReady } from "./kubelet";

export const BOOTSTRAP = fileURLToPath(new URL("../../scripts/bootstrap-edge-site.sh", import.meta.url));

export interface BootstrapRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the script; while it waits, the kubelet stand-in reports the agent's pod ready (an API server
 * without nodes runs no containers).
 */
export async function runBootstrap(args: readonly string[], kubeconfig: string): Promise<BootstrapRun> {
  let running = true;
  const kubelet = (async () => {
    while (running) {
      await markPodsReady(kubeconfig, "app.kubernetes.io/name=nephoran-agent").catch(() => 0);
      await new Promise((r) => setTimeout(r, 300));
    }
  })();
  try {
    return await new Promise<BootstrapRun>((resolve) => {
      execFile(
        "bash",
        [BOOTSTRAP, "--kubeconfig", kubeconfig, ...args],
        { timeout: 240_000 },
        (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  } finally {
    running = false;
    await kubelet;
  }
}

export const VALIDATE = fileURLToPath(new URL("../../scripts/validate-edge-deployment.sh", import.meta.url));

/** Runs scripts/validate-edge-deployment.sh as a field engineer would, with the API token in the environment. */
export function runValidate(args: readonly string[], token: string): Promise<BootstrapRun> {
  return new Promise((resolve) =>
    execFile(
      "bash",
      [VALIDATE, ...args],
      { timeout: 120_000, env: { ...process.env, NEPHORAN_TOKEN: token, NEPHORAN_HUB: "" } },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

/** The enrollment the script keeps in the site's Secret. */
export async function enrollmentSecret(
  kubeconfig: string,
  namespace: string,
): Promise<{ enrollment: Record<string, unknown>; statusToken: string } | undefined> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  try {
    const s = await kc
      .makeApiClient(CoreV1Api)
      .readNamespacedSecret({ name: "nephoran-agent-enrollment", namespace });
    const data = s.data ?? {};
    const text = (k: string) => Buffer.from(data[k] ?? "", "base64").toString("utf8");
    return {
      enrollment: JSON.parse(text("enrollment.json")) as Record<string, unknown>,
      statusToken: text("status-token"),
    };
  } catch (e: unknown) {
    if ((e as { code?: number }).code === 404) return undefined;
    throw e;
  }
}
