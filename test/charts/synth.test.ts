// `npm run synth` and `--check`: deterministic output, the committed tree up to date, and a
// readable failure naming each file when a chart changed without re-rendering.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { sampleDomains } from "../../crds/samples.js";
import { environment } from "../../clusters/environments.js";
import { domainsFor, generatedRoots, renderAll, renderEnvironment } from "../../clusters/render.js";
import { applyTree, compareTree, formatDifferences } from "../../clusters/tree.js";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const run = promisify(execFile);
const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});
function tempTree(): string {
  const dir = mkdtempSync(join(tmpdir(), "dmac-synth-"));
  temps.push(dir);
  return dir;
}

describe("synth", () => {
  it("renders the same bytes twice", () => {
    expect(renderAll()).toEqual(renderAll());
  });

  it("matches the committed tree", () => {
    const diffs = compareTree(repoRoot, renderAll(), generatedRoots());
    expect(formatDifferences(diffs)).toBe("");
  });

  it("names the file and shows the diff when a chart input changed without re-rendering", () => {
    const prod = environment("prod");
    const changed = { ...prod, workloads: { ...prod.workloads, operator: { ...prod.workloads.operator, replicas: prod.workloads.operator.replicas + 3 } } };
    const files = renderEnvironment({ env: changed, outputs: undefined, domains: domainsFor(prod, sampleDomains("prod")) });
    const diffs = compareTree(repoRoot, files, []);
    expect(diffs.map((d) => `${d.kind} ${d.path}`)).toEqual(["changed clusters/prod/components/operator/manifests.yaml"]);
    const report = formatDifferences(diffs);
    expect(report).toContain("changed: clusters/prod/components/operator/manifests.yaml");
    expect(report).toContain(`\n-  replicas: ${prod.workloads.operator.replicas}\n`);
    expect(report).toContain(`\n+  replicas: ${prod.workloads.operator.replicas + 3}\n`);
  });

  it("reports changed, missing and stale files and repairs them", () => {
    const root = tempTree();
    const files = renderAll();
    applyTree(root, files, compareTree(root, files, generatedRoots()));
    expect(compareTree(root, files, generatedRoots())).toEqual([]);

    const edited = "clusters/dev/components/data-api/manifests.yaml";
    const deleted = "clusters/local/domains/maracoos/namespace.yaml";
    const stale = "clusters/dev/domains/retired/namespace.yaml";
    writeFileSync(join(root, edited), `${readFileSync(join(root, edited), "utf8")}# edited by hand\n`);
    rmSync(join(root, deleted));
    applyTree(root, [{ path: stale, text: "kind: Namespace\n" }], [{ kind: "missing", path: stale }]);

    const diffs = compareTree(root, files, generatedRoots());
    expect(diffs.map((d) => `${d.kind} ${d.path}`)).toEqual([`changed ${edited}`, `missing ${deleted}`, `stale ${stale}`].sort((a, b) => a.split(" ")[1]!.localeCompare(b.split(" ")[1]!)));
    applyTree(root, files, diffs);
    expect(compareTree(root, files, generatedRoots())).toEqual([]);
  });

  it("--check exits non-zero and names the stale file; without --check it repairs the tree", async () => {
    const root = tempTree();
    const files = renderAll();
    applyTree(root, files, compareTree(root, files, generatedRoots()));
    const target = "clusters/prod/components/operator/manifests.yaml";
    writeFileSync(join(root, target), `${readFileSync(join(root, target), "utf8")}# edited by hand\n`);

    const synth = ["--import", "tsx", join(repoRoot, "clusters/synth.ts")];
    const failed = await run(process.execPath, [...synth, "--check", `--root=${root}`], { cwd: repoRoot }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain(`changed: ${target}`);
    expect(failed?.stderr).toMatch(/^-# edited by hand$/m);

    await run(process.execPath, [...synth, `--root=${root}`], { cwd: repoRoot });
    const ok = await run(process.execPath, [...synth, "--check", `--root=${root}`], { cwd: repoRoot });
    expect(ok.stdout).toContain("up to date");
  });
});
