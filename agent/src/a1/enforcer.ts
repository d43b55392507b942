/**
 * Keeps the near-RT RIC's A1 policies what the site's intents ask: each wanted instance put (again when its
 * body changed, or the RIC lost it) and its enforcement read back; each instance put before and wanted no
 * more deleted. What was put is kept in the store, so a restarted agent still deletes what it put.
 */
import type { A1Policy } from "@nephoran/shared";
import type { Logger } from "pino";
import type { AgentStore } from "../store";
import type { A1Client } from "./client";

/** An intent's policies at the RIC: enforced, or why not. */
export interface Enforcement {
  readonly enforced: boolean;
  readonly message: string;
}

const PUT_KEY = "a1.put";

type Put = Record<string, { typeId: number; id: string; body: string }>;

export class A1Enforcer {
  constructor(
    private readonly deps: { readonly client: A1Client; readonly store: AgentStore; readonly logger: Logger },
  ) {}

  async reconcile(wanted: readonly A1Policy[]): Promise<Map<string, Enforcement>> {
    const { client, store, logger } = this.deps;
    const put: Put = JSON.parse(store.getMeta(PUT_KEY) ?? "{}") as Put;
    const byIntent = new Map<string, Enforcement[]>();
    const key = (p: { typeId: number; id: string }) => `${p.typeId}/${p.id}`;
    for (const p of wanted) {
      const said = (e: Enforcement) => byIntent.set(p.intentId, [...(byIntent.get(p.intentId) ?? []), e]);
      const body = JSON.stringify(p.body);
      try {
        let status = put[key(p)]?.body === body ? await client.status(p.typeId, p.id) : undefined;
        if (!status) {
          await client.put(p.typeId, p.id, p.body);
          put[key(p)] = { typeId: p.typeId, id: p.id, body };
          store.setMeta(PUT_KEY, JSON.stringify(put));
          logger.info({ policy: key(p), body: p.body }, "A1 policy put to the near-RT RIC");
          status = await client.status(p.typeId, p.id);
        }
        said(
          status?.enforceStatus === "ENFORCED"
            ? { enforced: true, message: `A1 policy ${p.id} (type ${p.typeId}) enforced by the near-RT RIC` }
            : {
                enforced: false,
                message: `A1 policy ${p.id} (type ${p.typeId}) not enforced by the near-RT RIC${status?.enforceReason ? ` (${status.enforceReason})` : ""}`,
              },
        );
      } catch (e: unknown) {
        said({ enforced: false, message: (e as Error).message });
      }
    }
    const keep = new Set(wanted.map(key));
    for (const [k, p] of Object.entries(put)) {
      if (keep.has(k)) continue;
      try {
        await client.delete(p.typeId, p.id);
        delete put[k];
        store.setMeta(PUT_KEY, JSON.stringify(put));
        logger.info({ policy: k }, "A1 policy deleted at the near-RT RIC");
      } catch (e: unknown) {
        logger.warn({ policy: k, err: (e as Error).message }, "A1 policy not deleted yet");
      }
    }
    return new Map(
      [...byIntent].map(([id, es]) => [
        id,
        es.every((e) => e.enforced)
          ? { enforced: true, message: es.map((e) => e.message).join("; ") }
          : {
              enforced: false,
              message: es
                .filter((e) => !e.enforced)
                .map((e) => e.message)
                .join("; "),
            },
      ]),
    );
  }
}
