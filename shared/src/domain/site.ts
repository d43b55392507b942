import { z } from "zod";
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
