/** The directory target: one YAML file per object under <dir>/<namespace>/, for GitOps tools. */
import { mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type * as YamlLibrary from "yaml";
import type { K8sObject, ObjectRef } from "@nephoran/shared";
import { LABELS, MANAGED_BY, commonJsExports } from "@nephoran/shared";
import type { Target } from "./types";
import { TargetError, TargetErrorCode } from "./types";

const fileOf = (dir: string, r: ObjectRef) =>
  join(dir, r.namespace, `${r.kind.toLowerCase()}-${r.name}.yaml`);
const SAFE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
type Yaml = typeof YamlLibrary;
/** The YAML library, loaded with the first folder read or written: an agent on a cluster never needs it. */
async function yaml(): Promise<Yaml> {
  return commonJsExports<Yaml>(await import("yaml"), "parse");
}

export class DirectoryTarget implements Target {
  /** Each write's temporary file has its own name, so overlapping passes never rename each other's. */
  #writes = 0;
  readonly kind = "directory";
  readonly observesStatus = false;
  readonly describe: string;

  constructor(private readonly dir: string) {
    this.describe = `directory:${dir}`;
  }

  async ensureNamespaces(names: readonly string[]): Promise<void> {
    for (const n of names) await this.#io(() => mkdir(join(this.dir, n), { recursive: true }));
  }

  async listManaged(): Promise<K8sObject[]> {
    await this.#io(() => mkdir(this.dir, { recursive: true }));
    const out: K8sObject[] = [];
    const { parse } = await yaml();
    for (const ns of await this.#io(() => readdir(this.dir, { withFileTypes: true }))) {
      if (!ns.isDirectory()) continue;
      for (const f of await this.#io(() => readdir(join(this.dir, ns.name)))) {
        if (!f.endsWith(".yaml")) continue;
        let obj: K8sObject | undefined;
        try {
          obj = parse(await readFile(join(this.dir, ns.name, f), "utf8")) as K8sObject;
        } catch {
          continue; // not ours, or hand-edited into invalid YAML: leave it alone
        }
        if (obj?.metadata?.labels?.[LABELS.managedBy] === MANAGED_BY) out.push(obj);
      }
    }
    return out;
  }

  async apply(obj: K8sObject): Promise<void> {
    const ref = {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      namespace: obj.metadata.namespace ?? "default",
      name: obj.metadata.name,
    };
    if (!SAFE.test(ref.namespace) || !SAFE.test(ref.name)) {
      throw new TargetError(
        TargetErrorCode.Rejected,
        `refusing to write ${ref.kind} "${ref.name}" in "${ref.namespace}": unsafe name`,
      );
    }
    const file = fileOf(this.dir, ref);
    const text = (await yaml()).stringify(obj, { aliasDuplicateObjects: false });
    await this.#io(async () => {
      await mkdir(join(this.dir, ref.namespace), { recursive: true });
      const tmp = `${file}.tmp-${process.pid}-${++this.#writes}`;
      await writeFile(tmp, text);
      await rename(tmp, file);
    });
  }

  async remove(ref: ObjectRef): Promise<void> {
    await this.#io(() => rm(fileOf(this.dir, ref), { force: true }));
  }

  async #io<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e: unknown) {
      throw new TargetError(TargetErrorCode.Unavailable, `directory ${this.dir}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
}
