/**
 * Starts the project's real Kubernetes API (etcd + kube-apiserver + kube-controller-manager) on
 * 127.0.0.1 through scripts/test-env/kube.sh, on free ports, with state in a temporary folder.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { freePort } from "./ports";

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL("../../scripts/test-env/kube.sh", import.meta.url));

export interface KubeEnv {
  readonly kubeconfig: string;
  readonly server: string;
  readonly stateDir: string;
  stop(): Promise<void>;
}

/** The folder with the built binaries, or undefined when they have not been built. */
export async function kubeBinaries(): Promise<string | undefined> {
  try {
    return (await run("bash", [SCRIPT, "bin"])).stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Starts one; a start that loses a port to another process is tried again on new ports. */
export async function startKube(attempts = 3): Promise<KubeEnv> {
  for (let i = 1; ; i++) {
    try {
      return await startOnce();
    } catch (e: unknown) {
      if (i >= attempts) throw e;
    }
  }
}

async function startOnce(): Promise<KubeEnv> {
  const stateDir = mkdtempSync(join(tmpdir(), "nephoran-kube-"));
  const port = await freePort();
  const env = {
    ...process.env,
    KUBE_PORT: String(port),
    KUBE_ETCD_PORT: String(await freePort()),
    KUBE_ETCD_PEER_PORT: String(await freePort()),
    KUBE_KCM_PORT: String(await freePort()),
  };
  try {
    await run("bash", [SCRIPT, "start", stateDir], { env, timeout: 180_000 });
  } catch (e: unknown) {
    await run("bash", [SCRIPT, "stop", stateDir]).catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
    throw new Error(`could not start the test API server: ${(e as Error).message}`);
  }
  return {
    kubeconfig: join(stateDir, "kubeconfig"),
    server: `https://127.0.0.1:${port}`,
    stateDir,
    async stop() {
      await run("bash", [SCRIPT, "stop", stateDir]).catch(() => undefined);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
