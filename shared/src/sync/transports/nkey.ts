/**
 * NATS NKey authentication with Node's own Ed25519: the server's nonce signed with the user's seed. The
 * NATS client's authenticator does the same arithmetic in JavaScript (tweetnacl) on every connect, which
 * is slow enough to get optimised and costs an idle agent megabytes of compiled code.
 */
import type { KeyObject } from "node:crypto";
import { createPrivateKey, createPublicKey, sign } from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/** First byte of a user's public key (NKey prefix "U"), and of a seed ("S" with the role in its low bits). */
const USER = 20 << 3;
const SEED = 18 << 3;
/** PKCS #8 wrapping of a raw Ed25519 private key (RFC 8410). */
const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");

function base32Decode(s: string): Uint8Array {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of s) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) throw new Error("an NKey seed is base32 (A–Z, 2–7)");
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

function base32Encode(b: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const byte of b) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return bits > 0 ? out + ALPHABET[(value << (5 - bits)) & 31] : out;
}

/** CRC-16/XMODEM, as NKeys check their encodings. */
function crc16(b: Uint8Array): number {
  let crc = 0;
  for (const byte of b) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

export interface UserNkey {
  /** The public key, as the server's authorization lists it ("U…"). */
  readonly publicKey: string;
  /** The nonce's signature, base64, as the CONNECT message carries it. */
  sign(nonce: string): string;
}

/** A user NKey from its seed ("SU…"); a malformed seed or one of another role is refused. */
export function userNkey(seed: string): UserNkey {
  const raw = base32Decode(seed);
  const payload = raw.subarray(0, raw.length - 2);
  const check = (raw[raw.length - 2] ?? 0) | ((raw[raw.length - 1] ?? 0) << 8);
  if (raw.length !== 36 || crc16(payload) !== check) throw new Error("not an NKey seed (length or checksum)");
  const [b0 = 0, b1 = 0] = payload;
  if ((b0 & 0xf8) !== SEED || (((b0 & 7) << 5) | (b1 >> 3)) !== USER) throw new Error("not a user NKey seed");
  const key: KeyObject = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519, payload.subarray(2)]),
    format: "der",
    type: "pkcs8",
  });
  const spki = createPublicKey(key).export({ format: "der", type: "spki" });
  const pub = new Uint8Array(35);
  pub[0] = USER;
  pub.set(spki.subarray(spki.length - 32), 1);
  const sum = crc16(pub.subarray(0, 33));
  pub[33] = sum & 0xff;
  pub[34] = sum >> 8;
  const publicKey = base32Encode(pub);
  return {
    publicKey,
    sign: (nonce) => sign(null, Buffer.from(nonce, "utf8"), key).toString("base64"),
  };
}

/** The NATS client's authenticator for a user seed: its public key, and the nonce signed when one is given. */
export function nkeyAuthenticator(seed: string): (nonce?: string) => { nkey: string; sig: string } {
  const nkey = userNkey(seed);
  return (nonce) => ({ nkey: nkey.publicKey, sig: nonce ? nkey.sign(nonce) : "" });
}
