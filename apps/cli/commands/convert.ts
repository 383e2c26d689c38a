// `dmac convert`: NetCDF model output to an analysis-ready Zarr store, with no Kubernetes at all.
// Refused files never stop the others; the exit code says whether any was refused (2).
import { Command, Option, InvalidArgumentError } from "commander";
import cliProgress from "cli-progress";
import { ingest, resolveInputs, type CodecName, type IngestProgress, type IngestReport } from "../../../dataplane/index.js";

interface ConvertFlags {
  out: string;
  aggregation: "append" | "model-run" | "best-forecast";
  concatDim?: string;
  codec?: CodecName;
  format?: "zarr-v2" | "zarr-v3";
  level?: number;
  chunk: Record<string, number>;
  attr: Record<string, string>;
  concurrency?: number;
  json?: boolean;
  progress: boolean;
}

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
    return n;
  };
}

function collectChunk(value: string, previous: Record<string, number>): Record<string, number> {
  const m = /^([A-Za-z_][\w.-]*)=(\d+)$/.exec(value);
  if (m === null || Number(m[2]) < 1) throw new InvalidArgumentError(`--chunk takes DIM=LENGTH (LENGTH >= 1), got ${value}`);
  return { ...previous, [m[1] ?? ""]: Number(m[2]) };
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
    `time steps:  ${report.timeSteps} written; ${Object.entries(report.lengths).map(([g, n]) => `${g === "" ? "store" : g} now ${n}`).join(", ")}`,
    `bytes:       ${humanBytes(report.bytesWritten)} written in ${seconds.toFixed(1)} s`,
  ];
  for (const f of report.files.filter((x) => x.status === "skipped" && x.reason)) lines.push(`  skipped  ${f.reason}`);
  for (const r of refused) lines.push(`  REFUSED  ${r.reason}`);
  return lines.join("\n");
}

export function registerConvert(program: Command): void {
  program
    .command("convert")
    .description("convert NetCDF model output (paths, globs, https:// or s3:// URLs) into a Zarr store")
    .argument("<input...>", "NetCDF files: local paths, globs, https:// or s3:// URLs")
    .requiredOption("-o, --out <store>", "target Zarr store: a path, file:// or s3:// URL")
    .addOption(new Option("-a, --aggregation <type>", "how files combine").choices(["append", "model-run", "best-forecast"]).default("append"))
    .option("--concat-dim <dim>", "dimension to aggregate along (default: ocean_time, MT or time)")
    .addOption(new Option("--codec <codec>", "chunk compressor for a new store (default zlib; an existing store keeps its own)").choices(["zlib", "blosc-lz4", "zstd", "none"]))
    .addOption(new Option("--format <format>", "Zarr format of a new store (default zarr-v2)").choices(["zarr-v2", "zarr-v3"]))
    .option("--level <n>", "compression level", positiveInt("--level"))
    .option("--chunk <dim=len>", "chunk length along a dimension (repeatable)", collectChunk, {})
    .option("--attr <name=value>", "set a global attribute (repeatable)", collectAttr, {})
    .option("-j, --concurrency <n>", "worker threads (default: all cores)", positiveInt("--concurrency"))
    .option("--json", "print the report as JSON")
    .option("--no-progress", "no progress bar")
    .action(async (inputs: string[], flags: ConvertFlags) => {
      const started = performance.now();
      const resolved = await resolveInputs(inputs);
      const bar = flags.progress && process.stderr.isTTY ? new cliProgress.SingleBar({ format: "{phase} [{bar}] {value}/{total} {detail}", hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
      let phase = "";
      const onProgress = (p: IngestProgress): void => {
        if (bar === undefined) return;
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
          store: flags.out,
          inputs: resolved.files,
          aggregation: { type: flags.aggregation, ...(flags.concatDim ? { concatDim: flags.concatDim } : {}) },
          ...(flags.codec !== undefined ? { encoding: { codec: flags.codec, ...(flags.level !== undefined ? { level: flags.level } : {}) } } : {}),
          ...(Object.keys(flags.chunk).length > 0 ? { chunking: flags.chunk } : {}),
          ...(flags.format !== undefined ? { format: flags.format } : {}),
          ...(Object.keys(flags.attr).length > 0 ? { attributes: flags.attr } : {}),
          ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
          onProgress,
        });
        bar?.stop();
        // Reports name the URL a file came from, not its temporary copy.
        for (const f of report.files) {
          const origin = resolved.origins.get(f.input);
          if (origin !== undefined) {
            if (f.reason) f.reason = f.reason.split(f.input).join(origin);
            f.input = origin;
          }
        }
        const seconds = (performance.now() - started) / 1000;
        if (flags.json) process.stdout.write(`${JSON.stringify({ ...report, unresolved: resolved.failures }, null, 2)}\n`);
        else process.stdout.write(`${summarise(report, resolved.failures, seconds)}\n`);
        const anyRefused = resolved.failures.length > 0 || report.files.some((f) => f.status === "refused");
        process.exitCode = anyRefused ? 2 : 0;
      } finally {
        bar?.stop();
        await resolved.cleanup();
      }
    });
}
