/**
 * CycloneDX 1.6 SBOMs of what each image carries, and a licence report of the same packages.
 * - hub: the hub's production dependencies and the shared package's (the image runs `pnpm deploy --prod`).
 * - agent: what the edge bundle bundles (the agent's build-time dependencies, the shared package's) and what
 *   it loads from disk (its production dependencies), type packages aside.
 * Packages are those installed here: an image for another architecture carries that platform's native
 * packages instead, so its SBOM is made on that architecture (as its image is built there).
 * Each SBOM is checked against the CycloneDX schema before it is written. Writes DIR/hub.cdx.json,
 * DIR/agent.cdx.json and DIR/licenses.md. Usage: pnpm sbom [--out DIR (.sbom)]
 * Last line: one JSON object (components per image, packages per licence, licences to look at).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Contrib, Enums, Models, Serialize, Spec, Validation } from "@cyclonedx/cyclonedx-library";
import { PackageURL } from "packageurl-js";
import parseSpdx from "spdx-expression-parse";

const { values } = parseArgs({ options: { out: { type: "string", default: ".sbom" } } });
const root = resolve(import.meta.dirname, "..");
const out = resolve(values.out as string);

interface Node {
  readonly version: string;
  readonly path: string;
  readonly dependencies?: Record<string, Node>;
}
interface WorkspacePackage {
  readonly name: string;
  readonly version: string;
  readonly path: string;
  readonly dependencies?: Record<string, Node>;
  readonly devDependencies?: Record<string, Node>;
}

const workspace = JSON.parse(
  execFileSync("pnpm", ["list", "-r", "--json", "--depth", "Infinity"], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024,
  }),
) as WorkspacePackage[];
const pkg = (name: string): WorkspacePackage => {
  const p = workspace.find((w) => w.name === name);
  if (!p) throw new Error(`${name} is not in the workspace`);
  return p;
};

interface Found {
  readonly name: string;
  readonly version: string;
  readonly path: string;
}

/**
 * What each package depends on, by name and version: pnpm prints a package's dependencies once in the
 * workspace's tree and elsewhere only names it, so they are gathered from wherever they were printed.
 */
const dependenciesOf = new Map<string, Record<string, Node>>();
function index(deps: Record<string, Node> = {}): void {
  for (const [name, n] of Object.entries(deps)) {
    const key = `${name}@${n.version}`;
    if (!n.dependencies || dependenciesOf.has(key)) continue;
    dependenciesOf.set(key, n.dependencies);
    index(n.dependencies);
  }
}
for (const w of workspace) {
  index(w.dependencies);
  index(w.devDependencies);
}

/** Every package reached from `roots`, once per name and version; a workspace package by its own production dependencies. */
function collect(roots: Record<string, Node>, into = new Map<string, Found>()): Map<string, Found> {
  for (const [name, n] of Object.entries(roots)) {
    if (name.startsWith("@types/")) continue;
    if (n.version.startsWith("link:")) {
      collect(pkg(name).dependencies ?? {}, into);
      continue;
    }
    const key = `${name}@${n.version}`;
    // An optional package for another platform is not installed, and not in this platform's image.
    if (into.has(key) || !existsSync(n.path)) continue;
    into.set(key, { name, version: n.version, path: n.path });
    collect(n.dependencies ?? dependenciesOf.get(key) ?? {}, into);
  }
  return into;
}

const hub = pkg("@nephoran/hub");
const agent = pkg("@nephoran/agent");
const images = {
  hub: { of: hub, packages: collect(hub.dependencies ?? {}) },
  agent: {
    of: agent,
    packages: collect({ ...(agent.devDependencies ?? {}), ...(agent.dependencies ?? {}) }),
  },
};

