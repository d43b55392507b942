/** The hub's API reference as an operator opens it: in a real browser, from the hub alone, nothing fetched elsewhere. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import type { BrowserContext } from "playwright-core";
import type { Hub } from "@nephoran/hub";
import { createHub, HubConfig } from "@nephoran/hub";
import { launchBrowser } from "../harness/browser";

let hub: Hub;
let url: string;
let browser: BrowserContext;

beforeAll(async () => {
  hub = await createHub(
    HubConfig.parse({
      dataDir: mkdtempSync(join(tmpdir(), "nephoran-hub-docs-")),
      adminToken: "docs-admin-token-0123456789abcdef",
      port: 0,
      sync: { transport: "none" },
    }),
    { logger: pino({ level: "silent" }) },
  );
  url = await hub.start();
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

describe("the hub's API reference in Chromium", () => {
  it("renders every operation with its schemas and examples from the hub's own assets", async () => {
    const page = await browser.newPage();
    const elsewhere: string[] = [];
    const problems: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(url) && !r.url().startsWith("data:")) elsewhere.push(r.url());
    });
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`${m.text()} ${m.location().url}`);
    });
    page.on("pageerror", (e) => problems.push(e.message));

    await page.goto(`${url}/docs`);
    await page.locator(".opblock-summary-path", { hasText: "/v1/intents" }).first().waitFor();
    const paths = await page.locator(".opblock-summary-path").allInnerTexts();
    for (const p of ["/v1/plan", "/v1/intents", "/v1/intents/{id}", "/v1/sites", "/v1/events", "/metrics"])
      expect(paths.map((x) => x.replace(/\u200b/g, ""))).toContain(p);

    // Open "create an intent": the request body's example and the 422 answer are there.
    await page.locator("#operations-intents-post_v1_intents .opblock-summary").click();
    const op = page.locator("#operations-intents-post_v1_intents");
    await op.getByText("Create a URLLC slice with 1 ms latency on edge01 and edge02").first().waitFor();
    expect(await op.locator(".response-col_status").allInnerTexts()).toEqual(
      expect.arrayContaining(["201", "422"]),
    );

    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
  });
});
