/** Encoding and strict decoding of sync messages. */
import { createHash } from "node:crypto";
import type * as z from "zod";
import type { DownMessage, UpMessage } from "./messages";
import { DownMessage as DownSchema, PROTOCOL_VERSION, UpMessage as UpSchema } from "./messages";
import { ProtocolError, ProtocolErrorCode } from "./errors";

export function encode(msg: DownMessage | UpMessage): Uint8Array {
  return Buffer.from(JSON.stringify(msg));
}

function decodeWith<T>(schema: z.ZodType<T>, data: Uint8Array, expectedSite: string | undefined): T {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8"));
  } catch {
    throw new ProtocolError(ProtocolErrorCode.NotJson, "message is not JSON");
  }
  const v = (raw as { v?: unknown } | null)?.v;
  if (v !== PROTOCOL_VERSION)
    throw new ProtocolError(
      ProtocolErrorCode.Version,
      `unsupported protocol version ${JSON.stringify(v)} (this end speaks ${PROTOCOL_VERSION})`,
    );
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ProtocolError(
      ProtocolErrorCode.Invalid,
      `invalid message: ${issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "rejected"}`,
    );
  }
  const site = (parsed.data as { site: string }).site;
  if (expectedSite !== undefined && site !== expectedSite)
    throw new ProtocolError(
      ProtocolErrorCode.WrongSite,
      `message for site ${site} arrived on site ${expectedSite}'s channel`,
    );
  return parsed.data;
}

/** Decodes what an agent sent on `site`'s channel; a message naming another site is refused. */
export const decodeUp = (data: Uint8Array, site: string): UpMessage => decodeWith(UpSchema, data, site);
/** Decodes what the hub sent to `site`. */
export const decodeDown = (data: Uint8Array, site: string): DownMessage => decodeWith(DownSchema, data, site);

/** A short digest of the (intent, revision) set a site holds: equal sets give equal digests. */
export function desiredDigest(intents: Iterable<{ id: string; revision: number }>): string {
  const lines = [...intents].map((i) => `${i.id}:${i.revision}`).sort();
  return createHash("sha256").update(lines.join("\n")).digest("hex").slice(0, 16);
}