/** A package's declared licence as an SPDX expression where it is one, else its words; UNKNOWN when it has none. */
function licenceOf(path: string): string {
  const file = join(path, "package.json");
  if (!existsSync(file)) return "UNKNOWN";
  const json = JSON.parse(readFileSync(file, "utf8")) as {
    license?: string | { type?: string };
    licenses?: { type?: string }[];
  };
  const l = json.license ?? json.licenses;
  if (typeof l === "string") return l;
  if (Array.isArray(l))
    return (
      l
        .map((x) => x.type)
        .filter(Boolean)
        .join(" OR ") || "UNKNOWN"
    );
  return l?.type ?? "UNKNOWN";
}

const isSpdx = (expression: string): boolean => {
  try {
    parseSpdx(expression);
    return true;
  } catch {
    return false;
  }
};
const licences = new Contrib.License.Factories.LicenseFactory((e: string) => {
  if (!isSpdx(e)) throw new RangeError(`not an SPDX expression: ${e}`);
});
const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);

mkdirSync(out, { recursive: true });
const summary: Record<string, number> = {};
const byLicence = new Map<string, Set<string>>();
for (const [image, { of, packages }] of Object.entries(images)) {
  const bom = new Models.Bom();
  bom.metadata.component = new Models.Component(Enums.ComponentType.Application, `nephoran-${image}`, {
    version: of.version,
  });
  for (const p of [...packages.values()].sort((a, b) =>
    `${a.name}@${a.version}` < `${b.name}@${b.version}` ? -1 : 1,
  )) {
    const [group, name] = p.name.startsWith("@")
      ? (p.name.split("/") as [string, string])
      : [undefined, p.name];
    const licence = licenceOf(p.path);
    const set = byLicence.get(licence) ?? new Set();
    byLicence.set(licence, set.add(`${p.name}@${p.version}`));
    const purl = new PackageURL("npm", group ?? null, name, p.version, null, null).toString();
    const component = new Models.Component(Enums.ComponentType.Library, name, {
      ...(group ? { group } : {}),
      version: p.version,
      purl,
      bomRef: purl,
      licenses:
        licence === "UNKNOWN"
          ? new Models.LicenseRepository()
          : new Models.LicenseRepository([licences.makeFromString(licence)]),
    });
    bom.components.add(component);
  }
  const json = serializer.serialize(bom, { sortLists: true, space: 2 });
  const invalid = await validator.validate(json);
  if (invalid)
    throw new Error(`the ${image} SBOM breaks the CycloneDX 1.6 schema: ${JSON.stringify(invalid)}`);
  writeFileSync(join(out, `${image}.cdx.json`), `${json}\n`);
  summary[image] = packages.size;
  console.error(
    `${image}: ${packages.size} packages → ${join(out, `${image}.cdx.json`)} (CycloneDX 1.6, valid)`,
  );
}

/** Licences a distributor reads before shipping: copyleft, or none declared. */
const toReview = [...byLicence.keys()].filter((l) => /GPL|SSPL|EUPL|CDDL|MPL|UNKNOWN|SEE LICENSE/i.test(l));
const rows = [...byLicence].sort((a, b) => b[1].size - a[1].size);
writeFileSync(
  join(out, "licenses.md"),
  [
    "# Licences of the production dependencies (hub and agent images)",
    "",
    "| licence | packages | review |",
    "| --- | ---: | --- |",
    ...rows.map(([l, ps]) => `| ${l} | ${ps.size} | ${toReview.includes(l) ? "yes" : ""} |`),
    "",
    ...toReview.flatMap((l) => [
      `## ${l}`,
      "",
      ...[...(byLicence.get(l) ?? [])].sort().map((p) => `- ${p}`),
      "",
    ]),
  ].join("\n"),
);
console.error(
  `licences: ${byLicence.size} kinds → ${join(out, "licenses.md")}; to review: ${toReview.join(", ") || "none"}`,
);
console.log(
  JSON.stringify({
    sbom: "cyclonedx-1.6",
    components: summary,
    licences: Object.fromEntries(rows.map(([l, ps]) => [l, ps.size])),
    review: Object.fromEntries(toReview.map((l) => [l, [...(byLicence.get(l) ?? [])].sort()])),
  }),
);
