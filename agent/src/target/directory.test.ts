import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Catalog, renderSite } from "@nephoran/shared";
import { DirectoryTarget, TargetError } from "./index";

const objects = renderSite(
  [
    {
      id: "a",
      revision: 1,
      plan: {
        intentType: "nf.deploy",
        actions: [{ kind: "deploy", nf: "amf", replicas: 1 }],
        priority: "medium",
        source: "rules",
        confidence: 1,
      },
    },
  ],
  { catalog: new Catalog(), site: "edge01" },
).objects;

describe("directory target", () => {
  it("writes one YAML file per object, lists them back, and removes them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nephoran-dir-"));
    const t = new DirectoryTarget(dir);
    await t.ensureNamespaces(["5g-core"]);
    for (const o of objects) await t.apply(o);
    expect(readdirSync(join(dir, "5g-core")).sort()).toEqual([
      "configmap-amf-a-config.yaml",
      "deployment-amf-a.yaml",
      "service-amf-a.yaml",
    ]);
    writeFileSync(join(dir, "5g-core", "someone-elses.yaml"), "kind: Secret\nmetadata: {name: x}\n");
    writeFileSync(join(dir, "5g-core", "broken.yaml"), "{{{ not yaml");
    const listed = await t.listManaged();
    expect(listed.map((o) => o.kind).sort()).toEqual(["ConfigMap", "Deployment", "Service"]);
    expect(listed.find((o) => o.kind === "Deployment")).toEqual(objects.find((o) => o.kind === "Deployment"));
    await t.remove({ apiVersion: "v1", kind: "Service", namespace: "5g-core", name: "amf-a" });
    expect((await t.listManaged()).length).toBe(2);
    expect(readdirSync(join(dir, "5g-core"))).toContain("someone-elses.yaml");
  });

  it("refuses an object whose name would escape the folder", async () => {
    const t = new DirectoryTarget(mkdtempSync(join(tmpdir(), "nephoran-dir-")));
    await expect(
      t.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "../../etc", namespace: "x" } }),
    ).rejects.toThrow(TargetError);
  });
});
