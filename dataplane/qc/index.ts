// Quality control and CF compliance for the data plane. See docs/quality-control.md.
export type { QcAttrType, QcAttrValue, QcAttributes, QcDtype, QcFile, QcValues, QcVariable, FlagValue } from "./types.js";
export { Flag } from "./types.js";
export { defaultQcConfig, validateQcConfig, type QcConfig, type VariableTests } from "./config.js";
export { loadQcConfig, parseQcConfig, QcConfigError, type QcConfigProblem } from "./load-config.js";
export { createVariableChecker, testNames, type VariableChecker, type VariableQcResult, type TestName, type TestResult, type FlagCounts, type Offence } from "./qartod.js";
export { checkCf, type CfContext } from "./cf/checks.js";
export { loadCfContext, type CfContextOptions } from "./cf/context.js";
export type { CfFinding, Severity } from "./cf/findings.js";
export { bundledStandardNames, parseStandardNameXml, type StandardNameTable } from "./cf/standard-names.js";
export { runQc, type ReadSlab, type RunQcOptions } from "./run.js";
export { qcInputFromSource } from "./from-source.js";
export { checkFiles, type FileCheck, type CheckFilesOptions } from "./check-files.js";
export { QcReport, decide, qcReportJsonSchema, qcReportSchemaVersion, summarizeReport, type Decision, type Finding } from "./report.js";
export { reportLocationFor, reportPathFor, reportName } from "./report-path.js";
export { reportJson, writeReportFile } from "./write-report.js";
export { loadUnitDatabase, defaultUdunitsPath } from "./units/load-udunits.js";
