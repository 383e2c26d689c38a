// The observations ingest (a Dataset with featureType timeSeries), in named steps: check the
// options apply, read the store's table, read and merge each file in input order (a refused file
// changes nothing; a later file's values replace an earlier one's at the same station and time),
// and write + commit once if anything changed. Same report shape as the grid ingest.
import { readHead, detectFormat } from "../source/magic.js";
import { SourceError } from "../source/types.js";
import { loadUnitDatabase } from "../qc/units/load-udunits.js";
import { openWritableStore } from "../zarr/open.js";
import type { FileOutcome, IngestOptions, IngestReport } from "../ingest/types.js";
import { flagFailures } from "./qc.js";
import { describeReplacements, mergeFile } from "./merge.js";
import { readErddapCsv } from "./read-csv.js";
import { readDsg } from "./read-dsg.js";
import { readTable, writeTable } from "./store.js";
import { emptyTable, type ObservationFile } from "./table.js";

/** Options of the grid pipeline that mean nothing for a station store are refused, not ignored. */
function checkOptions(opts: IngestOptions): void {
  const wrong: string[] = [];
  if (opts.aggregation?.type !== undefined && opts.aggregation.type !== "append") wrong.push(`aggregation ${opts.aggregation.type} (only append)`);
  if (opts.aggregation?.cycle !== undefined || opts.aggregation?.runType !== undefined) wrong.push("aggregation cycle/runType");
  if (opts.format === "zarr-v3") wrong.push("storage format zarr-v3 (station stores are zarr-v2)");
  if (opts.chunking !== undefined && Object.keys(opts.chunking).length > 0) wrong.push("chunking (one station per chunk)");
  if (opts.dimensionSizes !== undefined && Object.keys(opts.dimensionSizes).length > 0) wrong.push("dimension sizes");
  if (opts.executor !== undefined) wrong.push("another executor (station files are ingested inline: dask is for grids)");
  if (wrong.length > 0) throw new Error(`featureType timeSeries: not supported for station observations: ${wrong.join("; ")}`);
}

/** NetCDF by magic bytes (honouring the IngestJob's format), else ERDDAP CSV. */
async function readObservationFile(path: string, opts: IngestOptions): Promise<ObservationFile> {
  const format = detectFormat(await readHead(path, 8));
  if (format !== undefined) return readDsg(path, opts.inputFormat ?? "auto");
  if (opts.inputFormat !== undefined && opts.inputFormat !== "auto") throw new SourceError(path, `is not NetCDF by its magic bytes, but the IngestJob's format says ${opts.inputFormat}`);
  return readErddapCsv(path);
}

/** The IngestJob's variables selection, applied to the file's observed variables. */
function selectVariables(file: ObservationFile, opts: IngestOptions): ObservationFile {
  const sel = opts.variables;
  if (sel === undefined) return file;
  if ("include" in sel && sel.include !== undefined) {
    const absent = sel.include.filter((n) => !file.variables.some((v) => v.name === n));
    if (absent.length > 0) throw new SourceError(file.path, `variable ${absent.join(", ")} listed in variables.include is not in the file`);
  }
  const keep = (n: string) => ("include" in sel && sel.include !== undefined ? sel.include.includes(n) : !("exclude" in sel && sel.exclude?.includes(n)));
  return {
    ...file,
    variables: file.variables.filter((v) => keep(v.name)),
    series: file.series.map((s) => ({ ...s, values: Object.fromEntries(Object.entries(s.values).filter(([n]) => keep(n))) })),
  };
}

export async function ingestObservations(opts: IngestOptions): Promise<IngestReport> {
  checkOptions(opts);
  const store = await openWritableStore(opts.store);
  const units = loadUnitDatabase();
  const unitLookup = units.ok ? units.database.lookup : undefined;
  const opened = await readTable(store);
  let table = opened?.table ?? emptyTable();
  const outcomes: FileOutcome[] = [];
  let changed = false;
  let observations = opened?.ledger?.observations ?? 0;
  const timesBefore = table.times.length;
  for (const [i, input] of opts.inputs.entries()) {
    opts.onProgress?.({ phase: "inspect", done: i, total: opts.inputs.length, file: input });
    try {
      const file = selectVariables(await readObservationFile(input, opts), opts);
      const failing = opts.qualityControl?.enabled !== false && opts.qualityControl?.onFailure === "refuse" ? flagFailures(file, opts.qualityControl) : undefined;
      if (failing !== undefined) throw new SourceError(input, `refused by quality control (onFailure: refuse): ${failing}`);
      const merged = mergeFile(table, file, unitLookup);
      const reasons = [
        merged.replaced.length > 0 ? `overlapping times: kept this file's newer values for ${describeReplacements(merged.replaced)}` : "",
        merged.newStations.length > 0 ? `new stations ${merged.newStations.join(", ")}` : "",
      ].filter(Boolean);
      if (!merged.changed) {
        outcomes.push({ input, status: "skipped", reason: `${input}: every observation (${merged.observations}) is already in the store`, timeSteps: 0 });
        continue;
      }
      table = merged.table;
      changed = true;
      observations += merged.observations - merged.replaced.reduce((s, r) => s + r.count, 0);
      outcomes.push({ input, status: "ingested", ...(reasons.length > 0 ? { reason: `${input} (${file.layout}): ${reasons.join("; ")}` } : {}), timeSteps: merged.newTimes });
    } catch (error) {
      if (!(error instanceof SourceError)) throw error;
      outcomes.push({ input, status: "refused", reason: error.message.startsWith(input) ? error.message : `${input}: ${error.message}`, timeSteps: 0 });
    }
  }
  let bytesWritten = 0;
  if (changed) {
    opts.onProgress?.({ phase: "commit" });
    bytesWritten = await writeTable(store, table, {
      encoding: opts.encoding ?? { codec: "zlib", level: 1 },
      attributes: opts.attributes ?? {},
      qc: opts.qualityControl,
      previous: opened?.hierarchy,
      observations,
    });
  }
  return { store: store.url, aggregation: "append", files: outcomes, timeSteps: table.times.length - timesBefore, bytesWritten, lengths: { "": table.times.length } };
}
