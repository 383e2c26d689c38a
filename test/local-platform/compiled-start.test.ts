// `npm start` runs compiled JavaScript without a stale-dist trap (issue #22): bin/dmac.js compiles
// on first start, recompiles when any source changed since (the fingerprint in
// dist/.build-stamp.json), and refuses to run the old dist/ when the new sources do not compile.
// Exercised on a tiny checkout of the same layout (the real bin/ files, a two-line CLI) so that
// each compile takes a second, not the whole repository's 20-30.
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const repo = join(import.meta.dirname, "..", "..");

describe("bin/dmac.js and dist/", () => {
  const dir = mkdtempSync(join(tmpdir(), "dmac-dist-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, "bin"));
  mkdirSync(join(dir, "apps", "cli"), { recursive: true });
  for (const f of ["dmac.js", "build.mjs"]) copyFileSync(join(repo, "bin", f), join(dir, "bin", f));
  symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(join(dir, "package-lock.json"), "{}");
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, outDir: "dist", rootDir: ".", types: [] }, include: ["apps"] }));
  const cli = (text: string) => writeFileSync(join(dir, "apps", "cli", "main.ts"), text);
  const dmac = () => run(process.execPath, [join(dir, "bin", "dmac.js")], { cwd: dir, env: { ...process.env, DMAC_FROM_SOURCE: "" } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

  it("compiles on first start, reuses a current build, recompiles after a change, refuses to run an old build", async () => {
    cli(`const version: string = "one";\nconsole.log(version);\n`);
    const first = await dmac();
    expect(first).toMatchObject({ code: 0, stdout: "one\n" });
    expect(first.stderr).toMatch(/compiling to dist\/ \(first start/);

    const again = await dmac();
    expect(again).toMatchObject({ code: 0, stdout: "one\n", stderr: "" });

    cli(`const version: string = "two";\nconsole.log(version);\n`);
    const changed = await dmac();
    expect(changed).toMatchObject({ code: 0, stdout: "two\n" });
    expect(changed.stderr).toMatch(/the sources changed since the last build/);

    cli(`const version: number = "three";\nconsole.log(version);\n`);
    const broken = await dmac();
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe("");
    expect(broken.stderr).toMatch(/TS2322[\s\S]*not running the old dist\//);
  }, 120_000);
});
