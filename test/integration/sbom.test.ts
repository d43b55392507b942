/**
 * `pnpm sbom`: a CycloneDX SBOM per image, valid against the CycloneDX 1.6 schema (checked again here,
 * apart from the script's own check), listing what the image carries and nothing it does not; and the
 * licence report of the same packages.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Spec, Validation } from "@cyclonedx/cyclonedx-library";
import { beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "nephoran-sbom-"));

interface Bom {
  bomFormat: string;
  specVersion: string;
  metadata: { component: { name: string; type: string } };
  components: { name: string; group?: string; version: string; purl: string; licenses?: unknown[] }[];
}
const read = (image: string) => JSON.parse(readFileSync(join(out, `${image}.cdx.json`), "utf8")) as Bom;
const names = (b: Bom) => b.components.map((c) => (c.group ? `${c.group}/${c.name}` : c.name));

describe("pnpm sbom", () => {
  let summary: { components: Record<string, number>; licences: Record<string, number> };
  beforeAll(async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "scripts/sbom.ts", "--out", out],
      { cwd: root, maxBuffer: 64 * 1024 * 1024 },
    );
    summary = JSON.parse(stdout.trim().split("\n").at(-1) as string) as typeof summary;
  }, 120_000);

  it.each(["hub", "agent"])("%s: a valid CycloneDX 1.6 document of the image's packages", async (image) => {
    const text = readFileSync(join(out, `${image}.cdx.json`), "utf8");
    expect(await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(text)).toBeNull();
    const bom = read(image);
    expect(bom).toMatchObject({ bomFormat: "CycloneDX", specVersion: "1.6" });
    expect(bom.metadata.component).toMatchObject({ name: `nephoran-${image}`, type: "application" });
    expect(bom.components.length).toBe(summary.components[image]);
    for (const c of bom.components) {
      expect(c.purl).toMatch(/^pkg:npm\//);
      expect(c.licenses?.length, `${c.name} has a licence`).toBeGreaterThan(0);
    }
    // No build or test tool, no type package, no workspace package of our own.
    for (const n of names(bom))
      expect(n).not.toMatch(/^(vitest|typescript|tsup|eslint|prettier|@types\/|@nephoran\/)/);
  });

  it("lists what each image runs: its server, store, transport and tracing packages", () => {
    expect(names(read("hub"))).toEqual(
      expect.arrayContaining([
        "hono",
        "pg",
        "better-sqlite3",
        "aedes",
        "@nats-io/transport-node",
        "@opentelemetry/sdk-trace-node",
      ]),
    );
    // The agent's bundle carries the Kubernetes client and the logger; its disk, the native addons.
    expect(names(read("agent"))).toEqual(
      expect.arrayContaining(["@kubernetes/client-node", "pino", "mqtt", "better-sqlite3", "hnswlib-node"]),
    );
    expect(names(read("hub"))).not.toContain("@kubernetes/client-node");
  });

  it("writes the licence report of the same packages", () => {
    const report = readFileSync(join(out, "licenses.md"), "utf8");
    expect(report).toMatch(/^\| MIT \| \d+ \| {2}\|$/m);
    const counted = Object.values(summary.licences).reduce((a, b) => a + b, 0);
    const distinct = new Set([...read("hub").components, ...read("agent").components].map((c) => c.purl));
    expect(counted).toBe(distinct.size);
  });
});
