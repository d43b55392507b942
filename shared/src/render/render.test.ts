import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { Catalog } from "../catalog";
import type { IntentPlan } from "../domain";
import type { SiteIntent } from "./index";
import { LABELS, desiredState, objectName, renderSite, scopeOf, verifyObjects } from "./index";

const catalog = new Catalog();
const ctx = { catalog, site: "edge01" };
const plan = (actions: IntentPlan["actions"], extra: Partial<IntentPlan> = {}): IntentPlan => ({
  intentType: "nf.deploy",
  actions,
  priority: "medium",
  source: "rules",
  confidence: 0.99,
  ...extra,
});
const intent = (id: string, p: IntentPlan, revision = 1): SiteIntent => ({ id, revision, plan: p });

/** Compares with a checked-in YAML file; UPDATE_GOLDEN=1 rewrites it. */
function golden(name: string, value: unknown): void {
  const file = fileURLToPath(new URL(`./__golden__/${name}.yaml`, import.meta.url));
  const text = stringify(value, { aliasDuplicateObjects: false });
  if (process.env["UPDATE_GOLDEN"] === "1") writeFileSync(file, text);
  if (!existsSync(file))
    throw new Error(`golden file ${name}.yaml is missing: run with UPDATE_GOLDEN=1 and review it`);
  expect(text).toBe(readFileSync(file, "utf8"));
}

describe("rendering", () => {
  it("renders an AMF deployment, service and config (golden)", () => {
    golden(
      "amf",
      renderSite([intent("amf-test", plan([{ kind: "deploy", nf: "amf", replicas: 2 }]))], ctx).objects,
    );
  });

  it("renders a URLLC slice UPF with capacity sizing and NET_ADMIN (golden)", () => {
    const p = plan(
      [
        {
          kind: "deploy",
          nf: "upf",
          replicas: 2,
          capacity: { maxDownlinkThroughput: 10_000 },
          slice: { type: "URLLC", sst: 2 },
        },
      ],
      {
        intentType: "slice.deploy",
        expectations: [{ target: "latency_ms", condition: "IS_LESS_THAN", value: 1 }],
      },
    );
    golden("upf-slice", renderSite([intent("urllc-1", p, 3)], ctx).objects);
  });

  it("renders a stateful NF as a StatefulSet with a headless service, and a traffic steering policy (golden)", () => {
    golden(
      "udr-policy",
      renderSite(
        [
          intent("core", plan([{ kind: "deploy", nf: "udr", replicas: 1 }])),
          intent(
            "ts",
            plan([{ kind: "policy", nf: "near-rt-ric", params: { policyTypeId: 20008, threshold: 75 } }], {
              intentType: "policy.apply",
            }),
          ),
        ],
        ctx,
      ).objects,
    );
  });

  it("is deterministic", () => {
    const i = [intent("x", plan([{ kind: "deploy", nf: "smf", replicas: 1 }]))];
    expect(renderSite(i, ctx)).toEqual(renderSite(i, ctx));
  });

  it("renders every catalog NF hardened, namespaced and labelled", () => {
    const all = catalog.ids().map((nf, k) => intent(`i${k}`, plan([{ kind: "deploy", nf, replicas: 1 }])));
    const { objects } = renderSite(all, ctx);
    expect(objects).toHaveLength(catalog.ids().length * 3);
    expect(verifyObjects(objects)).toEqual([]);
    for (const o of objects) {
      expect(o.metadata.labels?.[LABELS.managedBy]).toBe("nephoran-agent");
      expect(o.metadata.labels?.[LABELS.site]).toBe("edge01");
      expect(o.metadata.name).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
    }
    const upfCaps = objects.find(
      (o) => o.kind === "Deployment" && o.metadata.labels?.[LABELS.nf] === "upf",
    ) as unknown as {
      spec: { template: { spec: { containers: { securityContext: { capabilities: unknown } }[] } } };
    };
    expect(upfCaps.spec.template.spec.containers[0]?.securityContext.capabilities).toEqual({
      drop: ["ALL"],
      add: ["NET_ADMIN"],
    });
  });

  it("verifyObjects catches privileged, host and cluster-scoped objects", () => {
    const [cm, dep] = renderSite(
      [intent("a", plan([{ kind: "deploy", nf: "amf", replicas: 1 }]))],
      ctx,
    ).objects;
    if (!cm || !dep) throw new Error("nothing rendered");
    const evil = structuredClone(dep) as unknown as {
      spec: {
        template: {
          spec: Record<string, unknown> & { containers: { securityContext: Record<string, unknown> }[] };
        };
      };
    };
    evil.spec.template.spec["hostNetwork"] = true;
    evil.spec.template.spec["volumes"] = [{ name: "h", hostPath: { path: "/" } }];
    const c = evil.spec.template.spec.containers[0];
    if (c) c.securityContext["privileged"] = true;
    const rules = verifyObjects([
      evil as never,
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "x" } },
    ]).map((v) => v.rule);
    expect(rules).toEqual([
      "security.no-host-network",
      "security.no-host-path",
      "security.no-privileged",
      "security.no-cluster-scoped",
    ]);
  });

  it("gives long names a hash suffix instead of truncating them into collisions", () => {
    const a = objectName("near-rt-ric", "a-very-long-intent-identifier-that-goes-on-and-on-1");
    const b = objectName("near-rt-ric", "a-very-long-intent-identifier-that-goes-on-and-on-2");
    expect(a.length).toBeLessThanOrEqual(52);
    expect(a).not.toBe(b);
  });

  it("uses a version param as the image tag, and ignores an unsafe one", () => {
    const img = (version: string) => {
      const d = renderSite(
        [intent("a", plan([{ kind: "deploy", nf: "amf", replicas: 1, params: { version } }]))],
        ctx,
      ).objects[1] as unknown as {
        spec: { template: { spec: { containers: { image: string }[] } } };
      };
      return d.spec.template.spec.containers[0]?.image;
    };
    expect(img("v3.5.0")).toBe("free5gc/amf:v3.5.0");
    expect(img("x; rm -rf /")).toBe("free5gc/amf:v3.4.3");
  });
});

