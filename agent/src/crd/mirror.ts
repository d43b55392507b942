/**
 * Keeps NetworkIntent objects in step with the store: every intent from the hub is mirrored into the
 * agent's namespace with its phase and conditions; NetworkIntents that people create with kubectl are
 * planned offline, stored as local intents, and get their status written back.
 */
import type { Catalog, Clock, GuardrailPolicy, IntentPlan, K8sObject, Planner } from "@nephoran/shared";
import {
  IntentPlan as IntentPlanSchema,
  Priority,
  blockingMessage,
  shortHash,
  validatePlan,
} from "@nephoran/shared";
import type { Logger } from "pino";
import { APPLY_CONCURRENCY, settleEach } from "../pool";
import type { AgentStore, StoredIntent } from "../store";
import { isConflict, isNotFound, toTargetError } from "../target";
import type { KubernetesTarget } from "../target";
import {
  CRD_NAME,
  GROUP,
  INTENT_ID_LABEL,
  KIND,
  NETWORK_INTENT_CRD,
  ORIGIN_LABEL,
  PLURAL,
  VERSION,
} from "./definition";

interface NetworkIntentObject {
  metadata: { name: string; namespace: string; generation?: number; labels?: Record<string, string> };
  spec?: { intent?: unknown; plan?: unknown; priority?: unknown };
  status?: { phase?: string; revision?: number; observedGeneration?: number };
}

/** Local intent id for a NetworkIntent: stable, valid, unique per namespace/name. */
export function localIntentId(namespace: string, name: string): string {
  const raw = `ni-${namespace}-${name}`.toLowerCase().replace(/[^a-z0-9-]/g, "-");
  return raw.length <= 64 ? raw : `${raw.slice(0, 55)}-${shortHash(raw)}`;
}

/** Intents that people created as NetworkIntent objects carry this id prefix (a local id space). */
export const isFromNetworkIntent = (id: string): boolean => id.startsWith("ni-");

export interface MirrorDeps {
  readonly target: KubernetesTarget;
  readonly store: AgentStore;
  readonly planner: Planner;
  readonly catalog: Catalog;
  readonly guardrails: GuardrailPolicy;
  readonly namespace: string;
  readonly localNamespaces?: readonly string[];
  readonly clock: Clock;
  readonly logger: Logger;
}

/** A NetworkIntent by namespace and name; without them, the kind's collection. */
const networkIntent = (namespace?: string, name?: string) => ({
  apiVersion: `${GROUP}/${VERSION}`,
  kind: KIND,
  namespace,
  name,
});

export class NetworkIntentMirror {
  #installed = false;
  /** What was last written per intent, so an idle pass writes nothing. */
  readonly #published = new Map<string, string>();
  #listedOnce = false;

  constructor(private readonly deps: MirrorDeps) {}

  /** Installs or updates the CRD and waits until the API serves it. */
  async install(): Promise<void> {
    if (this.#installed) return;
    const api = this.deps.target.api;
    await this.deps.target.apply(NETWORK_INTENT_CRD as unknown as K8sObject);
    for (let i = 0; i < 100; i++) {
      let crd: { status?: { conditions?: { type: string; status: string }[] } };
      try {
        crd = await api.read(
          { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", name: CRD_NAME },
          "reading the CRD",
        );
      } catch (e: unknown) {
        throw toTargetError(e, "reading the CRD");
      }
      if (crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) break;
      await this.deps.clock.sleep(100);
    }
    await this.deps.target.ensureNamespaces([this.deps.namespace]);
    this.#installed = true;
  }

  /**
   * Reads NetworkIntents people created into the store (planning them offline) and drops local
   * intents whose object is gone. Returns whether the store changed.
   */
  async pickUp(): Promise<boolean> {
    await this.install();
    let items: NetworkIntentObject[];
    try {
      items = (
        await this.deps.target.api.list<NetworkIntentObject>(networkIntent(), {}, "listing NetworkIntents")
      ).items;
    } catch (e: unknown) {
      throw toTargetError(e, "listing NetworkIntents");
    }
    let changed = false;
    const seen = new Set<string>();
    for (const obj of items) {
      if (obj.metadata.labels?.[ORIGIN_LABEL] === "hub") continue;
      if (this.deps.localNamespaces && !this.deps.localNamespaces.includes(obj.metadata.namespace)) continue;
      const id = localIntentId(obj.metadata.namespace, obj.metadata.name);
      seen.add(id);
      const revision = obj.metadata.generation ?? 1;
      const existing = this.deps.store.getIntent(id);
      if (existing && existing.revision >= revision) continue;
      const planned = await this.#planOf(obj);
      if (!planned.ok) {
        await this.#writeStatus(obj.metadata.namespace, obj.metadata.name, {
          phase: "Failed",
          revision,
          observedGeneration: revision,
          message: planned.message,
          conditions: [
            {
              type: "Planned",
              status: "False",
              reason: planned.reason,
              message: planned.message,
              lastTransitionTime: this.deps.clock.now().toISOString(),
            },
          ],
        });
        continue;
      }
      const priority = Priority.safeParse(obj.spec?.priority);
      const text = typeof obj.spec?.intent === "string" ? obj.spec.intent : undefined;
      changed =
        this.deps.store.upsertIntent({
          id,
          name: `${obj.metadata.namespace}/${obj.metadata.name}`,
          ...(text ? { text } : {}),
          plan: planned.plan,
          revision,
          priority: priority.success ? priority.data : planned.plan.priority,
          origin: "local",
        }) || changed;
    }
    for (const i of this.deps.store.listIntents()) {
      if (isFromNetworkIntent(i.id) && !seen.has(i.id)) {
        this.deps.store.removeIntent(i.id);
        this.deps.logger.info({ intent: i.id }, "local NetworkIntent deleted; intent removed");
        changed = true;
      }
    }
    return changed;
  }

