import { describe, expect, it } from "vitest";
import { decodeDown, decodeUp, desiredDigest, encode } from "./codec";
import { ProtocolError, ProtocolErrorCode } from "./errors";

const raw = (o: unknown) => Buffer.from(JSON.stringify(o));
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e instanceof ProtocolError ? e.code : "other";
  }
};

describe("sync codec", () => {
  it("round-trips a valid message", () => {
    const hello = {
      v: 1 as const,
      site: "edge01",
      cred: "0123456789abcdef",
      type: "hello" as const,
      ackedVersion: 4,
      agentVersion: "0.1.0",
    };
    expect(decodeUp(encode(hello), "edge01")).toEqual(hello);
  });

  it("refuses another protocol version by name", () => {
    expect(() => decodeUp(raw({ v: 2, site: "edge01", type: "ack", version: 1 }), "edge01")).toThrow(
      /unsupported protocol version 2 \(this end speaks 1\)/,
    );
  });

  it("refuses what is not JSON, what breaks the schema, and a message naming another site", () => {
    expect(codeOf(() => decodeUp(Buffer.from("{nope"), "edge01"))).toBe(ProtocolErrorCode.NotJson);
    expect(codeOf(() => decodeUp(raw({ v: 1, site: "edge01", type: "ack", version: -1 }), "edge01"))).toBe(
      ProtocolErrorCode.Invalid,
    );
    // An agent's message without the id of the credential it holds is refused.
    expect(codeOf(() => decodeUp(raw({ v: 1, site: "edge01", type: "ack", version: 1 }), "edge01"))).toBe(
      ProtocolErrorCode.Invalid,
    );
    expect(
      codeOf(() =>
        decodeUp(raw({ v: 1, site: "edge02", cred: "0123456789abcdef", type: "ack", version: 1 }), "edge01"),
      ),
    ).toBe(ProtocolErrorCode.WrongSite);
    // An intent message carries exactly one of intent and deleted.
    expect(
      codeOf(() => decodeDown(raw({ v: 1, site: "edge01", type: "intent", version: 2 }), "edge01")),
    ).toBe(ProtocolErrorCode.Invalid);
  });

  it("carries a W3C trace context where one is given, and refuses one that is not", () => {
    const deleted = { v: 1, site: "edge01", type: "intent", version: 2, base: 1, deleted: "int-1" };
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    expect(decodeDown(raw({ ...deleted, traceparent }), "edge01")).toMatchObject({ traceparent });
    for (const bad of ["", "01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "00-xyz", 7])
      expect(codeOf(() => decodeDown(raw({ ...deleted, traceparent: bad }), "edge01"))).toBe(
        ProtocolErrorCode.Invalid,
      );
  });

  it("digests equal sets equally, whatever their order, and different sets differently", () => {
    const a = desiredDigest([
      { id: "int-a", revision: 1 },
      { id: "int-b", revision: 3 },
    ]);
    expect(
      desiredDigest([
        { id: "int-b", revision: 3 },
        { id: "int-a", revision: 1 },
      ]),
    ).toBe(a);
    expect(desiredDigest([{ id: "int-a", revision: 1 }])).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });
});
