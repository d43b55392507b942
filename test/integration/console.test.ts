/**
 * The hub's web console in Chromium, against a real hub with real agents syncing over nats-server, each on
 * its own Kubernetes API server (a kubelet stand-in marks pods ready, as the end-to-end suite does): sign-in
 * (the session in an HttpOnly, SameSite=Strict cookie, never in page storage), the fleet, a new intent from
 * words watched until both sites run it, a refusal in words, a site going offline turning red live, a viewer
 * who can change nothing, hostile text rendered as text, no serious accessibility violation on any page
 * (axe-core), and a screenshot of each page saved with the test results.
 */
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Agent } from "@nephoran/agent";
import type { Hub } from "@nephoran/hub";
import { eventually } from "../harness/agent";
import { launchBrowser } from "../harness/browser";
import type { Broker } from "../harness/brokers";
import { brokersInstalled, startBroker } from "../harness/brokers";
import type { KubeEnv } from "../harness/kube";
import { kubeBinaries, startKube } from "../harness/kube";
import { markPodsReady } from "../harness/kubelet";
import { ADMIN, api, enroll, startHub, syncedAgent } from "../harness/sync";
import { skippedFor } from "../harness/skip";

const missing = !brokersInstalled()
  ? "nats-server is not installed"
  : !(await kubeBinaries())
    ? "the Kubernetes API server is not built (bash scripts/test-env/kube.sh build)"
    : undefined;
skippedFor(missing, "the console suite is");

/** Where the screenshots go: with the test command's results (`.test-results/console`). */
const SHOTS = resolve(import.meta.dirname, "../../.test-results/console");
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const HOSTILE = `<img src=x onerror="window.__pwned=1">"'&`;

/** What a page's scripts see of the browser (this suite is typed for node). */
interface InPage {
  localStorage: Record<string, string>;
  sessionStorage: Record<string, string>;
  document: { cookie: string; querySelectorAll(s: string): { length: number } };
  __pwned?: number;
  axe: { run: () => Promise<{ violations: unknown[] }> };
}

