// docs/operations.md must match the program: every config key it names exists in the stack files, every
// npm script and stack it runs exists, every infra/ file it points to exists.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { configKeys } from "./config.js";
import { infraDir } from "./test/harness.js";

const repoRoot = join(infraDir, "..");
const runbook = readFileSync(join(repoRoot, "docs", "operations.md"), "utf8");
const stacks = ["dev", "prod"];
const stackFiles = Object.fromEntries(
  stacks.map((s) => [s, (parse(readFileSync(join(infraDir, `Pulumi.${s}.yaml`), "utf8")) as { config: Record<string, unknown> }).config]),
);

/** `dmac:key`, `dmac:key.field`, `dmac:key[0]`, and fields named right after a key: `dmac:key` `field` or (`a`, `b`). */
function namedKeys(text: string): { key: string; fields: string[] }[] {
  const out: { key: string; fields: string[] }[] = [];
  const re = /dmac:([A-Za-z]\w*)((?:\.\w+|\[\d+\])*)`?((?: \(`\w+`(?:, `\w+`)*(?: or `\w+`)?\))| `\w+`)?/g;
  for (const m of text.matchAll(re)) {
    const fields = [...(m[2] ?? "").matchAll(/\.(\w+)/g), ...(m[3] ?? "").matchAll(/`(\w+)`/g)].map((f) => f[1]!);
    out.push({ key: m[1]!, fields });
  }
  return out;
}

describe("docs/operations.md", () => {
  const named = namedKeys(runbook);

  it("names config keys (sanity: the extractor finds them)", () => {
    expect(named.length).toBeGreaterThan(20);
    expect(new Set(named.map((n) => n.key))).toEqual(new Set(configKeys));
  });

  it.each(stacks)("names only keys that Pulumi.%s.yaml sets", (stack) => {
    const config = stackFiles[stack]!;
    for (const { key } of named) expect(config, `dmac:${key}`).toHaveProperty([`dmac:${key}`]);
    expect(config).toHaveProperty(["aws:region"]);
  });

  it("names only fields that a stack file sets under their key", () => {
    for (const { key, fields } of named) {
      for (const field of fields) {
        // Values such as `single`/`perAz` or `password` are documented beside keys too; they must be
        // values of that key in some stack, or a field of it.
        const known = stacks.some((s) => {
          const v = stackFiles[s]![`dmac:${key}`];
          return (typeof v === "object" && v !== null && field in v) || v === field || (typeof v === "object" && v !== null && Object.values(v).includes(field));
        });
        expect(known, `dmac:${key} ${field}`).toBe(true);
      }
    }
  });

  it("runs only npm scripts that exist and stacks that have a stack file", () => {
    const scripts = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    const used = [...runbook.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!);
    expect(used).toContain("infra:outputs");
    for (const script of used) expect(scripts, script).toHaveProperty([script]);
    for (const m of runbook.matchAll(/--stack (\w[\w-]*)/g)) expect(stacks, `--stack ${m[1]}`).toContain(m[1]);
  });

  it("points only to infra/ and clusters/ files that exist", () => {
    const paths = [...runbook.matchAll(/`((?:infra|clusters)\/[\w./-]+\.(?:ts|yaml))`/g)].map((m) => m[1]!).filter((p) => !p.includes("<") && !p.includes("staging"));
    expect(paths.length).toBeGreaterThan(3);
    for (const p of paths) expect(existsSync(join(repoRoot, p)), p).toBe(true);
    for (const m of runbook.matchAll(/\| `(\w[\w-]*\.ts)`(?:, `(\w[\w-]*\.ts)`)? \|/g)) {
      for (const file of [m[1], m[2]].filter((f): f is string => f !== undefined)) expect(existsSync(join(infraDir, file)), `infra/${file}`).toBe(true);
    }
  });
});
