// `npm run synth`: renders every generated file and writes what changed.
// `npm run synth -- --check`: renders in memory and exits 1 with a diff naming each stale file.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generatedRoots, renderAll } from "./render.js";
import { applyTree, compareTree, formatDifferences } from "./tree.js";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== "--check");
if (unknown.length > 0) {
  console.error(`synth: unknown argument ${unknown.join(" ")} (usage: npm run synth [-- --check])`);
  process.exit(2);
}

const files = renderAll();
const diffs = compareTree(repoRoot, files, generatedRoots());
if (args.includes("--check")) {
  if (diffs.length > 0) {
    console.error(formatDifferences(diffs));
    console.error(`\nsynth --check: ${diffs.length} generated file(s) differ from the committed tree. Run \`npm run synth\` and commit the result.`);
    process.exit(1);
  }
  console.log(`synth --check: ${files.length} generated files up to date`);
} else {
  applyTree(repoRoot, files, diffs);
  console.log(`synth: ${files.length} files rendered, ${diffs.length} updated`);
  for (const d of diffs) console.log(`  ${d.kind}: ${d.path}`);
}
