import { describe, expect, it } from "vitest";
import { contains } from "./compare";

describe("contains (drift check)", () => {
  it("ignores what the server added and catches what was changed or removed", () => {
    const desired = {
      spec: { replicas: 2, template: { containers: [{ name: "amf", ports: [{ containerPort: 38412 }] }] } },
    };
    const live = {
      spec: {
        replicas: 2,
        progressDeadlineSeconds: 600,
        template: {
          containers: [
            {
              name: "amf",
              imagePullPolicy: "IfNotPresent",
              ports: [{ containerPort: 38412, protocol: "SCTP" }],
            },
          ],
        },
      },
      status: {},
    };
    expect(contains(live, desired)).toBe(true);
    expect(contains({ ...live, spec: { ...live.spec, replicas: 7 } }, desired)).toBe(false);
    expect(contains({ spec: { replicas: 2, template: { containers: [] } } }, desired)).toBe(false);
    expect(contains({ spec: { template: live.spec.template } }, desired)).toBe(false);
  });

  it("treats a number and its string form as equal", () => {
    expect(contains({ cpu: "2" }, { cpu: 2 })).toBe(true);
  });
});