describe.skipIf(missing !== undefined)("the fleet console in Chromium", () => {
  let broker: Broker;
  let hub: Hub;
  const agents: Agent[] = [];
  const clusters: KubeEnv[] = [];
  let kubelet: Promise<void> | undefined;
  let running = true;
  let browser: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  const elsewhere: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), "nephoran-hub-console-"));

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    broker = (await startBroker("nats")) as Broker;
    hub = await startHub(broker.hubSync(), dataDir);
    // One after another: each takes its ports only once the one before holds its own.
    for (let i = 0; i < 2; i++) clusters.push(await startKube());
    kubelet = (async () => {
      while (running) {
        for (const c of clusters) await markPodsReady(c.kubeconfig, "app.kubernetes.io/name").catch(() => 0);
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
    for (const [k, [site, region]] of (
      [
        ["edge-a", "eu-west"],
        ["edge-b", "us-east"],
      ] as const
    ).entries()) {
      const { sync } = await enroll(hub, site, { region, tier: "gold" });
      const kubeconfig = (clusters[k] as KubeEnv).kubeconfig;
      const agent = syncedAgent(site, sync, undefined, {}, { target: { kind: "kubernetes", kubeconfig } });
      agent.start();
      agents.push(agent);
    }
    await eventually(async () => {
      const r = await api(hub, "GET", "/v1/sites?presence=online");
      return (r.json["items"] as unknown[]).length === 2 ? true : undefined;
    }, 30_000);
    browser = await launchBrowser();
    page = await browser.newPage();
    page.on("console", (m) => {
      // A refused request is the page's business (it shows the refusal); anything else is a defect.
      if (m.type() === "error" && !/status of (4\d\d)/.test(m.text())) problems.push(m.text());
    });
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("request", (r) => {
      if (!r.url().startsWith(hub.url)) elsewhere.push(r.url());
    });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    for (const a of agents) await a.stop().catch(() => undefined);
    await hub?.stop();
    await broker?.stop();
    running = false;
    await kubelet;
    await Promise.all(clusters.map((c) => c.stop()));
  }, 120_000);

  /** axe-core on the page as it stands: no serious or critical violation. */
  const accessible = async (name: string) => {
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    // Through the debugging protocol: the console's CSP refuses any script the hub did not serve.
    await page.evaluate(AXE);
    const violations = (await page.evaluate(
      async () => (await (globalThis as unknown as InPage).axe.run()).violations,
    )) as { id: string; impact: string; nodes: { target: string[] }[] }[];
    const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(
      bad.map((v) => `${name}: ${v.id} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    ).toEqual([]);
  };

  it("signs in with a token, keeps the session in an HttpOnly cookie only, and shows the fleet", async () => {
    await page.goto(`${hub.url}/`);
    expect(new URL(page.url()).pathname).toBe("/ui");
    const csp = (await page.request.get(`${hub.url}/ui`)).headers()["content-security-policy"];
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).not.toMatch(/unsafe-inline/);
    // And the browser holds to it: an inline script injected into the page does not run.
    await page.addScriptTag({ content: "globalThis.__inline = 1" }).catch(() => undefined);
    expect(
      await page.evaluate(() => (globalThis as unknown as { __inline?: number }).__inline),
    ).toBeUndefined();
    expect(problems.splice(0).every((p) => /Content Security Policy/.test(p))).toBe(true);
    await accessible("sign-in");

    await page.getByLabel("API token").fill("not-a-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page
      .getByRole("alert")
      .getByText(/unknown or revoked API token/)
      .waitFor();

    await page.getByLabel("API token").fill(ADMIN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Fleet" }).waitFor();
    const cookies = await browser.cookies(hub.url);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: "nephoran_session", httpOnly: true, sameSite: "Strict" });
    expect(cookies[0]?.value).not.toBe(ADMIN);
    const stored = await page.evaluate(() => {
      const w = globalThis as unknown as InPage;
      return JSON.stringify({ ...w.localStorage }) + JSON.stringify({ ...w.sessionStorage });
    });
    expect(stored).not.toContain(ADMIN);
    expect(await page.evaluate(() => (globalThis as unknown as InPage).document.cookie)).toBe("");

    await page.locator(".tile", { hasText: "online" }).getByText("2").waitFor();
    expect(await page.locator(".phases").innerText()).toMatch(/No intent targets a site yet/);
    expect(await page.locator(".grid .cell").allInnerTexts()).toEqual([
      "eu-west\n1/1 online",
      "us-east\n1/1 online",
    ]);
    await accessible("fleet");
  });

  it("plans from words as they are typed, shows a refusal in words, creates the intent and watches it converge", async () => {
    await page.getByRole("link", { name: "New intent", exact: true }).click();
    await page.getByLabel("What do you want?").fill("scale UPF to 500 replicas at edge-a");
    await page.locator(".refusal").waitFor();
    expect(await page.locator(".refusal").innerText()).toMatch(/replicas must be between/);
    await accessible("new-intent-refused");

    await page.getByLabel("What do you want?").fill("Deploy a basic AMF instance for testing");
    await page.locator(".plan-actions").getByText("deploy amf").waitFor();
    await page.getByLabel("All sites").check();
    await page.getByRole("status").getByText("2 sites match").waitFor();
    await page.getByLabel("By label").check();
    await page.getByLabel("Label", { exact: true }).fill("region=eu-west");
    await page.getByRole("status").getByText("1 sites match").waitFor();
    await page.getByLabel("All sites").check();
    await accessible("new-intent");
    await page.getByRole("button", { name: "Create intent" }).click();
    await page.waitForURL(/#\/intents\/int-/);
    const id = decodeURIComponent(page.url().split("/").at(-1) as string);
    // Live: the bar moves as the two agents report, without a reload, until both sites run it, Ready.
    await page.locator(".bar", { hasText: "2 Ready" }).waitFor({ timeout: 60_000 });
    const rollup = (await api(hub, "GET", `/v1/intents/${id}`)).json["rollup"] as { settled: number };
    expect(rollup.settled).toBe(2);
    await accessible("intent");

    // A second revision made elsewhere shows up live; rolling back to the first is a click and a yes.
    const patched = await api(hub, "PATCH", `/v1/intents/${id}`, { priority: "high" }, { "if-match": `"1"` });
    expect(patched.status, JSON.stringify(patched.json)).toBe(200);
    await page.locator(".revisions li", { hasText: "Revision 2" }).getByText("(current)").waitFor();
    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: "Roll back to 1" }).click();
    await page.locator(".revisions li", { hasText: "Revision 3" }).getByText("(current)").waitFor();
    expect((await api(hub, "GET", `/v1/intents/${id}`)).json["priority"]).toBe("medium");
    // Its history: the audit, opened on this intent.
    await page.getByRole("link", { name: /What was done to this intent/ }).click();
    await page.getByRole("cell", { name: "intent.rollback" }).waitFor();
    expect(await page.getByRole("cell", { name: id }).count()).toBeGreaterThanOrEqual(3);
  });

  it("turns a site red live when it goes offline", async () => {
    await page.getByRole("link", { name: "Fleet", exact: true }).click();
    await page.locator(".grid .cell.good", { hasText: "us-east" }).waitFor();
    // The intent made above, by the worst phase across its sites.
    await page.locator(".phases li.Ready", { hasText: "1" }).waitFor();
    await agents[1]?.stop();
    await page.locator(".grid .cell.bad", { hasText: "us-east" }).waitFor({ timeout: 20_000 });
    await page.getByRole("table").getByRole("link", { name: "edge-b" }).waitFor();
    await page.locator(".phases li.Offline", { hasText: "1" }).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(SHOTS, "fleet-site-offline.png"), fullPage: true });
  });

  it("lists, filters and shows sites, intents and the audit, each accessible", async () => {
    await page.getByRole("link", { name: "Sites", exact: true }).click();
    await page.locator("tr[data-site]").first().waitFor();
    expect(await page.locator("tr[data-site]").count()).toBe(2);
    await page.getByLabel("Text").fill("edge-b");
    await page.waitForFunction(
      () => (globalThis as unknown as InPage).document.querySelectorAll("tr[data-site]").length === 1,
    );
    await page.getByLabel("Presence").selectOption("offline");
    await page.locator("tr[data-site='edge-b']").waitFor();
    await accessible("sites");
    await page.getByRole("link", { name: "edge-b" }).click();
    await page.getByRole("heading", { name: "Site edge-b" }).waitFor();
    await page.locator(".facts .offline").waitFor();
    await accessible("site");

    await page.getByRole("link", { name: "Intents", exact: true }).click();
    await page.locator("tr[data-intent]").first().waitFor();
    await accessible("intents");
    await page.getByRole("link", { name: "Audit", exact: true }).click();
    await page.getByRole("cell", { name: "intent.create" }).first().waitFor();
    await accessible("audit");
  });

  it("renders hostile text as text", async () => {
    const r = await api(hub, "POST", "/v1/intents", {
      name: HOSTILE,
      plan: { intentType: "nf.deploy", actions: [{ kind: "deploy", nf: "smf" }] },
      siteSelector: { names: ["edge-a"] },
    });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    await page.goto(`${hub.url}/ui#/intents/${r.json["id"] as string}`);
    await page.getByRole("heading", { name: HOSTILE }).waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as InPage).__pwned)).toBeUndefined();
    expect(await page.locator("main img").count()).toBe(0);
    await page.goto(`${hub.url}/ui#/intents`);
    await page.getByRole("link", { name: HOSTILE }).waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as InPage).__pwned)).toBeUndefined();
  });

  it("gives a viewer no way to change anything, and the API refuses anyway", async () => {
    const t = await api(hub, "POST", "/v1/tokens", { name: "watcher", role: "viewer" });
    expect(t.status).toBe(201);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("API token").waitFor();
    expect(await browser.cookies(hub.url)).toEqual([]);
    await page.getByLabel("API token").fill(t.json["token"] as string);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("watcher (viewer)").waitFor();
    expect(await page.getByRole("link", { name: "New intent", exact: true }).count()).toBe(0);
    await page.goto(`${hub.url}/ui#/sites/edge-a`);
    await page.getByRole("heading", { name: "Site edge-a" }).waitFor();
    for (const name of ["Edit labels", "Resync", "Decommission"])
      expect(await page.getByRole("button", { name }).count()).toBe(0);
    const intents = (await api(hub, "GET", "/v1/intents")).json["items"] as { id: string }[];
    await page.goto(`${hub.url}/ui#/intents/${intents[0]?.id ?? ""}`);
    await page.getByRole("heading", { level: 2, name: "Plan" }).waitFor();
    expect(await page.getByRole("button", { name: "Delete intent" }).count()).toBe(0);
    // With the viewer's session the API itself says no.
    const refused = await page.evaluate(async () => {
      const r = await fetch("/v1/sites/edge-a/resync", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      return r.status;
    });
    expect(refused).toBe(403);
  });

  it("says when the link to the hub is lost, and comes back", async () => {
    await page.goto(`${hub.url}/ui#/`);
    await page.getByRole("heading", { name: "Fleet" }).waitFor();
    const port = Number(new URL(hub.url).port);
    await hub.stop();
    const banner = page.getByText(/The link to the hub is lost/);
    await banner.waitFor({ timeout: 20_000 });
    // The same hub back on the same address: the page reconnects by itself, and the session still holds.
    hub = await startHub(broker.hubSync(), dataDir, 1, port);
    await banner.waitFor({ state: "detached", timeout: 30_000 });
    await page.locator(".tile", { hasText: "sites" }).first().waitFor();
    expect(problems.filter((p) => !/Failed to load resource|EventSource|net::ERR/.test(p))).toEqual([]);
    expect(elsewhere).toEqual([]);
  });
});
