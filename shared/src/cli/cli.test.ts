import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { IntentPlan } from "../domain";
import { EXIT, SHARED_COMMANDS, formatPlan, runCli } from "./index";

async function runWith(env: Record<string, string>, ...argv: string[]) {
  let out = "";
  let err = "";
  const code = await runCli(SHARED_COMMANDS, argv, {
    out: (t) => (out += t),
    err: (t) => (err += t),
    env,
  });
  return { code, out, err };
}
const run = (...argv: string[]) => runWith({}, ...argv);

describe("nephoran CLI", () => {
  it("plan --json prints a schema-valid IntentPlan and exits 0", async () => {
    const r = await run("plan", "--offline", "--json", "scale UPF to 3 replicas at edge01");
    expect(r.code).toBe(EXIT.ok);
    const plan = IntentPlan.parse(JSON.parse(r.out));
    expect(plan.actions).toEqual([{ kind: "scale", nf: "upf", replicas: 3 }]);
  });

  it("plan prints a readable summary by default", async () => {
    const r = await run("plan", "Create a URLLC slice with 1 ms latency on edge01 and edge02");
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toContain("slice.deploy");
    expect(r.out).toContain("latency_ms < 1");
    expect(r.out).toContain("edge01, edge02");
  });

  it("plan says which instances a scale touches; a deploy needs no such note", async () => {
    const scale = await run("plan", "scale UPF to 5 at edge01");
    expect(scale.out).toContain("Touches:");
    expect(scale.out).toContain("every upf instance that earlier intents deployed");
    expect(scale.out).toContain("a upf deployed by a later intent keeps its own");
    expect((await run("plan", "deploy UPF at edge01")).out).not.toContain("Touches:");
  });

  it("plan exits 2 with the reason and the rule on stderr when refused", async () => {
    const r = await run("plan", "--offline", "Deploy 50 AMF");
    expect(r.code).toBe(EXIT.refused);
    expect(r.out).toBe("");
    expect(r.err).toContain("GUARDRAIL");
    expect(r.err).toContain("replicas.range");
  });

  it("says where a plan that names no site applies when it applies at one site", () => {
    const plan = IntentPlan.parse({
      intentType: "nf.deploy",
      actions: [{ kind: "deploy", nf: "amf", replicas: 1 }],
      priority: "medium",
      source: "rules",
      confidence: 0.9,
    });
    const out = { plan, source: "rules" as const, confidence: 0.9, warnings: [] };
    expect(formatPlan({ ...out, site: "edge01" })).toContain("Sites: edge01 (this site)");
    expect(formatPlan(out)).toContain("Sites: not given (the hub's selector decides)");
  });

  it("refuses bad usage with exit 2", async () => {
    expect((await run("plan")).code).toBe(EXIT.refused);
    expect((await run("plan", "--bogus", "x")).code).toBe(EXIT.refused);
    expect((await run("nonsense")).err).toContain("unknown command");
    expect((await run("schema", "Nope")).code).toBe(EXIT.refused);
  });

  it("catalog lists every NF; schema prints JSON Schemas", async () => {
    const cat = await run("catalog", "--json");
    expect((JSON.parse(cat.out) as { id: string }[]).map((s) => s.id)).toContain("near-rt-ric");
    const table = await run("catalog");
    expect(table.out).toContain("38412/SCTP N2");
    const schema = JSON.parse((await run("schema", "IntentPlan")).out) as Record<string, unknown>;
    expect(schema["type"]).toBe("object");
    expect(schema["additionalProperties"]).toBe(false);
    const all = JSON.parse((await run("schema")).out) as Record<string, unknown>;
    expect(Object.keys(all)).toEqual(
      expect.arrayContaining(["IntentPlan", "Intent", "Site", "SiteIntentReport"]),
    );
  });

  it(
    "kb search answers from the bundled knowledge on a fresh machine, offline, UPF first for N3",
    { timeout: 60_000 },
    async () => {
      const db = join(mkdtempSync(join(tmpdir(), "nephoran-kb-cli-")), "kb.db");
      const r = await run(
        "kb",
        "search",
        "--json",
        "--db",
        db,
        "which function terminates the N3 user plane tunnel",
      );
      expect(r.code, r.err).toBe(EXIT.ok);
      const hits = JSON.parse(r.out) as { nfs: string[]; heading: string; source: string; text: string }[];
      expect(hits).toHaveLength(5);
      // The bundled sentence encoder, offline: the passage about N3 and the UPF comes first.
      expect(hits[0]?.nfs).toContain("upf");
      expect(hits[0]?.text).toMatch(/N3/);
      const bad = await run("kb", "search", "--db", db, "--k", "0", "anything");
      expect(bad.code).toBe(EXIT.refused);
    },
  );

  it("plan uses a configured LLM unless --offline, and says so when it falls back to the rules", async () => {
    const env = {
      NEPHORAN_LLM_URL: "http://127.0.0.1:9/v1",
      NEPHORAN_LLM_MODEL: "any",
      NEPHORAN_LLM_TIMEOUT_MS: "500",
    };
    const r = await runWith(env, "plan", "--json", "scale UPF to 3 replicas at edge01");
    expect(r.code).toBe(EXIT.ok);
    expect(r.err).toMatch(/LLM planner not used: .*; planned by rules/);
    const offline = await runWith(env, "plan", "--offline", "--json", "scale UPF to 3 replicas at edge01");
    expect(offline.code).toBe(EXIT.ok);
    expect(offline.err).not.toContain("LLM");
  });
});
