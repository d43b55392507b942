import { createAccount, createUser, fromPublic } from "@nats-io/nkeys";
import { describe, expect, it } from "vitest";
import { nkeyAuthenticator, userNkey } from "./nkey";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

describe("user NKeys on Node's Ed25519", () => {
  it("derive the public key and sign as the NATS reference implementation does", () => {
    for (let i = 0; i < 20; i++) {
      const reference = createUser();
      const ours = userNkey(text(reference.getSeed()));
      expect(ours.publicKey).toBe(reference.getPublicKey());
      const nonce = `nonce-${i}-${"x".repeat(i)}`;
      const sig = ours.sign(nonce);
      // Ed25519 is deterministic: the same key signs the same nonce to the same bytes.
      expect(sig).toBe(Buffer.from(reference.sign(bytes(nonce))).toString("base64"));
      expect(fromPublic(ours.publicKey).verify(bytes(nonce), Buffer.from(sig, "base64"))).toBe(true);
      expect(fromPublic(ours.publicKey).verify(bytes(`${nonce}!`), Buffer.from(sig, "base64"))).toBe(false);
    }
  });

  it("answer the server's challenge, and only name the key when there is none", () => {
    const reference = createUser();
    const auth = nkeyAuthenticator(text(reference.getSeed()));
    const answer = auth("a-server-nonce");
    expect(answer.nkey).toBe(reference.getPublicKey());
    expect(fromPublic(answer.nkey).verify(bytes("a-server-nonce"), Buffer.from(answer.sig, "base64"))).toBe(
      true,
    );
    expect(auth()).toEqual({ nkey: reference.getPublicKey(), sig: "" });
  });

  it("refuse a seed that is not a user's, is damaged, or is not base32", () => {
    const seed = text(createUser().getSeed());
    expect(() => userNkey(text(createAccount().getSeed()))).toThrow(/not a user NKey seed/);
    const flipped = seed.slice(0, 10) + (seed[10] === "A" ? "B" : "A") + seed.slice(11);
    expect(() => userNkey(flipped)).toThrow(/checksum/);
    expect(() => userNkey(seed.slice(0, -4))).toThrow(/length or checksum/);
    expect(() => userNkey(`${seed.slice(0, -1)}1`)).toThrow(/base32/);
  });
});
