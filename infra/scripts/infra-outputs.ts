// `npm run infra:outputs -- <env> [--from <file>] [--out <file>]`
// Runs `pulumi stack output --json --stack <env>` in infra/ (or reads a saved copy with --from) and writes
// clusters/config/<env>.outputs.json, the one place stack outputs reach the GitOps tree. Commit the file;
// `npm run synth` renders it into the service accounts and workload configuration.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { stackOutputsPath } from "../../clusters/config/stack-outputs.js";
import { toStackOutputs, writeStackOutputsFile } from "../stack-outputs.js";

const infraDir = join(dirname(fileURLToPath(import.meta.url)), "..");

function pulumiStackOutput(env: string): string {
  try {
    return execFileSync("pulumi", ["stack", "output", "--json", "--stack", env], { cwd: infraDir, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new Error("the pulumi CLI is not on PATH (install it, or pass --from <saved output>)");
    throw new Error(`pulumi stack output --stack ${env} failed: ${(err as Error).message}`);
  }
}

function main(argv: string[]): void {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { from: { type: "string" }, out: { type: "string" } } });
  const env = positionals[0];
  if (positionals.length !== 1 || env === undefined) throw new Error("usage: npm run infra:outputs -- <env> [--from <pulumi-output.json>] [--out <file>]");
  if (!/^[a-z][a-z0-9-]*$/.test(env) || !existsSync(join(infraDir, `Pulumi.${env}.yaml`))) throw new Error(`env ${JSON.stringify(env)}: no stack file infra/Pulumi.${env}.yaml`);
  const source = values.from ?? `pulumi stack output --json --stack ${env}`;
  const text = values.from ? readFileSync(values.from, "utf8") : pulumiStackOutput(env);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: not JSON (${(err as Error).message})`);
  }
  const outputs = toStackOutputs(raw, source);
  const path = values.out ?? stackOutputsPath(env);
  writeStackOutputsFile(path, outputs);
  process.stdout.write(`wrote ${path}\n`);
}

try {
  main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`infra:outputs: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
