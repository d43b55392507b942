import * as z from "zod";

/** A DNS-1123 label: what Kubernetes accepts as a namespace or object name, and what we use for site names. */
export const DnsLabel = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a DNS-1123 label: lower-case letters, digits and '-'");

export const SiteName = DnsLabel.describe("Site name, lower-case DNS-1123 label, e.g. edge01");
export type SiteName = z.infer<typeof SiteName>;

export const Namespace = DnsLabel.describe("Kubernetes namespace");

/** Kubernetes label key (optionally prefixed) and value. */
export const LabelKey = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/,
    "must be a label key",
  );
export const LabelValue = z
  .string()
  .max(63)
  .regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/, "must be a label value");
export const MAX_LABELS = 64;
export const Labels = z
  .record(LabelKey, LabelValue)
  .refine((l) => Object.keys(l).length <= MAX_LABELS, `at most ${MAX_LABELS} labels`);
export type Labels = z.infer<typeof Labels>;

/** CPU quantity as Kubernetes writes it: "500m", "2", "1.5". */
export const CpuQuantity = z
  .string()
  .regex(/^(\d+m|\d+(\.\d{1,3})?)$/, "must be a CPU quantity such as 500m or 2");

/** Memory quantity with a binary suffix: "512Mi", "8Gi". */
export const MemoryQuantity = z
  .string()
  .regex(/^\d+(\.\d+)?(Ki|Mi|Gi|Ti)$/, "must be a memory quantity such as 512Mi or 8Gi");

export const Resources = z.strictObject({ cpu: CpuQuantity, memory: MemoryQuantity });
export type Resources = z.infer<typeof Resources>;

export const Timestamp = z.iso.datetime({ offset: true }).describe("RFC 3339 timestamp");

export const Priority = z.enum(["low", "medium", "high", "critical"]);
export type Priority = z.infer<typeof Priority>;
