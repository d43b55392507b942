import * as z from "zod";
import type { SiteSelector } from "./plan";
import { Labels, SiteName, Timestamp } from "./primitives";

export const Presence = z.enum(["online", "offline"]);
export type Presence = z.infer<typeof Presence>;

export const Site = z.strictObject({
  id: SiteName,
  labels: Labels,
  enrolledAt: Timestamp,
  lastSeen: Timestamp.nullable(),
  presence: Presence,
  agentVersion: z.string().max(64).nullable(),
  desiredVersion: z.number().int().min(0),
  reportedVersion: z.number().int().min(0),
});
export type Site = z.infer<typeof Site>;

/** All sites, or those named, or those carrying every label asked for (the union of what is given). */
export function selects(
  selector: SiteSelector,
  site: { readonly id: string; readonly labels: Readonly<Record<string, string>> },
): boolean {
  if (selector.all) return true;
  if (selector.names?.includes(site.id)) return true;
  const wanted = Object.entries(selector.matchLabels ?? {});
  return wanted.length > 0 && wanted.every(([k, v]) => site.labels[k] === v);
}
