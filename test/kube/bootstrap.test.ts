/**
 * scripts/bootstrap-edge-site.sh against the real API server and a real hub: it enrolls the site, installs
 * the agent with least-privilege RBAC, waits for it, and a second run changes nothing; a dry run changes
 * nothing and spends nothing; every failure says what to fix.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { AppsV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import type { Hub } from "@nephoran/hub";
import { uniqueSite } from "../harness/agent";
import { enrollmentSecret, runBootstrap, runValidate } from "../harness/bootstrap";
import { ADMIN, api, startHub } from "../harness/sync";

const kubeconfig = inject("kubeconfig");

// The script waits for the agent's rollout: a busy machine's controllers can take minutes.
describe.skipIf(!kubeconfig)("bootstrap-edge-site.sh", { timeout: 400_000 }, () => {
  let hub: Hub;
  let kc: KubeConfig;
  beforeAll(async () => {
    hub = await startHub({ transport: "embedded", port: 0 });
    kc = new KubeConfig();
    kc.loadFromFile(kubeconfig as string);
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const token = async (site: string, labels: Record<string, string> = {}) => {
    const t = await api(hub, "POST", "/v1/enrollment-tokens", { site, labels });
    expect(t.status).toBe(201);
    return String(t.json["token"]);
  };
  const run = (args: string[]) => runBootstrap(args, kubeconfig as string);
  const siteArgs = (site: string, t: string, namespace: string) => [
    ...["--site", site, "--hub", hub.url],
    ...["--token", t, "--namespace", namespace],
  ];

  it("enrolls the site and installs the agent; a second run changes nothing", async () => {
    const site = uniqueSite("boot");
    const namespace = `ns-${site}`;
    const t = await token(site, { region: "eu" });
    const args = [...siteArgs(site, t, namespace), "--labels", "tier=gold,zone=a1", "--wait", "180"];
    const first = await run(args);
    expect(first.code, first.stderr + first.stdout).toBe(0);
    for (const step of [
      "checking prerequisites",
      `namespace ${namespace}`,
      `enrolling site ${site}`,
      "ServiceAccount and RBAC",
      "NetworkIntent CRD",
      "waiting up to 180s",
    ])
      expect(first.stdout).toContain(`==> ${step}`);
    expect(first.stdout).toMatch(new RegExp(`site ${site} is bootstrapped \\(\\d+ change`));

    // The hub knows the site, with the operator's labels and the site's own.
    const s = await api(hub, "GET", `/v1/sites/${site}`);
    expect(s.json).toMatchObject({ id: site, labels: { region: "eu", tier: "gold", zone: "a1" } });
    // The credentials are in the Secret, for this site, with a status token.
    const secret = await enrollmentSecret(kubeconfig as string, namespace);
    expect(secret?.enrollment).toMatchObject({ siteId: site, sync: { transport: "mqtt", site } });
    expect(secret?.statusToken.length).toBeGreaterThanOrEqual(16);
    // The agent runs as its own ServiceAccount, non-root, reading the Secret.
    const d = await kc
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ name: "nephoran-agent", namespace });
    expect(d.status?.readyReplicas).toBe(1);
    const pod = d.spec?.template.spec;
    expect(pod?.serviceAccountName).toBe("nephoran-agent");
    expect(pod?.securityContext?.runAsNonRoot).toBe(true);
    expect(pod?.containers[0]?.args).toContain("--enrollment=/etc/nephoran/enrollment/enrollment.json");
    expect(d.metadata?.labels?.["nephoran.io/site"]).toBe(site);
    // Least privilege: no wildcards, no secrets, no pods/exec; the CRD only by name.
    const role = await kc.makeApiClient(RbacAuthorizationV1Api).readClusterRole({ name: "nephoran-agent" });
    const rules = role.rules ?? [];
    expect(
      rules.flatMap((r) => [...(r.verbs ?? []), ...(r.resources ?? []), ...(r.apiGroups ?? [])]),
    ).not.toContain("*");
    expect(rules.flatMap((r) => r.resources ?? [])).not.toContain("secrets");
    expect(rules.find((r) => r.resources?.includes("customresourcedefinitions"))?.resourceNames).toEqual([
      "networkintents.nephoran.io",
    ]);
    const binding = await kc
      .makeApiClient(RbacAuthorizationV1Api)
      .readClusterRoleBinding({ name: "nephoran-agent" });
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "nephoran-agent", namespace }]);

    const second = await run(args);
    expect(second.code, second.stderr + second.stdout).toBe(0);
    expect(second.stdout).toContain("already enrolled");
    expect(second.stdout).toContain(`site ${site} was already bootstrapped: nothing changed`);
    expect(second.stdout).not.toMatch(/ (created|configured)$/m);

    // Validated afterwards: the cluster holds the agent, but the hub has not heard from it (its image does
    // not run here), so the site fails — and says why.
    const check = (ns: string) =>
      runValidate(
        ["--site", site, "--core-endpoint", hub.url, "--kubeconfig", kubeconfig as string, "--namespace", ns],
        ADMIN,
      );
    const v = await check(namespace);
    expect(v.code, v.stderr + v.stdout).toBe(1);
    expect(v.stdout).toContain(`cluster of ${site}: PASS`);
    expect(v.stdout).toMatch(new RegExp(`^${site}\\s+offline\\s.*FAIL: offline \\(last seen never\\)`, "m"));
    expect(v.stdout).toContain("0 passed, 1 failed");
    // Where the agent is not installed: what is missing, in words.
    const none = await check(`${namespace}-none`);
    expect(none.code).toBe(1);
    expect(none.stdout).toContain(
      `cluster of ${site}: FAIL: no ServiceAccount ${namespace}-none/nephoran-agent; no Deployment ${namespace}-none/nephoran-agent`,
    );
  });

  it("--dry-run changes nothing and spends nothing", async () => {
    const site = uniqueSite("dry");
    const namespace = `ns-${site}`;
    const t = await token(site);
    // With the hub's CA: it would travel into the pod as a ConfigMap that Node.js trusts.
    const certs = mkdtempSync(join(tmpdir(), "nephoran-certs-"));
    writeFileSync(join(certs, "ca.crt"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    const dry = await run([...siteArgs(site, t, namespace), "--certificates-path", certs, "--dry-run"]);
    expect(dry.code, dry.stderr + dry.stdout).toBe(0);
    expect(dry.stdout).toContain("would spend the token");
    expect(dry.stdout).toContain("configmap/nephoran-hub-ca created (dry run)");
    expect(dry.stdout).toMatch(/dry run: nothing was changed \(\d+ change\(s\) would be made\)/);
    await expect(kc.makeApiClient(CoreV1Api).readNamespace({ name: namespace })).rejects.toMatchObject({
      code: 404,
    });
    // The token still works.
    const e = await api(hub, "POST", "/v1/enroll", { token: t }, { authorization: "" });
    expect(e.status).toBe(201);
  });

  it("says what is wrong and what to fix", async () => {
    const site = uniqueSite("bad");
    const namespace = `ns-${site}`;
    const cases: [string[], RegExp, RegExp][] = [
      [["--hub", hub.url, "--token", "npe_xxxxxxxxxxxx"], /--site NAME is required/, /fix:/],
      [["--site", "Bad_Name", "--hub", hub.url], /not a valid site name/, /lower-case/],
      [["--site", site, "--hub", "ftp://x"], /--hub must be the hub's URL/, /fix:/],
      [["--site", site, "--hub", hub.url, "--labels", "novalue"], /"novalue" is not key=value/, /region=eu/],
      // A token spent or unknown: the hub's refusal, and how to get a new one.
      [
        ["--site", site, "--hub", hub.url, "--token", "npe_unknown_token_value", "--namespace", namespace],
        /hub refused the enrollment \(401\)/,
        /ask for a new one/,
      ],
      // Issued for another site.
      [
        [
          "--site",
          site,
          "--hub",
          hub.url,
          "--token",
          await token(`${site}-x`),
          "--namespace",
          `${namespace}-x`,
        ],
        /issued for site "[^"]+-x", not "[^"]+"/,
        /--site/,
      ],
      // No hub there.
      [
        [
          "--site",
          site,
          "--hub",
          "http://127.0.0.1:9",
          "--token",
          "npe_whatever_token",
          "--namespace",
          `${namespace}-y`,
        ],
        /cannot reach the hub/,
        /VPN/,
      ],
    ];
    for (const [args, what, fix] of cases) {
      const r = await run(args);
      expect(r.code, args.join(" ")).not.toBe(0);
      expect(r.stderr).toMatch(what);
      expect(r.stderr).toMatch(fix);
    }
    // An unreachable cluster.
    const dir = mkdtempSync(join(tmpdir(), "nephoran-kc-"));
    const bogus = join(dir, "kubeconfig");
    writeFileSync(
      bogus,
      "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:9'}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\nusers: [{name: u, user: {token: x}}]\n",
    );
    const r = await runBootstrap(["--site", site, "--hub", hub.url, "--token", "npe_whatever_token"], bogus);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/cannot reach the cluster/);
    expect(r.stderr).toMatch(/check --kubeconfig/);
  });
});