  /** Notifies on any change to NetworkIntent objects. */
  async watch(onChange: (why: string) => void, signal: AbortSignal): Promise<void> {
    await this.install();
    await this.deps.target.api.watch<NetworkIntentObject>(
      `/apis/${GROUP}/${VERSION}/${PLURAL}`,
      { allowWatchBookmarks: true },
      ({ type, object: obj }) => {
        // Our own status writes and mirrors change the objects too; only people's edits matter here.
        if (type !== "BOOKMARK" && obj?.metadata?.labels?.[ORIGIN_LABEL] !== "hub")
          onChange(`${type} NetworkIntent ${obj?.metadata?.namespace}/${obj?.metadata?.name}`);
      },
      signal,
    );
  }

  /** Writes every stored intent's phase to its NetworkIntent: mirrors for hub intents, status for local ones. */
  async publish(intents: readonly StoredIntent[] = this.deps.store.listIntents()): Promise<void> {
    await this.install();
    const ns = this.deps.namespace;
    const wanted = new Set(intents.map((i) => i.id));
    // Intents' objects are written several at once, each intent's mirror before its status.
    const outcomes = await settleEach(intents, APPLY_CONCURRENCY, (i) => this.#publishOne(i, ns));
    const failed = outcomes.find((o) => !o.ok);
    if (failed && !failed.ok) throw failed.error;
    const removed = [...this.#published.keys()].filter((id) => !wanted.has(id));
    for (const id of removed) this.#published.delete(id);
    if (removed.length === 0 && this.#listedOnce) return;
    this.#listedOnce = true;
    // Mirrors of intents that left the store.
    let list: { items: NetworkIntentObject[] };
    try {
      list = await this.deps.target.api.list<NetworkIntentObject>(
        networkIntent(ns),
        { labelSelector: `${ORIGIN_LABEL}=hub` },
        "listing mirrored NetworkIntents",
      );
    } catch (e: unknown) {
      throw toTargetError(e, "listing mirrored NetworkIntents");
    }
    for (const o of list.items) {
      if (wanted.has(o.metadata.name)) continue;
      try {
        await this.deps.target.api.delete(
          networkIntent(ns, o.metadata.name),
          `deleting mirror ${o.metadata.name}`,
        );
      } catch (e: unknown) {
        if (!isNotFound(e)) throw toTargetError(e, `deleting mirror ${o.metadata.name}`);
      }
    }
  }

  async #publishOne(i: StoredIntent, ns: string): Promise<void> {
    const status = {
      phase: i.phase,
      revision: i.revision,
      conditions: i.conditions,
      nfStatus: this.deps.store.nfStatus(i.id),
      message: blockingMessage(i.conditions) ?? i.conditions.at(-1)?.message ?? "",
    };
    const fingerprint = JSON.stringify(status);
    if (this.#published.get(i.id) === fingerprint) return;
    if (isFromNetworkIntent(i.id)) {
      const [namespace, name] = i.name.split("/") as [string, string];
      await this.#writeStatus(namespace, name, { ...status, observedGeneration: i.revision });
      this.#published.set(i.id, fingerprint);
      return;
    }
    const body = {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: KIND,
      metadata: {
        name: i.id,
        namespace: ns,
        labels: {
          [ORIGIN_LABEL]: i.origin,
          [INTENT_ID_LABEL]: i.id,
          "app.kubernetes.io/managed-by": "nephoran-agent",
        },
      },
      spec: { ...(i.text ? { intent: i.text } : {}), priority: i.priority, plan: i.plan },
    };
    await this.deps.target.apply(body);
    await this.#writeStatus(ns, i.id, status);
    this.#published.set(i.id, fingerprint);
  }

  async #planOf(
    obj: NetworkIntentObject,
  ): Promise<{ ok: true; plan: IntentPlan } | { ok: false; reason: string; message: string }> {
    if (obj.spec?.plan !== undefined) {
      const withDefaults = {
        priority: "medium",
        source: "rules",
        confidence: 1,
        ...(obj.spec.plan as object),
      };
      const v = validatePlan(withDefaults, { catalog: this.deps.catalog, policy: this.deps.guardrails });
      return v.ok
        ? { ok: true, plan: IntentPlanSchema.parse(v.value) }
        : { ok: false, reason: "InvalidPlan", message: v.error.message };
    }
    if (typeof obj.spec?.intent !== "string")
      return { ok: false, reason: "NoIntent", message: "spec.intent (text) or spec.plan is required" };
    const r = await this.deps.planner.plan(obj.spec.intent);
    return r.ok
      ? { ok: true, plan: r.value.plan }
      : { ok: false, reason: r.error.code, message: r.error.message };
  }

  async #writeStatus(namespace: string, name: string, status: Record<string, unknown>): Promise<void> {
    try {
      await this.deps.target.api.mergePatch(
        networkIntent(namespace, name),
        { status },
        `writing status of NetworkIntent ${namespace}/${name}`,
        "status",
      );
    } catch (e: unknown) {
      if (isNotFound(e) || isConflict(e)) return; // deleted meanwhile; the next pass settles it
      throw toTargetError(e, `writing status of NetworkIntent ${namespace}/${name}`);
    }
  }
}
