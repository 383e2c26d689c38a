// `dmac convert`: NetCDF model output to an analysis-ready Zarr store (--out), or to a kerchunk
// reference document that reads the files where they lie (--references), with no Kubernetes at
// all; optionally behind quality control (--qc). Refused files never stop the others; the exit
// code says whether any was refused (2).
import { Command, Option, InvalidArgumentError } from "commander";
import cliProgress from "cli-progress";
import { resolve } from "node:path";
import {
  buildReferences, ingest, ingestOptionsFor, resolveInputs, writeReferences, type CodecName, type DatasetFields, type IngestJobFields, type IngestProgress,
  type IngestReport, type ReferenceReport, type SpecOptions,
} from "../../../dataplane/index.js";
import { runQcGate, summariseQc, type QcGateResult } from "./convert-qc.js";
import type { QcConfig } from "../../../dataplane/qc/index.js";

interface ConvertFlags {
  out?: string;
  references?: string;
  inlineThreshold?: number;
  qc?: string;
  aggregation: "append" | "model-run" | "best-forecast";
  concatDim?: string;
  codec?: CodecName;
  format?: "zarr-v2" | "zarr-v3";
  inputFormat?: "auto" | "netcdf3" | "netcdf4";
  variables?: string[];
  excludeVariables?: string[];
  model?: "roms" | "fvcom" | "selfe" | "rtofs" | "generic";
  featureType?: "grid" | "timeSeries";
  cycle?: string;
  runType?: "forecast" | "nowcast";
  level?: number;
  chunk: Record<string, number>;
  attr: Record<string, string>;
  concurrency?: number;
  json?: boolean;
  progress: boolean;
}

/** 0 is meaningful for all of them (no inlining, no compression, inline execution). */
function nonNegativeInt(name: string) {
  return (value: string): number => {
    // Digits only: Number() would take "", " ", "1e3" and "0x10" as numbers.
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
    return Number(value);
  };
}

function collectChunk(value: string, previous: Record<string, number>): Record<string, number> {
  const m = /^([A-Za-z_][\w.-]*)=(\d+)$/.exec(value);
  if (m === null || Number(m[2]) < 1) throw new InvalidArgumentError(`--chunk takes DIM=LENGTH (LENGTH >= 1), got ${value}`);
  return { ...previous, [m[1] ?? ""]: Number(m[2]) };
}

/** --variables a,b --variables c: NetCDF names, comma-separated or repeated. */
function collectNames(name: string) {
  return (value: string, previous: string[] | undefined): string[] => {
    const names = value.split(",").map((n) => n.trim()).filter((n) => n !== "");
    const bad = names.find((n) => !/^[A-Za-z_][A-Za-z0-9_.@+-]*$/.test(n));
    if (names.length === 0 || bad !== undefined) throw new InvalidArgumentError(`${name} takes variable names separated by commas, got ${JSON.stringify(value)}`);
    return [...(previous ?? []), ...names];
  };
}

