/** Debian's Chromium driven by playwright-core: headless, no sandbox (root), no background traffic. */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext } from "playwright-core";
import { chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/** A fresh browser profile; close the context to end the browser. */
export async function launchBrowser(): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: scripts/test-env/tools.sh install puts Debian's chromium there`);
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "nephoran-chromium-")), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      // Without these Chromium tries Google's hosts at every start; this machine's network refuses them.
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
