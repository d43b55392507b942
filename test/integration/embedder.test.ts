/** The local-folder model loader (transformers.js + onnxruntime) on a tiny model the test writes. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SHARED_COMMANDS, runCli } from "@nephoran/shared";
import { KnowledgeBase, TransformersEmbedder } from "@nephoran/shared/knowledge";
import { TINY_DIM, writeTinyModel } from "../harness/tiny-model";

describe("TransformersEmbedder", () => {
  it("loads an ONNX model from a local folder, never from the network, and embeds deterministically", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nephoran-model-"));
    const { id } = writeTinyModel(dir);
    const emb = new TransformersEmbedder(dir, id);
    expect(emb.dim).toBe(TINY_DIM);
    const [a, b, c] = await emb.embed([
      "the upf terminates the n3 tunnel",
      "the upf terminates the n3 tunnel",
      "amf sctp port",
    ]);
    expect(a).toHaveLength(TINY_DIM);
    expect(Math.hypot(...(a as Float32Array))).toBeCloseTo(1, 4);
    expect([...(a as Float32Array)]).toEqual([...(b as Float32Array)]);
    expect([...(a as Float32Array)]).not.toEqual([...(c as Float32Array)]);

    const kb = new KnowledgeBase(join(dir, "kb.db"), emb);
    await kb.ingest([{ source: "x.md", title: "X", text: "# X\n\nThe UPF terminates the N3 tunnel." }]);
    expect(kb.stats()).toMatchObject({ model: `transformers:${id}`, dim: TINY_DIM, chunks: 1 });
    kb.close();
  });

  it("refuses a folder without the model, saying what is missing", () => {
    expect(
      () => new TransformersEmbedder(mkdtempSync(join(tmpdir(), "nephoran-nomodel-")), "absent"),
    ).toThrow(/lacks config\.json.*never downloaded/);
  });

  it("nephoran kb ingests and searches with the local model when one is given", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nephoran-model-cli-"));
    const { id } = writeTinyModel(dir);
    const db = join(dir, "kb.db");
    let out = "";
    const io = { out: (t: string) => (out += t), err: () => undefined, env: {} };
    expect(
      await runCli(SHARED_COMMANDS, ["kb", "ingest", "--db", db, "--model-dir", dir, "--model", id], io),
    ).toBe(0);
    expect(out).toContain(`(transformers:${id})`);
    out = "";
    const args = [
      "kb",
      "search",
      "--json",
      "--k",
      "3",
      "--db",
      db,
      "--model-dir",
      dir,
      "--model",
      id,
      "upf n3 tunnel",
    ];
    expect(await runCli(SHARED_COMMANDS, args, io)).toBe(0);
    expect(JSON.parse(out)).toHaveLength(3);
  });
});
