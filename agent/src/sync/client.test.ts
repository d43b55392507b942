/** The agent's sync logic against a scripted transport (the real brokers are in test/integration). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AgentLinkHandlers, AgentTransport, DownMessage, IntentPlan, UpMessage } from "@nephoran/shared";
import { encode, ManualClock } from "@nephoran/shared";
import { AgentStore } from "../store";
import { SyncClient } from "./client";

let clock: ManualClock;
const plan: IntentPlan = {
  intentType: "nf.deploy",
  actions: [{ kind: "deploy", nf: "amf", replicas: 1 }],
  priority: "medium",
  source: "rules",
  confidence: 0.99,
};
const intent = (id: string, revision = 1) => ({
  id,
  name: id,
  revision,
  priority: "medium" as const,
  plan,
  createdAt: "2026-11-23T09:00:00.000Z",
});

/** A down message without the envelope (distributes over the union). */
type Body = DownMessage extends infer M ? (M extends DownMessage ? Omit<M, "v" | "site"> : never) : never;

class ScriptedLink implements AgentTransport {
  readonly describe = "scripted";
  readonly sent: UpMessage[] = [];
  h: AgentLinkHandlers | undefined;
  start(h: AgentLinkHandlers): void {
    this.h = h;
  }
  send(data: Uint8Array): boolean {
    this.sent.push(JSON.parse(Buffer.from(data).toString()) as UpMessage);
    return true;
  }
  async close(): Promise<void> {}
  down(m: Body): void {
    this.h?.onDown(encode({ v: 1, site: "edge01", ...m } as DownMessage));
  }
  of<T extends UpMessage["type"]>(type: T): Extract<UpMessage, { type: T }>[] {
    return this.sent.filter((m) => m.type === type) as Extract<UpMessage, { type: T }>[];
  }
}

