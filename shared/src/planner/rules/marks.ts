/** The annotated form of an intent text: what each stretch of tokens means. */
import type { Priority, SliceType } from "../../domain";
import type { Comparator, Noun, VerbEntry } from "./vocabulary";

export type NumUnit =
  "count" | "x" | "cpu" | "memory" | "ms" | "mbps" | "pct" | "replicas" | "users" | "devices" | "sessions";

export type Mark =
  | { readonly t: "verb"; readonly verb: VerbEntry; readonly text: string }
  | { readonly t: "nf"; readonly ids: readonly string[]; readonly text: string; readonly note?: string }
  | { readonly t: "unsupported"; readonly text: string }
  | {
      readonly t: "num";
      readonly value: number;
      readonly unit: NumUnit;
      readonly raw: string;
      readonly cpuOrMillion?: boolean;
    }
  | { readonly t: "kv"; readonly key: string; readonly value: string }
  | {
      readonly t: "word";
      readonly w: string;
      readonly raw: string;
      readonly role: "structure" | "filler" | "unknown";
    }
  | { readonly t: "punct"; readonly p: string }
  | { readonly t: "priority"; readonly value: Priority }
  | { readonly t: "security"; readonly key: string; readonly text: string }
  | { readonly t: "slice" }
  | { readonly t: "sliceType"; readonly type: SliceType }
  | { readonly t: "policy" }
  | { readonly t: "allSites" }
  | { readonly t: "neg"; readonly text: string }
  | { readonly t: "cmp"; readonly cond: Comparator; readonly text: string }
  | { readonly t: "noun"; readonly noun: Noun }
  | { readonly t: "rel"; readonly rel: "more" | "fewer" | "another" }
  | { readonly t: "ns"; readonly name: string }
  | { readonly t: "site"; readonly name: string }
  | { readonly t: "label"; readonly key: string; readonly value: string };

export type MarkOf<T extends Mark["t"]> = Extract<Mark, { t: T }>;
