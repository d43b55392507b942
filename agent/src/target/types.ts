import type { K8sObject, ObjectRef } from "@nephoran/shared";

/** Where rendered objects go: a Kubernetes API server, or a folder for GitOps tools. */
export interface Target {
  readonly kind: "kubernetes" | "directory";
  /** Whether the target reports workload readiness; a folder does not. */
  readonly observesStatus: boolean;
  /** A short description for status pages: the server URL or the folder. */
  readonly describe: string;
  ensureNamespaces(names: readonly string[]): Promise<void>;
  /** Every object this agent manages (by the managed-by label). */
  listManaged(): Promise<K8sObject[]>;
  /** Server-side apply (or write) one object. */
  apply(obj: K8sObject): Promise<void>;
  /** Deletes one object; one already gone is fine. */
  remove(ref: ObjectRef): Promise<void>;
  /**
   * Calls `onChange` for changes to managed objects until `signal` aborts or the stream ends; resolves
   * when it ends, so the caller restarts it. Targets without change notifications omit it.
   */
  watch?(onChange: (why: string) => void, signal: AbortSignal): Promise<void>;
}

export const TargetErrorCode = {
  /** The target could not be reached; retry later. */
  Unavailable: "TARGET_UNAVAILABLE",
  /** The target refused this object (invalid, forbidden); retrying the same object will not help. */
  Rejected: "TARGET_REJECTED",
} as const;
export type TargetErrorCode = (typeof TargetErrorCode)[keyof typeof TargetErrorCode];

export class TargetError extends Error {
  override readonly name = "TargetError";
  /** The HTTP status, when a server answered. */
  readonly status: number | undefined;

  constructor(
    readonly code: TargetErrorCode,
    message: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options);
    this.status = options?.status;
  }

  get retry(): boolean {
    return this.code === TargetErrorCode.Unavailable;
  }

  /** The server answered that it could not take this now (a conflict, throttling, a 5xx): worth another try soon. */
  get transient(): boolean {
    return this.retry && this.status !== undefined;
  }
}