let dir: string;
let store: AgentStore;
let link: ScriptedLink;
let changed: number;
let client: SyncClient;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "nephoran-sync-unit-"));
  clock = new ManualClock("2026-11-23T10:00:00Z");
  store = AgentStore.open(join(dir, "agent.db"), { site: "edge01", clock });
  link = new ScriptedLink();
  changed = 0;
  client = new SyncClient({
    store,
    transport: link,
    clock,
    logger: pino({ level: "silent" }),
    agentVersion: "test",
    credentialId: "0123456789abcdef",
    onChanged: () => changed++,
  });
  client.start();
  link.h?.onReady();
});
afterEach(async () => {
  await client.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Answers the hello the client sent on connect with an empty snapshot at `version`. */
function answerHello(version = 0): void {
  link.down({ type: "synced", version, since: 0, full: true, count: 0 });
}

describe("SyncClient", () => {
  it("says hello on connect with the version it holds, and commits before it acknowledges", () => {
    expect(link.of("hello")).toEqual([expect.objectContaining({ ackedVersion: 0 })]);
    answerHello(3);
    link.down({ type: "intent", version: 4, base: 3, intent: intent("int-a") });
    expect(store.getIntent("int-a")?.revision).toBe(1);
    expect(store.ackedVersion()).toBe(4);
    expect(link.of("ack").map((m) => m.version)).toEqual([3, 4]);
    expect(changed).toBe(1);
  });

  it("applies a duplicate or a stale change once, and asks for a snapshot when it sees a gap", () => {
    answerHello(1);
    const m = { type: "intent" as const, version: 2, base: 1, intent: intent("int-a") };
    link.down(m);
    link.down(m);
    expect(store.history("int-a").filter((h) => h.reason === "Received")).toHaveLength(1);
    expect(link.of("ack").map((a) => a.version)).toEqual([1, 2]);

    link.down({ type: "intent", version: 5, base: 4, intent: intent("int-b") });
    expect(store.getIntent("int-b")).toBeUndefined();
    expect(link.of("hello").at(-1)?.ackedVersion).toBe(2);
  });

  it("commits a snapshot whole, and a full one removes hub intents it does not name but keeps local ones", () => {
    answerHello(1);
    link.down({ type: "intent", version: 2, base: 1, intent: intent("int-old") });
    store.upsertIntent({ ...intent("local-1"), origin: "local" });
    link.h?.onReady(); // reconnect: hello again
    link.down({ type: "intent", version: 9, intent: intent("int-a", 2) });
    link.down({ type: "intent", version: 9, intent: intent("int-b") });
    expect(store.getIntent("int-a")).toBeUndefined(); // nothing before "synced"
    link.down({ type: "synced", version: 9, since: 0, full: true, count: 2 });
    expect(
      store
        .listIntents()
        .map((i) => i.id)
        .sort(),
    ).toEqual(["int-a", "int-b", "local-1"]);
    expect(store.ackedVersion()).toBe(9);
  });

  it("drops a snapshot that does not start where the store stands, and an incomplete one", () => {
    answerHello(5);
    link.h?.onReady();
    link.down({ type: "intent", version: 8, intent: intent("int-a") });
    link.down({ type: "synced", version: 8, since: 6, full: false, count: 1 });
    expect(store.getIntent("int-a")).toBeUndefined();
    link.down({ type: "intent", version: 8, intent: intent("int-a") });
    link.down({ type: "synced", version: 8, since: 5, full: false, count: 2 });
    expect(store.getIntent("int-a")).toBeUndefined();
    expect(store.ackedVersion()).toBe(5);
    expect(link.of("hello").length).toBeGreaterThanOrEqual(3);
  });

  it("sends its outbox in order and drops only what the hub acknowledged", () => {
    answerHello(1);
    link.down({ type: "intent", version: 2, base: 1, intent: intent("int-a") });
    client.poke();
    // Received: acknowledged, not reported (the hub counts it Pending from the acknowledgement).
    expect(link.of("ack").at(-1)?.version).toBe(2);
    expect(link.of("report")).toEqual([]);
    store.setPhase("int-a", { phase: "Applying", conditions: [], revision: 1 });
    store.setPhase("int-a", { phase: "Applied", conditions: [], revision: 1 });
    client.poke();
    const reports = link.of("report");
    expect(reports.map((r) => r.report.reportSeq)).toEqual([1, 2]);
    link.down({ type: "reportAck", ids: [reports[0]?.id as string] });
    expect(store.peekOutbox().map((m) => m.id)).toEqual([reports[1]?.id]);
  });

  it("refuses a message for another site or of another version, changing nothing", () => {
    answerHello(1);
    link.h?.onDown(Buffer.from(JSON.stringify({ v: 2, site: "edge01", type: "resync" })));
    link.h?.onDown(
      encode({ v: 1, site: "edge02", type: "intent", version: 2, base: 1, intent: intent("int-x") }),
    );
    expect(store.getIntent("int-x")).toBeUndefined();
    expect(client.status().refused).toBe(2);
  });

  it("keeps one typed link state, and heartbeats and resends on the injected clock", async () => {
    const fresh = new SyncClient({
      store,
      transport: new ScriptedLink(),
      clock,
      logger: pino({ level: "silent" }),
      agentVersion: "test",
      credentialId: "0123456789abcdef",
      onChanged: () => undefined,
      options: { heartbeatMs: 30_000, helloTimeoutMs: 10_000 },
    });
    expect(fresh.link()).toBe("connecting");
    await fresh.stop();
    expect(fresh.link()).toBe("stopped");

    expect(client.link()).toBe("resyncing"); // hello sent, snapshot not yet committed
    answerHello(2);
    expect(client.link()).toBe("online");
    const beats = () => link.of("heartbeat").length;
    await clock.advance(1_000); // the first tick says it is alive at once
    expect(beats()).toBe(1);
    expect(link.of("heartbeat")[0]).toMatchObject({ ackedVersion: 2, cred: "0123456789abcdef" });
    await clock.advance(28_000);
    expect(beats()).toBe(1);
    await clock.advance(2_000);
    expect(beats()).toBe(2);
    link.h?.onLost("cut");
    expect(client.link()).toBe("offline");
    await clock.advance(60_000);
    expect(beats()).toBe(2); // nothing is sent on a dead link
    link.h?.onReady();
    expect(client.link()).toBe("resyncing");
    const hellos = link.of("hello").length;
    await clock.advance(11_000); // unanswered: said again
    expect(link.of("hello").length).toBe(hellos + 1);
  });

  it("sleeps while idle: it wakes once a heartbeat, not on a fixed tick", async () => {
    answerHello(1);
    let sleeps = 0;
    const sleep = clock.sleep.bind(clock);
    clock.sleep = (ms, signal) => (sleeps++, sleep(ms, signal));
    const beats = link.of("heartbeat").length;
    for (let m = 0; m < 10; m++) await clock.advance(60_000);
    // One at once (in step again), then one every 30 s for ten minutes; a sleep before each, and no more.
    expect(link.of("heartbeat").length - beats).toBe(21);
    expect(sleeps).toBeLessThanOrEqual(22);
    // A report waiting is sent at once with a poke, and again only when its resend is due.
    store.upsertIntent({ ...intent("local-1"), origin: "local" });
    client.poke();
    const reports = () => link.of("report").length;
    expect(reports()).toBe(1);
    await clock.advance(9_000);
    expect(reports()).toBe(1);
    await clock.advance(1_000);
    expect(reports()).toBe(2);
  });
});
