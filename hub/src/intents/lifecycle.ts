/** The intent lifecycle: create, change, delete — each one transaction with its audit entry, then the sites told. */
import type { Intent } from "@nephoran/shared";
import { traceKey, tracing } from "@nephoran/shared";
import { newId } from "../auth/tokens";
import type { HubDeps } from "../deps";
import type { HubRepos, IntentChange, NewIntent, SiteChange } from "../store";
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

/**
 * Runs `write` — a change to one intent, its audit entry and what it means for every site — as one
 * transaction, then tells the sites and the listeners (`event`).
 */
async function commit(
  deps: HubDeps,
  event: "intent.created" | "intent.updated" | "intent.deleting",
  write: (tx: HubRepos) => Promise<{ intent: Intent; changes: SiteChange[] }>,
): Promise<Intent> {
  const { intent, changes } = await tracing().span("intent.commit", { "nephoran.event": event }, () =>
    deps.store.transaction(write),
  );
  const attributes = {
    "nephoran.intent": intent.id,
    "nephoran.revision": intent.revision,
    "nephoran.sites": changes.length,
  };
  tracing().span("sync.publish", attributes, () => {
    // What the sites do for this revision joins this span's trace (see the sync service's intent messages).
    tracing().remember(traceKey(intent.id, intent.revision), tracing().current());
    deps.sync.changed(changes);
  });
  deps.events.publish({
    type: event,
    id: intent.id,
    revision: intent.revision,
    at: deps.clock.now().toISOString(),
  });
  return intent;
}

/**
 * Stores a new intent and what it means for every site, in one transaction, then tells sites and listeners.
 * An intent that already has the `input.id` given is answered as it is: a request re-run after the hub
 * died between its commit and its answer (the id comes from its idempotency key) finds the intent it made.
 */
export async function createIntent(
  deps: HubDeps,
  input: Omit<NewIntent, "id"> & { readonly id?: string },
  api = "v1",
): Promise<Intent> {
  const existing = input.id === undefined ? undefined : await deps.store.intents.get(input.id);
  if (existing) return existing;
  const id = input.id ?? newId("int");
  return commit(deps, "intent.created", async (tx) => {
    const created = await tx.intents.create({ ...input, id });
    await tx.audit.append({
      actor: input.createdBy,
      action: "intent.create",
      target: created.id,
      detail: { revision: 1, api },
    });
    return { intent: created, changes: await reach(deps, tx, created, null) };
  });
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