describe("desired state fold", () => {
  it("applies a later scale and configure to the NF an earlier intent deployed", () => {
    const s = desiredState(
      [
        intent("d", plan([{ kind: "deploy", nf: "upf", replicas: 1 }])),
        intent("s", plan([{ kind: "scale", nf: "upf", replicas: 3 }], { intentType: "nf.scale" })),
        intent(
          "c",
          plan([{ kind: "configure", nf: "upf", resources: { cpu: "4" } }], { intentType: "nf.configure" }),
        ),
      ],
      catalog,
    );
    expect(s.instances).toHaveLength(1);
    expect(s.instances[0]).toMatchObject({
      owner: "d",
      replicas: 3,
      cpu: "4",
      contributors: ["d", "s", "c"],
    });
    expect(s.problems.size).toBe(0);
  });

  it("scales every instance earlier intents deployed, each to the count; a later deploy keeps its own — and says so", () => {
    const scale = plan([{ kind: "scale", nf: "upf", replicas: 5 }], { intentType: "nf.scale" });
    const s = desiredState(
      [
        intent("d1", plan([{ kind: "deploy", nf: "upf", replicas: 1 }])),
        intent("d2", plan([{ kind: "deploy", nf: "upf", replicas: 2 }])),
        intent("s", scale),
        intent("d3", plan([{ kind: "deploy", nf: "upf", replicas: 1 }])),
      ],
      catalog,
    );
    expect(s.instances.map((i) => `${i.owner}:${i.replicas}`)).toEqual(["d1:5", "d2:5", "d3:1"]);
    expect(s.instances.filter((i) => i.contributors.includes("s")).map((i) => i.owner)).toEqual(["d1", "d2"]);
    expect(scopeOf(scale)).toEqual([
      "scale upf: every upf instance that earlier intents deployed at each targeted site — each instance gets 5 replicas; a upf deployed by a later intent keeps its own",
    ]);
  });

  it("reports a scale of an NF nobody deployed, and lets a delete remove earlier instances", () => {
    const s = desiredState(
      [
        intent("s", plan([{ kind: "scale", nf: "smf", replicas: 3 }], { intentType: "nf.scale" })),
        intent("d", plan([{ kind: "deploy", nf: "amf", replicas: 1 }])),
        intent("x", plan([{ kind: "delete", nf: "amf" }], { intentType: "nf.delete" })),
      ],
      catalog,
    );
    expect(s.instances).toEqual([]);
    expect(s.problems.get("s")?.[0]).toContain("no smf is deployed");
  });
});
