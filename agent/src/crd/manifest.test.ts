/** The CRD the bootstrap script installs (edge-images) is the one the agent keeps current, field for field. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { NETWORK_INTENT_CRD } from "./definition";

describe("NetworkIntent CRD manifest", () => {
  it("equals the agent's definition", () => {
    const file = fileURLToPath(new URL("../../../edge-images/k8s/agent/crd.yaml", import.meta.url));
    expect(parse(readFileSync(file, "utf8"))).toEqual(NETWORK_INTENT_CRD);
  });
});
