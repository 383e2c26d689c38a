// The conda environment Nebari offers DMAC users: notebooks/environment.yml, read and checked here
// (every package pinned to one version) so nebari-config.ts can put it into nebari-config.yaml.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export interface CondaEnvironment {
  readonly name: string;
  readonly channels: readonly string[];
  readonly dependencies: readonly string[];
}

export const environmentFile = fileURLToPath(new URL("../notebooks/environment.yml", import.meta.url));
/** The file name the environment has in nebari-config.yaml's `environments` (conda-store shows it by `name`). */
export const nebariEnvironmentKey = "environment-dmac.yaml";

/** `name=1.2.3` (or `==`): one exact version, no ranges, wildcards or build strings left open. */
const pinned = /^[A-Za-z0-9][A-Za-z0-9_.-]*==?[0-9][A-Za-z0-9.+_-]*$/;

/** Problems of an environment document, each naming the field (empty when it is fine). */
export function checkEnvironment(doc: unknown, where = "environment"): string[] {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return [`${where}: must be a mapping with name, channels and dependencies`];
  const o = doc as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof o.name !== "string" || !/^[a-z][a-z0-9-]*$/.test(o.name)) problems.push(`${where}.name must be a lower-case name`);
  if (!Array.isArray(o.channels) || o.channels.length === 0 || !o.channels.every((c) => typeof c === "string")) problems.push(`${where}.channels must be a non-empty list of channel names`);
  if (!Array.isArray(o.dependencies) || o.dependencies.length === 0) problems.push(`${where}.dependencies must be a non-empty list`);
  else
    o.dependencies.forEach((d, i) => {
      if (typeof d !== "string") problems.push(`${where}.dependencies[${i}] must be a package spec (a pip: section is not allowed: conda-store pins conda packages only here)`);
      else if (!pinned.test(d)) problems.push(`${where}.dependencies[${i}] ${JSON.stringify(d)} is not pinned to one version (name=version)`);
    });
  for (const key of Object.keys(o)) if (!["name", "channels", "dependencies"].includes(key)) problems.push(`${where}: unknown key ${key}`);
  return problems;
}

export function loadEnvironment(path = environmentFile): CondaEnvironment {
  const doc = parse(readFileSync(path, "utf8")) as unknown;
  const problems = checkEnvironment(doc, path);
  if (problems.length > 0) throw new Error(problems.join("; "));
  return doc as CondaEnvironment;
}

/** The package names (without versions), to check what the environment offers. */
export function packageNames(env: CondaEnvironment): string[] {
  return env.dependencies.map((d) => d.split("=")[0] as string);
}

export const notebooksDir = join(fileURLToPath(new URL("..", import.meta.url)), "notebooks");
