/**
 * scripts/validate-edge-deployment.sh against a real hub: a site whose agent runs and has converged passes,
 * a site enrolled but never heard from fails and says why, `--all-sites` takes every enrolled site, and
 * wrong arguments are refused with what to fix. (Its cluster checks run in the kube suite's bootstrap test.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Agent } from "@nephoran/agent";
import type { Hub } from "@nephoran/hub";
import { eventually } from "../harness/agent";
import { runValidate } from "../harness/bootstrap";
import { ADMIN, api, enroll, reported, startHub, syncedAgent } from "../harness/sync";

describe("validate-edge-deployment.sh", () => {
  let hub: Hub;
  let agent: Agent;

  beforeAll(async () => {
    hub = await startHub({ transport: "embedded", port: 0 });
    const { sync } = await enroll(hub, "val-up", { region: "eu" });
    await enroll(hub, "val-silent");
    agent = syncedAgent("val-up", sync);
    agent.start();
    const r = await api(hub, "POST", "/v1/intents", {
      text: "Deploy a basic AMF instance for testing",
      siteSelector: { names: ["val-up"] },
    });
    expect(r.status).toBe(201);
    const id = r.json["id"] as string;
    await eventually(
      async () => ((await reported(hub, id, "val-up"))?.phase === "Applied" ? true : undefined),
      30_000,
    );
  }, 60_000);
  afterAll(async () => {
    await agent?.stop();
    await hub?.stop();
  });

  it("passes a site that is heard from and has converged", async () => {
    const v = await runValidate(["--site", "val-up", "--hub", hub.url], ADMIN);
    expect(v.code, v.stderr + v.stdout).toBe(0);
    expect(v.stdout).toMatch(/^SITE\s+PRESENCE\s+LAST SEEN\s+BEHIND\s+CONVERGED\s+RESULT$/m);
    expect(v.stdout).toMatch(/^val-up\s+online\s+\S+\s+0\s+1\/1\s+PASS$/m);
    expect(v.stdout).toContain("1 passed, 0 failed");
  });

  it("fails a site never heard from, and one the hub does not know, saying why; --all-sites takes every site", async () => {
    const named = await runValidate(
      ["--site", "val-up", "--site", "val-silent", "--site", "val-nowhere", "--hub", hub.url],
      ADMIN,
    );
    expect(named.code).toBe(1);
    expect(named.stdout).toMatch(
      /^val-silent\s+offline\s.*FAIL: offline \(last seen never\); behind by 1 version$/m,
    );
    expect(named.stdout).toMatch(/^val-nowhere\s.*FAIL: not enrolled with this hub$/m);
    expect(named.stdout).toContain("1 passed, 2 failed");
    const all = await runValidate(["--all-sites", "--hub", hub.url], ADMIN);
    expect(all.code).toBe(1);
    expect(all.stdout).toMatch(/^val-up\s.*PASS$/m);
    expect(all.stdout).toMatch(/^val-silent\s.*FAIL/m);
  });

  it("refuses wrong arguments, an unknown token and no token, with what to fix", async () => {
    for (const [args, said] of [
      [["--hub", hub.url], /which sites\?/],
      [["--site", "val-up", "--all-sites", "--hub", hub.url], /not both/],
      [["--site", "Bad_Name", "--hub", hub.url], /not a valid site name/],
      [["--site", "val-up", "--hub", "ftp://x"], /--hub must be the hub's URL/],
      [["--site", "val-up", "--hub", hub.url, "--max-lag", "soon"], /--max-lag must be a number/],
      [["--site", "a", "--site", "b", "--hub", hub.url, "--kubeconfig", "/dev/null"], /exactly one --site/],
    ] as const) {
      const r = await runValidate(args, ADMIN);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(said);
    }
    const noToken = await runValidate(["--site", "val-up", "--hub", hub.url], "");
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/no API token[\s\S]*fix: export NEPHORAN_TOKEN/);
    const wrong = await runValidate(["--site", "val-up", "--hub", hub.url], "nph_not_a_real_token_000");
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/unknown or revoked API token/);
  });
});
