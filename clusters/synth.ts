// `npm run synth`: renders every generated file and writes what changed.
// `npm run synth -- --check`: renders in memory and exits 1 with a diff naming each stale file.
// `--root=DIR` compares with / writes to another checkout (tests use a temporary copy).
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generatedRoots, renderAll } from "./render.js";
import { applyTree, compareTree, formatDifferences } from "./tree.js";

const usage = "usage: npm run synth [-- --check] [--root=DIR]";
let root = join(dirname(fileURLToPath(import.meta.url)), "..");
let check = false;
for (const arg of process.argv.slice(2)) {
  if (arg === "--check") check = true;
  else if (arg.startsWith("--root=") && arg.length > "--root=".length) root = resolve(arg.slice("--root=".length));
  else {
    console.error(`synth: unknown argument "${arg}" (${usage})`);
    process.exit(2);
  }
}

const files = renderAll();
const diffs = compareTree(root, files, generatedRoots());
if (check) {
  if (diffs.length > 0) {
    console.error(formatDifferences(diffs));
    console.error(`\nsynth --check: ${diffs.length} generated file(s) differ from the committed tree. Run \`npm run synth\` and commit the result.`);
    process.exit(1);
  }
  console.log(`synth --check: ${files.length} generated files up to date`);
} else {
  applyTree(root, files, diffs);
  console.log(`synth: ${files.length} files rendered, ${diffs.length} updated`);
  for (const d of diffs) console.log(`  ${d.kind}: ${d.path}`);
}
