// Runs QC on one file: CF checks on the metadata, then the configured QARTOD tests, reading each
// variable a few time steps at a time through the reader the caller passes in (a SourceDataset's
// `read` fits as it is). Returns the report; deciding what to do with the file is the caller's.
import type { QcConfig } from "./config.js";
import { checkCf, type CfContext } from "./cf/checks.js";
import type { CfFinding } from "./cf/findings.js";
import { createVariableChecker } from "./qartod.js";
import { decide, qcReportSchemaVersion, variableReport, type QcReport } from "./report.js";
import { checkTimeValues } from "./cf/time-values.js";
import { timeAxisOf, timeCoordinates } from "./time-axis.js";
import type { QcFile, QcValues } from "./types.js";

/** Reads a hyperslab (C order) of a variable in packed form; `start`/`count` have one entry per dimension. */
export type ReadSlab = (variable: string, start: number[], count: number[]) => Promise<QcValues> | QcValues;

export interface RunQcOptions {
  /** Tables for the CF checks (see loadCfContext); required when config.cfChecks is true. */
  readonly cf?: CfContext;
  /** Offending indices kept per test (default 10). */
  readonly maxOffending?: number;
  /** Upper bound on values read at once (default 4 Mi): sets how many time steps a read covers. */
  readonly maxSliceValues?: number;
  /** Timestamp written in the report (left out when not given, so reports stay reproducible). */
  readonly checkedAt?: string;
}

export async function runQc(file: QcFile, read: ReadSlab, config: QcConfig, options: RunQcOptions = {}): Promise<QcReport> {
  const findings: CfFinding[] = [];
  const variables: QcReport["variables"] = [];
  let cfFindings: CfFinding[] = [];
  let unitsDatabase = "not used";
  let standardNameTable = "not used";

  if (config.enabled && config.cfChecks) {
    if (!options.cf) throw new Error("runQc: config.cfChecks is true but no CF context was given (use loadCfContext())");
    cfFindings = checkCf(file, options.cf);
    // Time coordinates are small (one value per step): read them whole and check their order.
    for (const time of timeCoordinates(file).filter((v) => v.dims[0] === v.name)) {
      cfFindings.push(...checkTimeValues(time, await read(time.name, [0], [...time.shape])));
    }
    unitsDatabase = "source" in options.cf.units ? options.cf.units.source : `unavailable: ${options.cf.units.unavailable}`;
    standardNameTable = options.cf.standardNames.version;
  }

  const maxSlice = options.maxSliceValues ?? 4 * 1024 * 1024;
  for (const tests of config.enabled ? (config.variables ?? []) : []) {
    const variable = file.variables.find((v) => v.name === tests.variable);
    if (!variable) {
      findings.push({ severity: "warning", code: "qc.variable-absent", variable: tests.variable, message: `${tests.variable} is configured for QC but not in the file` });
      continue;
    }
    const axis = timeAxisOf(file, variable);
    const checker = createVariableChecker(variable, tests, axis, options.maxOffending === undefined ? {} : { maxOffending: options.maxOffending });
    if (axis < 0) {
      checker.push(await read(variable.name, variable.shape.map(() => 0), [...variable.shape]), 1);
    } else {
      const perRead = Math.max(1, Math.floor(maxSlice / Math.max(1, checker.pointsPerStep)));
      for (let t = 0; t < checker.steps; t += perRead) {
        const n = Math.min(perRead, checker.steps - t);
        const start = variable.shape.map((_, i) => (i === axis ? t : 0));
        const count = variable.shape.map((s, i) => (i === axis ? n : s));
        checker.push(await read(variable.name, start, count), n);
      }
    }
    variables.push(variableReport(checker.finish()));
  }

  const { decision, reasons } = decide(variables, [...cfFindings, ...findings], config.onFailure);
  return {
    schemaVersion: qcReportSchemaVersion,
    source: file.source,
    ...(options.checkedAt !== undefined ? { checkedAt: options.checkedAt } : {}),
    policy: { onFailure: config.onFailure, cfChecks: config.enabled && config.cfChecks },
    decision,
    reasons,
    variables,
    findings,
    cf: { checked: config.enabled && config.cfChecks, unitsDatabase, standardNameTable, findings: cfFindings },
  };
}
