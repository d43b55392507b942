/** The agent's flags become one config, and a mistake becomes one line that says what to do. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "@nephoran/shared";
import { configFromFlags } from "./options";

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
