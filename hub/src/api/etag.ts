/** An intent's revision as an ETag, and the revision an If-Match header names. */
import { ApiError, ApiErrorCode } from "./errors";

export const etagOf = (revision: number): string => `"${revision}"`;

/** The revision in `If-Match: "3"` (weak or bare forms too); 400 for anything else. */
export function ifMatchRevision(ifMatch: string): number {
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(ifMatch.trim());
  if (!m)
    throw new ApiError(400, ApiErrorCode.BadRequest, `If-Match must be an ETag like "3", got ${ifMatch}`);
  return Number(m[1]);
}
