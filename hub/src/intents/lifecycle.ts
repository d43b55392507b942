/** The intent lifecycle: create, change, delete — each one transaction with its audit entry, then the sites told. */
import type { Intent } from "@nephoran/shared";
import { traceKey, tracing } from "@nephoran/shared";
import { newId } from "../auth/tokens";
import type { HubDeps } from "../deps";
import type { HubRepos, IntentChange, NewIntent, SiteChange } from "../store";
import { HubStoreError, StoreErrorCode } from "../store";
import { GroupCommit } from "../group-commit";
import { startRollout, supersede } from "../rollouts/stages";

/**
 * What a new revision means per site: with a strategy, its first stage (a rollout starts); without one,
 * every site the selector reaches, at once (a rollout under way is superseded).
 */
async function reach(
  deps: HubDeps,
  tx: HubRepos,
  intent: Intent,
  fromRevision: number | null,
): Promise<SiteChange[]> {
  const now = deps.clock.now();
  if (intent.rollout)
    return (await startRollout(tx, { ...intent, rollout: intent.rollout }, fromRevision, now)).changes;
  if (fromRevision !== null)
    await supersede(tx, intent.id, `revision ${intent.revision} went to every site at once`, now);
  return tx.desired.retargetIntent(intent.id, intent.revision, intent.siteSelector);
}

type Event = "intent.created" | "intent.updated" | "intent.deleting";

/**
 * Tells the sites what committed revisions mean for them (in one call: a site several of them changed at
 * one version gets them as one), and the listeners. `traces`: each revision's request, which the sites'
 * work for it joins (a sync.publish span under it, remembered for the revision).
 */
function tell(
  deps: HubDeps,
  event: Event,
  intents: readonly Intent[],
  changes: readonly SiteChange[],
  traces: readonly (string | undefined)[],
  startedAt: number,
): void {
  try {
    const sites = new Map<string, number>();
    for (const c of changes) sites.set(c.intentId, (sites.get(c.intentId) ?? 0) + 1);
    intents.forEach((intent, i) => {
      const attributes = {
        "nephoran.intent": intent.id,
        "nephoran.revision": intent.revision,
        "nephoran.sites": sites.get(intent.id) ?? 0,
      };
      const span = tracing().mark("sync.publish", attributes, traces[i], startedAt);
      tracing().remember(traceKey(intent.id, intent.revision), span);
    });
    deps.sync.changed(changes);
    const at = deps.clock.now().toISOString();
    for (const intent of intents)
      deps.events.publish({ type: event, id: intent.id, revision: intent.revision, at });
  } catch (e) {
    // Committed: what could not be told now, the sites' sweep and the listeners' next read catch up on.
    deps.logger.error({ err: String(e), event }, "intents: a committed change could not be told");
  }
}

/**
 * Runs `write` — a change to one intent, its audit entry and what it means for every site — as one
 * transaction, then tells the sites and the listeners (`event`).
 */
async function commit(
  deps: HubDeps,
  event: Event,
  write: (tx: HubRepos) => Promise<{ intent: Intent; changes: SiteChange[] }>,
): Promise<Intent> {
  const trace = tracing().current();
  const { intent, changes } = await tracing().span("intent.commit", { "nephoran.event": event }, () =>
    deps.store.transaction(write),
  );
  tell(deps, event, [intent], changes, [trace], deps.clock.now().getTime());
  return intent;
}

interface Creation {
  readonly input: NewIntent;
  readonly api: string;
  /** The request's trace. */
  readonly trace: string | undefined;
}

/**
 * New intents, what each means for every site and their audit entries, all in one transaction of
 * multi-row statements (group commit); then sites and listeners are told.
 */
async function createAll(deps: HubDeps, items: readonly Creation[]): Promise<Intent[]> {
  const startedAt = deps.clock.now().getTime();
  const { created, changes } = await deps.store.transaction(async (tx) => {
    const created = await tx.intents.createMany(items.map((c) => c.input));
    await tx.audit.append(
      created.map((i, k) => ({
        actor: i.createdBy,
        action: "intent.create",
        target: i.id,
        detail: { revision: 1, api: items[k]?.api },
      })),
    );
    const changes: SiteChange[] = [];
    for (const i of created) if (i.rollout) changes.push(...(await reach(deps, tx, i, null)));
    const direct = created.filter((i) => !i.rollout);
    changes.push(
      ...(await tx.desired.retargetIntents(
        direct.map((i) => ({ intentId: i.id, revision: 1, selector: i.siteSelector })),
      )),
    );
    return { created, changes };
  });
  tell(
    deps,
    "intent.created",
    created,
    changes,
    items.map((c) => c.trace),
    startedAt,
  );
  return created;
}

/** Each hub's creations, written in groups. */
const creations = new WeakMap<HubDeps, GroupCommit<Creation, Intent>>();

function creationsOf(deps: HubDeps): GroupCommit<Creation, Intent> {
  let group = creations.get(deps);
  if (!group) {
    group = new GroupCommit((items) => createAll(deps, items), {
      // A database that cannot be reached fails every creation: trying them one by one would only wait longer.
      alone: (e) => !(e instanceof HubStoreError && e.code === StoreErrorCode.Unavailable),
    });
    creations.set(deps, group);
  }
  return group;
}

/**
 * Stores a new intent and what it means for every site, in one transaction, then tells sites and listeners;
 * creations that arrive together are written together. An intent that already has the `input.id` given is
 * answered as it is: a request re-run after the hub died between its commit and its answer (the id comes
 * from its idempotency key) finds the intent it made.
 */
export async function createIntent(
  deps: HubDeps,
  input: Omit<NewIntent, "id"> & { readonly id?: string },
  api = "v1",
): Promise<Intent> {
  const existing = input.id === undefined ? undefined : await deps.store.intents.get(input.id);
  if (existing) return existing;
  const creation: Creation = {
    input: { ...input, id: input.id ?? newId("int") },
    api,
    trace: tracing().current(),
  };
  return tracing().span("intent.commit", { "nephoran.event": "intent.created" }, () =>
    creationsOf(deps).submit(creation),
  );
}

/**
 * A new revision of an intent if `ifRevision` is current, and what it means per site, in one transaction;
 * then sites and listeners are told.
 */
export async function changeIntent(
  deps: HubDeps,
  id: string,
  ifRevision: number,
  change: IntentChange,
  actor: string,
  fields: readonly string[] = Object.keys(change),
): Promise<Intent> {
  return commit(deps, "intent.updated", async (tx) => {
    const updated = await tx.intents.update(id, ifRevision, change);
    await tx.audit.append({
      actor,
      action: "intent.update",
      target: id,
      detail: { revision: updated.revision, fields },
    });
    return { intent: updated, changes: await reach(deps, tx, updated, ifRevision) };
  });
}

/**
 * Marks an intent for removal from every site it targets, in one transaction, then tells listeners; an
 * intent no site holds is removed at once.
 */
export async function deleteIntent(deps: HubDeps, id: string, actor: string, api = "v1"): Promise<Intent> {
  return commit(deps, "intent.deleting", async (tx) => {
    const deleting = await tx.intents.markDeleting(id);
    await tx.audit.append({
      actor,
      action: "intent.delete",
      target: id,
      detail: { revision: deleting.revision, api },
    });
    await supersede(tx, id, "the intent is being deleted", deps.clock.now());
    const changes = await tx.desired.retargetIntent(id, null, null);
    // On no site (or only on sites that never had it): gone now, nobody has anything to let go.
    await tx.intents.purgeReleased();
    return { intent: deleting, changes };
  });
}
