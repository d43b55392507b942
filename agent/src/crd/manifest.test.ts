/** The CRD the bootstrap script installs (edge-images) is the one the agent keeps current, field for field. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { NETWORK_INTENT_CRD } from "./definition";

// The API spells these keys with dashes; the client library's serializer writes them from underscores.
const dashed = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(dashed)
    : v && typeof v === "object"
      ? Object.fromEntries(
          Object.entries(v).map(([k, x]) => [
            k.replace(/^x_kubernetes_/, "x-kubernetes-").replace(/_/g, "-"),
            dashed(x),
          ]),
        )
      : v;

describe("NetworkIntent CRD manifest", () => {
  it("equals the agent's definition", () => {
    const file = fileURLToPath(new URL("../../../edge-images/k8s/agent/crd.yaml", import.meta.url));
    expect(parse(readFileSync(file, "utf8"))).toEqual(dashed(NETWORK_INTENT_CRD));
  });
});