function cycleTime(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) || !Number.isFinite(Date.parse(value)))
    throw new InvalidArgumentError(`--cycle takes an RFC 3339 date-time such as 2023-10-22T00:00:00Z, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * The flags spelled as the API's fields (Dataset and IngestJob spec), mapped by the same
 * ingestOptionsFor the operator uses: a flag and its field cannot mean two different things.
 */
export function convertOptions(flags: ConvertFlags): SpecOptions {
  const dataset: DatasetFields = {
    aggregation: { type: flags.aggregation, ...(flags.concatDim ? { concatDim: flags.concatDim } : {}), ...(flags.cycle ? { cycle: flags.cycle } : {}), ...(flags.runType ? { runType: flags.runType } : {}) },
    ...(flags.codec !== undefined ? { encoding: { codec: flags.codec, ...(flags.level !== undefined ? { level: flags.level } : {}) } } : {}),
    ...(Object.keys(flags.chunk).length > 0 ? { dimensions: Object.entries(flags.chunk).map(([name, chunk]) => ({ name, chunk })) } : {}),
    ...(flags.format !== undefined ? { storage: { format: flags.format } } : {}),
    ...(Object.keys(flags.attr).length > 0 ? { attributes: flags.attr } : {}),
    ...(flags.model !== undefined ? { model: flags.model } : {}),
    ...(flags.featureType !== undefined ? { featureType: flags.featureType } : {}),
  };
  const job: IngestJobFields = {
    ...(flags.variables !== undefined ? { variables: { include: flags.variables } } : flags.excludeVariables !== undefined ? { variables: { exclude: flags.excludeVariables } } : {}),
    ...(flags.inputFormat !== undefined ? { format: flags.inputFormat } : {}),
  };
  return ingestOptionsFor({ spec: dataset }, { spec: job });
}

function collectAttr(value: string, previous: Record<string, string>): Record<string, string> {
  const at = value.indexOf("=");
  if (at < 1) throw new InvalidArgumentError(`--attr takes NAME=VALUE, got ${value}`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

function humanBytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function summarise(report: IngestReport, extraRefusals: Array<{ input: string; reason: string }>, seconds: number): string {
  const count = (s: string): number => report.files.filter((f) => f.status === s).length;
  const refused = [...extraRefusals, ...report.files.filter((f) => f.status === "refused").map((f) => ({ input: f.input, reason: f.reason ?? "refused" }))];
  const lines = [
    `store:       ${report.store} (${report.aggregation})`,
    `files:       ${report.files.length + extraRefusals.length} given, ${count("ingested")} ingested, ${count("skipped")} skipped, ${refused.length} refused`,
    `time steps:  ${report.timeSteps} written${Object.keys(report.lengths).length > 0 ? `; ${Object.entries(report.lengths).map(([g, n]) => `${g === "" ? "store" : g} now ${n}`).join(", ")}` : ""}`,
    `bytes:       ${humanBytes(report.bytesWritten)} written in ${seconds.toFixed(1)} s`,
  ];
  for (const f of report.files.filter((x) => x.status === "skipped" && x.reason)) lines.push(`  skipped  ${f.reason}`);
  for (const r of refused) lines.push(`  REFUSED  ${r.reason}`);
  return lines.join("\n");
}

export function summariseReferences(output: string, report: ReferenceReport, extraRefusals: Array<{ input: string; reason: string }>, seconds: number): string {
  const count = (st: string): number => report.files.filter((f) => f.status === st).length;
  const refused = [...extraRefusals, ...report.files.filter((f) => f.status === "refused").map((f) => ({ input: f.input, reason: f.reason ?? "refused" }))];
  const lengths = Object.entries(report.lengths);
  const lines = [
    `references:  ${output} (${report.aggregation === "none" ? "one file, no time dimension" : report.aggregation})`,
    `files:       ${report.files.length + extraRefusals.length} given, ${count("referenced")} referenced, ${count("skipped")} skipped, ${refused.length} refused`,
    ...(lengths.length > 0 ? [`time steps:  ${lengths.map(([g, n]) => `${g === "" ? "dataset" : g} ${n}`).join(", ")}`] : []),
    `arrays:      ${report.arrays.referenced} referenced (${report.chunkReferences} chunk references), ${report.arrays.inlined} inlined; written in ${seconds.toFixed(1)} s`,
  ];
  for (const f of report.files.filter((x) => x.status === "skipped" && x.reason)) lines.push(`  skipped  ${f.reason}`);
  for (const r of refused) lines.push(`  REFUSED  ${r.reason}`);
  return lines.join("\n");
}

/** Options that shape written chunks, which a reference document (pointing at the sources' chunks) cannot honour. */
function copyOnlyOptions(flags: ConvertFlags): string[] {
  const given: string[] = [];
  if (flags.codec !== undefined) given.push("--codec");
  if (flags.level !== undefined) given.push("--level");
  if (flags.format !== undefined) given.push("--format");
  if (Object.keys(flags.chunk).length > 0) given.push("--chunk");
  if (flags.concurrency !== undefined) given.push("-j/--concurrency");
  if (flags.variables !== undefined) given.push("--variables");
  if (flags.excludeVariables !== undefined) given.push("--exclude-variables");
  if (flags.model !== undefined) given.push("--model");
  if (flags.inputFormat !== undefined) given.push("--input-format");
  if (flags.cycle !== undefined) given.push("--cycle");
  if (flags.runType !== undefined) given.push("--run-type");
  return given;
}

function checkTargets(flags: ConvertFlags): string | undefined {
  if ((flags.out === undefined) === (flags.references === undefined)) return "give exactly one of --out STORE (copy into Zarr) and --references FILE.json (no-copy references)";
  if (flags.variables !== undefined && flags.excludeVariables !== undefined) return "--variables and --exclude-variables are mutually exclusive (as an IngestJob's variables.include and exclude)";
  if (flags.aggregation !== "model-run" && (flags.cycle !== undefined || flags.runType !== undefined)) return "--cycle and --run-type apply only to --aggregation model-run";
  if (flags.featureType === "timeSeries" && flags.references !== undefined) return "--feature-type timeSeries: station observations are copied into a station store (--out), not referenced";
  if (flags.references !== undefined) {
    const copyOnly = copyOnlyOptions(flags);
    if (copyOnly.length > 0) return `${copyOnly.join(", ")}: not used with --references, which points at the chunks and variables as the source files store them`;
  } else if (flags.inlineThreshold !== undefined) return "--inline-threshold: only used with --references";
  return undefined;
}

export function registerConvert(program: Command): void {
  program
    .command("convert")
    .description("convert NetCDF model output (paths, globs, https:// or s3:// URLs) into a Zarr store, or reference it in place")
    .argument("<input...>", "NetCDF files: local paths, globs, https:// or s3:// URLs")
    .option("-o, --out <store>", "target Zarr store: a path, file:// or s3:// URL")
    .option("--references <file.json>", "write kerchunk (version 1) references instead of copying: a path, file:// or s3:// URL")
    .option("--inline-threshold <bytes>", "with --references: arrays up to this many bytes go into the document (default 500)", nonNegativeInt("--inline-threshold"))
    .option("--qc <config>", "quality control first: a YAML/JSON file shaped like an IngestJob's spec.qualityControl; reports go to <out>.qc/")
    .addOption(new Option("-a, --aggregation <type>", "how files combine").choices(["append", "model-run", "best-forecast"]).default("append"))
    .option("--concat-dim <dim>", "dimension to aggregate along (default: ocean_time, MT or time)")
    .addOption(new Option("--codec <codec>", "chunk compressor for a new store (default zlib; an existing store keeps its own)").choices(["zlib", "blosc-lz4", "zstd", "none"]))
    .addOption(new Option("--format <format>", "Zarr format of a new store (default zarr-v2; a Dataset's storage.format)").choices(["zarr-v2", "zarr-v3"]))
    .addOption(new Option("--input-format <format>", "what the inputs' magic bytes must say; a file that disagrees is refused (an IngestJob's format; default auto)").choices(["auto", "netcdf3", "netcdf4"]))
    .option("--variables <names>", "only these variables (comma-separated, repeatable), with the coordinates and grid variables they need (an IngestJob's variables.include)", collectNames("--variables"))
    .option("--exclude-variables <names>", "every variable but these (an IngestJob's variables.exclude)", collectNames("--exclude-variables"))
    .addOption(new Option("--feature-type <type>", "timeSeries: station observations (CF DSG timeSeries NetCDF or ERDDAP CSV) into a station x time store; --qc then sets the stored QARTOD flags (a Dataset's featureType; default grid)").choices(["grid", "timeSeries"]))
    .addOption(new Option("--model <family>", "model family: the grid variables a variable selection keeps (a Dataset's model)").choices(["roms", "fvcom", "selfe", "rtofs", "generic"]))
    .option("--cycle <time>", "model-run: the forecast cycle to keep (RFC 3339); files of other cycles are skipped (a Dataset's aggregation.cycle)", cycleTime)
    .addOption(new Option("--run-type <type>", "model-run: keep only forecast or only nowcast files (a Dataset's aggregation.runType)").choices(["forecast", "nowcast"]))
    .option("--level <n>", "compression level", nonNegativeInt("--level"))
    .option("--chunk <dim=len>", "chunk length along a dimension (repeatable)", collectChunk, {})
    .option("--attr <name=value>", "set a global attribute (repeatable)", collectAttr, {})
    .option("-j, --concurrency <n>", "worker threads for the copy (default 0: on this thread, two files at a time; reads and codecs run on libuv's thread pool either way)", nonNegativeInt("--concurrency"))
    .option("--json", "print the report as JSON")
    .option("--no-progress", "no progress bar")
    .action(async (inputs: string[], flags: ConvertFlags, command: Command) => {
      const problem = checkTargets(flags);
      if (problem !== undefined) command.error(`error: ${problem}`, { exitCode: 1 });
      const output = (flags.out ?? flags.references) as string;
      const started = performance.now();
      const resolved = await resolveInputs(inputs);
      const origin = (file: string): string => resolved.origins.get(file) ?? file;
      try {
        let files = resolved.files;
        let qc: QcGateResult | undefined;
        // Station observations are not gated file by file: the config's tests flag each stored value.
        if (flags.qc !== undefined && flags.featureType !== "timeSeries") {
          try {
            qc = await runQcGate(flags.qc, files, output, origin);
          } catch (err) {
            if ((err as Error).name !== "QcConfigError") throw err;
            process.stderr.write(`--qc: ${(err as Error).message}\n`);
            process.exitCode = 1;
            return;
          }
          files = qc.accepted;
        }
        const refusedBefore = [...resolved.failures, ...(qc?.refused ?? [])];
        const qcSummary = qc !== undefined && flags.qc !== undefined ? `\n${summariseQc(qc, flags.qc)}` : "";
        const qcJson = qc !== undefined ? { qc: { config: flags.qc, reports: qc.reports.map(({ input, decision, report }) => ({ input, decision, report })), unreadable: qc.unreadable } } : {};
        let anyRefused: boolean;
        if (flags.references !== undefined) {
          const { document, report } = await buildReferences({
            inputs: files.map((path) => ({ path, url: resolved.origins.get(path) ?? resolve(path) })),
            aggregation: { type: flags.aggregation, ...(flags.concatDim ? { concatDim: flags.concatDim } : {}) },
            ...(flags.inlineThreshold !== undefined ? { inlineThreshold: flags.inlineThreshold } : {}),
            ...(Object.keys(flags.attr).length > 0 ? { attributes: flags.attr } : {}),
          });
          // Nothing referenced: leave any earlier document as it was rather than write an empty one.
          if (document !== undefined) await writeReferences(flags.references, document);
          const seconds = (performance.now() - started) / 1000;
          if (flags.json) process.stdout.write(`${JSON.stringify({ references: flags.references, written: document !== undefined, ...report, unresolved: resolved.failures, ...qcJson }, null, 2)}\n`);
          else process.stdout.write(`${summariseReferences(flags.references, report, refusedBefore, seconds)}${qcSummary}\n`);
          anyRefused = report.files.some((f) => f.status === "refused");
        } else {
          let qualityControl: QcConfig | undefined;
          if (flags.qc !== undefined && flags.featureType === "timeSeries") {
            try {
              // Loaded on use, as convert-qc.ts loads QC: its tables cost start-up time otherwise.
              const { loadQcConfig } = await import("../../../dataplane/qc/index.js");
              qualityControl = await loadQcConfig(flags.qc);
            } catch (err) {
              if ((err as Error).name !== "QcConfigError") throw err;
              process.stderr.write(`--qc: ${(err as Error).message}\n`);
              process.exitCode = 1;
              return;
            }
          }
          const report = await convertToZarr(flags, output, files, resolved.origins, qualityControl);
          const seconds = (performance.now() - started) / 1000;
          if (flags.json) process.stdout.write(`${JSON.stringify({ ...report, unresolved: resolved.failures, ...qcJson }, null, 2)}\n`);
          else process.stdout.write(`${summarise(report, refusedBefore, seconds)}${qcSummary}\n`);
          anyRefused = report.files.some((f) => f.status === "refused");
        }
        process.exitCode = anyRefused || refusedBefore.length > 0 ? 2 : 0;
      } finally {
        await resolved.cleanup();
      }
    });
}

async function convertToZarr(flags: ConvertFlags, store: string, files: string[], origins: Map<string, string>, qualityControl?: QcConfig): Promise<IngestReport> {
  const bar = flags.progress && process.stderr.isTTY ? new cliProgress.SingleBar({ format: "{phase} [{bar}] {value}/{total} {detail}", hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
  let phase = "";
  const onProgress = (p: IngestProgress): void => {
    if (bar === undefined) return;
    // Overview levels are written inside each commit (docs/dataplane.md): shown on the write bar.
    if (p.phase === "overview") {
      if (phase === "") return;
      bar.update({ detail: `overview levels ${p.done}/${p.total}` });
      return;
    }
    if (p.phase !== phase && p.phase !== "commit") {
      if (phase !== "") bar.stop();
      phase = p.phase;
      bar.start("total" in p ? p.total : 0, 0, { phase, detail: "" });
    }
    if (p.phase === "inspect") bar.update(p.done + 1, { phase, detail: p.file.split("/").pop() });
    if (p.phase === "write") bar.update(p.done, { phase, detail: humanBytes(p.bytesWritten) });
  };
  try {
    const report = await ingest({
      ...convertOptions(flags),
      store,
      inputs: files,
      ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
      ...(qualityControl !== undefined ? { qualityControl } : {}),
      onProgress,
    });
    // Reports name the URL a file came from, not its temporary copy.
    for (const f of report.files) {
      const origin = origins.get(f.input);
      if (origin !== undefined) {
        if (f.reason) f.reason = f.reason.split(f.input).join(origin);
        f.input = origin;
      }
    }
    return report;
  } finally {
    bar?.stop();
  }
}
