/**
 * A new intent from words: the plan previewed live (`POST /v1/plan`) with the guardrails' refusals in words,
 * targets picked (names, a label, all) with a live count of the sites they match, then created.
 */
import { useEffect, useState } from "preact/hooks";
import type { Intent, Page, SiteView } from "../api";
import { api } from "../api";
import { Problem, Section } from "../parts";
import { go } from "../route";

interface Preview {
  plan: { intentType: string; actions: { kind: string; nf: string; replicas?: number }[] };
  scope: string[];
  warnings: string[];
}
type Target = "names" | "label" | "all";

/** Waits until the value has stood still a moment. */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

const selectorOf = (target: Target, names: string, label: string) => {
  if (target === "all") return { all: true };
  if (target === "label") {
    const [k = "", v = ""] = label.split("=").map((x) => x.trim());
    return { matchLabels: { [k]: v } };
  }
  return { names: names.split(/[\s,]+/).filter(Boolean) };
};

export function NewIntentPage() {
  const [text, setText] = useState("");
  const [target, setTarget] = useState<Target>("names");
  const [names, setNames] = useState("");
  const [label, setLabel] = useState("");
  const [preview, setPreview] = useState<Preview | undefined>();
  const [refusal, setRefusal] = useState<string | undefined>();
  const [matching, setMatching] = useState<string | undefined>();
  const [failed, setFailed] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const said = useSettled(text.trim(), 300);
  const where = useSettled(`${target}|${names}|${label}`, 300);

  useEffect(() => {
    if (!said) {
      setPreview(undefined);
      setRefusal(undefined);
      return;
    }
    let gone = false;
    api<Preview>("POST", "/v1/plan", { text: said }).then(
      (p) => !gone && (setPreview(p), setRefusal(undefined)),
      (e: unknown) =>
        !gone && (setPreview(undefined), setRefusal(e instanceof Error ? e.message : String(e))),
    );
    return () => {
      gone = true;
    };
  }, [said]);

  useEffect(() => {
    let gone = false;
    const count = async (): Promise<string> => {
      if (target === "names") {
        const wanted = names.split(/[\s,]+/).filter(Boolean);
        const found = await Promise.all(
          wanted.map((n) =>
            api("GET", `/v1/sites/${encodeURIComponent(n)}`).then(
              () => 1,
              () => 0,
            ),
          ),
        );
        const n = found.reduce<number>((a, b) => a + b, 0);
        return `${n} of ${wanted.length} named sites enrolled`;
      }
      if (target === "label" && !/^[^=\s]+=[^=]*$/.test(label.trim())) return "write the label as key=value";
      const q = target === "label" ? `&label=${encodeURIComponent(label.trim())}` : "";
      const page = await api<Page<SiteView>>("GET", `/v1/sites?limit=500${q}`);
      return `${page.items.length}${page.nextCursor ? "+" : ""} sites match`;
    };
    count().then(
      (m) => !gone && setMatching(m),
      (e: unknown) => !gone && setMatching(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      gone = true;
    };
  }, [where]);

  return (
    <main>
      <h1>New intent</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          api<Intent>("POST", "/v1/intents", {
            text: text.trim(),
            siteSelector: selectorOf(target, names, label),
          }).then(
            (i) => go(`intents/${encodeURIComponent(i.id)}`),
            (err: unknown) => {
              setFailed(err instanceof Error ? err.message : String(err));
              setBusy(false);
            },
          );
        }}
      >
        <label for="said">What do you want?</label>
        <textarea
          id="said"
          rows={3}
          placeholder="Deploy a basic AMF instance for testing"
          value={text}
          onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        />
        <Section title="Plan">
          {refusal && (
            <p class="error refusal" role="alert">
              {refusal}
            </p>
          )}
          {preview && (
            <>
              <ul class="plan-actions">
                {preview.plan.actions.map((a, k) => (
                  <li key={k}>
                    {a.kind} {a.nf}
                    {a.replicas !== undefined ? ` × ${a.replicas}` : ""}
                  </li>
                ))}
              </ul>
              {preview.warnings.map((w) => (
                <p key={w} class="warning">
                  {w}
                </p>
              ))}
            </>
          )}
          {!said && <p class="muted">Type above; the plan shows here as you write.</p>}
        </Section>
        <fieldset>
          <legend>Sites</legend>
          <label>
            <input
              type="radio"
              name="target"
              checked={target === "names"}
              onChange={() => setTarget("names")}
            />{" "}
            By name{" "}
          </label>
          <label>
            <input
              type="radio"
              name="target"
              checked={target === "label"}
              onChange={() => setTarget("label")}
            />{" "}
            By label{" "}
          </label>
          <label>
            <input type="radio" name="target" checked={target === "all"} onChange={() => setTarget("all")} />{" "}
            All sites
          </label>
          {target === "names" && (
            <label class="block">
              Site names{" "}
              <input
                value={names}
                placeholder="edge01, edge02"
                onInput={(e) => setNames((e.target as HTMLInputElement).value)}
              />
            </label>
          )}
          {target === "label" && (
            <label class="block">
              Label{" "}
              <input
                value={label}
                placeholder="region=eu-west"
                onInput={(e) => setLabel((e.target as HTMLInputElement).value)}
              />
            </label>
          )}
          <p class="muted" role="status">
            {matching}
          </p>
        </fieldset>
        <button type="submit" disabled={busy || !preview}>
          Create intent
        </button>
        <Problem error={failed} />
      </form>
    </main>
  );
}
