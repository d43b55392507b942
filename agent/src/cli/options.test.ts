/** The agent's flags become one config, and a mistake becomes one line that says what to do. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { credentialIdOf, UsageError } from "@nephoran/shared";
import { configFromFlags, readEnrollmentFile } from "./options";

const io = { out: () => undefined, err: () => undefined, env: {} };

describe("agent flags", () => {
  it("refuses a kubeconfig that does not exist with the fix, not a stack trace from the client library", () => {
    const data = mkdtempSync(join(tmpdir(), "nephoran-flags-"));
    const call = () =>
      configFromFlags(
        { site: "edge01", data, kubeconfig: join(data, "nope.yaml"), target: "kubernetes" },
        io,
      );
    expect(call).toThrow(UsageError);
    expect(call).toThrow(/does not exist.*--kubeconfig ~\/\.kube\/config.*k3s\.yaml.*--target directory:DIR/);
  });
});

describe("namespace policy", () => {
  it("replaces the default namespace families with the ones given; without, the defaults stand", () => {
    const data = mkdtempSync(join(tmpdir(), "nephoran-flags-"));
    const base = { site: "edge01", data, target: "directory:" };
    expect(
      configFromFlags({ ...base, "allow-namespaces": "ran-lab, 5gc-*" }, io).guardrails.namespaces,
    ).toEqual(["ran-lab", "5gc-*"]);
    const fromEnv = configFromFlags(base, { ...io, env: { NEPHORAN_ALLOW_NAMESPACES: "core" } });
    expect(fromEnv.guardrails.namespaces).toEqual(["core"]);
    expect(configFromFlags(base, io).guardrails.namespaces).toContain("5g-core");
    expect(() => configFromFlags({ ...base, "allow-namespaces": " , " }, io)).toThrow(
      /guardrails\.namespaces/,
    );
  });
});

describe("enrollment files", () => {
  it("reads one written before credential ids, deriving the id from the site credential it holds", () => {
    const dir = mkdtempSync(join(tmpdir(), "nephoran-enrollment-"));
    const file = join(dir, "enrollment.json");
    const credential = "nps_old-site-credential-0123456789abcdef";
    writeFileSync(
      file,
      JSON.stringify({
        siteId: "edge01",
        credential,
        hubUrl: "http://127.0.0.1:8080",
        sync: {
          transport: "mqtt",
          url: "mqtt://127.0.0.1:1883",
          site: "edge01",
          username: "edge01",
          password: credential,
          protocolVersion: 4,
        },
      }),
    );
    expect(readEnrollmentFile(file).sync?.credentialId).toBe(credentialIdOf(credential));
  });
});
