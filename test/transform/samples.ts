// The sample CBOFS files (samples/data/cbofs) by cycle, ingested into a best-forecast store the
// way the local platform's sample Dataset does; and the xarray check of a derived store.
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { ingest, ingestOptionsFor, parseNoddKey } from "../../dataplane/index.js";
import { sampleDomains } from "../../crds/samples.js";
import type { Dataset, IngestJob } from "../../crds/index.js";

const root = fileURLToPath(new URL("../../samples/data/cbofs", import.meta.url));

/** A ROMS Dataset on the operator stack's file storage (`file:///<name>.zarr`), catalogue off. */
export function romsDataset(namespace: string, name: string, type: "best-forecast" | "append"): Dataset {
  return {
    apiVersion: "dmac.ioos.us/v1alpha1",
    kind: "Dataset",
    metadata: { name, namespace },
    spec: { storage: { url: `file:///${name}.zarr`, format: "zarr-v2" }, model: "roms", aggregation: { type, concatDim: "ocean_time" }, encoding: { codec: "zlib", level: 1 }, catalog: { enabled: false }, deletionPolicy: "Retain" },
  };
}

/** Sample files grouped by cycle, oldest first; each cycle's files by lead. */
export function sampleCycles(): { cycleMs: number; files: string[] }[] {
  const files = readdirSync(root, { recursive: true }).map(String).filter((f) => f.endsWith(".nc")).map((f) => join(root, f));
  const byCycle = new Map<number, string[]>();
  for (const f of files) {
    const key = parseNoddKey(f);
    if (key === undefined || key.kind !== "forecast") continue;
    byCycle.set(key.cycleMs, [...(byCycle.get(key.cycleMs) ?? []), f]);
  }
  return [...byCycle.entries()].sort((a, b) => a[0] - b[0]).map(([cycleMs, fs]) => ({ cycleMs, files: fs.sort() }));
}

/** The valid time (epoch ms) of a sample file, from its name. */
export function validTimeOf(file: string): number {
  const key = parseNoddKey(file);
  if (key === undefined) throw new Error(`${file}: not a NODD name`);
  return key.cycleMs + key.hour * 3_600_000;
}

function sampleSpecs(): { dataset: Dataset; job: IngestJob } {
  const objects = sampleDomains("local").flatMap((d) => d.objects);
  const dataset = objects.find((o): o is Dataset => o.kind === "Dataset" && o.metadata.name === "cbofs-best-forecast");
  const job = objects.find((o): o is IngestJob => o.kind === "IngestJob" && o.metadata.name === "cbofs-forecast");
  if (dataset === undefined || job === undefined) throw new Error("the CBOFS samples changed name");
  return { dataset, job };
}

/** Ingests files into the best-forecast store as the sample Dataset and IngestJob say. */
export async function ingestSample(store: string, files: string[]): Promise<void> {
  const { dataset, job } = sampleSpecs();
  const report = await ingest({ store, inputs: files, ...ingestOptionsFor(dataset, job), concurrency: 0 });
  const refused = report.files.filter((f) => f.status === "refused");
  if (refused.length > 0) throw new Error(`sample ingest refused: ${refused.map((f) => f.reason).join("; ")}`);
}

const script = fileURLToPath(new URL("./derive_check.py", import.meta.url));

export interface DeriveCheck {
  ok: boolean;
  detail: string;
  times: string[];
  complete: number[];
  cell_methods: string;
  source: string;
}

/** xarray's resample of the source against the derived store (derive_check.py). */
export async function checkWithXarray(spec: { source: string; derived: string; variable: string; period: string; statistic: string; isel?: Record<string, number>; offset?: string }): Promise<DeriveCheck> {
  const { stdout } = await promisify(execFile)("/usr/bin/python3", [script, JSON.stringify(spec)], { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as DeriveCheck;
}

const sameScript = fileURLToPath(new URL("./same_values.py", import.meta.url));

/** Whether the derived store's variables equal the source's (xarray, decoded), and their chunks. */
export async function sameAsSource(source: string, derived: string, variables: string[]): Promise<{ detail: string; chunks: Record<string, number[]> }> {
  const { stdout } = await promisify(execFile)("/usr/bin/python3", [sameScript, JSON.stringify({ source, derived, variables })], { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as { detail: string; chunks: Record<string, number[]> };
}
