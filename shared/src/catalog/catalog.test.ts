import { describe, expect, it } from "vitest";
import { BUILTIN_NFS, Catalog, CatalogError, resourcesForCapacity } from "./index";

const REQUIRED =
  "amf smf upf nrf ausf udm udr pcf nssf nef cu-cp cu-up du gnb near-rt-ric xapp e2sim trafficgen";

describe("catalog", () => {
  const catalog = new Catalog();

  it("has every NF the product promises", () => {
    for (const id of REQUIRED.split(" ")) expect(catalog.has(id), id).toBe(true);
  });

  it("declares the standard ports with their protocols", () => {
    const port = (nf: string, name: string) => catalog.get(nf)?.ports.find((p) => p.name === name);
    expect(port("amf", "n2")).toMatchObject({ port: 38412, protocol: "SCTP" });
    expect(port("upf", "n3")).toMatchObject({ port: 2152, protocol: "UDP" });
    expect(port("upf", "n4")).toMatchObject({ port: 8805, protocol: "UDP" });
    expect(port("smf", "sbi")).toMatchObject({ port: 8080, protocol: "TCP", appProtocol: "http2" });
    expect(port("near-rt-ric", "e2")).toMatchObject({ port: 36421, protocol: "SCTP" });
  });

  it("defaults maxReplicas to 10 and keeps declared ones", () => {
    expect(catalog.get("amf")?.maxReplicas).toBe(10);
    expect(catalog.get("near-rt-ric")?.maxReplicas).toBe(3);
  });

  it("records dependencies, e.g. SMF needs NRF", () => {
    expect(catalog.get("smf")?.dependencies).toContain("nrf");
  });

  it("refuses an entry with a duplicate alias", () => {
    const amf = BUILTIN_NFS.find((e) => e.id === "amf");
    if (!amf) throw new Error("no amf");
    const twin = { ...amf, id: "amf2", aliases: ["amf"] };
    expect(() => new Catalog([amf, twin])).toThrow(CatalogError);
  });

  it("refuses a dependency that is not in the catalog", () => {
    const smf = BUILTIN_NFS.find((e) => e.id === "smf");
    if (!smf) throw new Error("no smf");
    expect(() => new Catalog([smf])).toThrow(/depends on nrf/);
  });

  it("sizes UPF for throughput: 10 Gbps over 2 replicas needs 2.5 cores each", () => {
    const upf = catalog.get("upf");
    if (!upf) throw new Error("no upf");
    expect(resourcesForCapacity(upf, { maxDownlinkThroughput: 10_000 }, 2)).toEqual({
      cpu: "2500m",
      memory: "2560Mi",
    });
    expect(resourcesForCapacity(upf, {}, 1)).toEqual(upf.resources.default);
  });
});
