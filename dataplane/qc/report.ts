// The per-file QC report: its versioned JSON schema (TypeBox: one definition gives the schema and
// the TypeScript type), the accept/flag/refuse decision, and the one-paragraph summary for commands.
import { Type, type Static } from "@sinclair/typebox";
import type { QcConfig } from "./config.js";
import type { CfFinding } from "./cf/findings.js";
import { testNames, type VariableQcResult } from "./qartod.js";

export const qcReportSchemaVersion = "dmac.ioos.us/qc-report/v1";

const Count = Type.Integer({ minimum: 0 });
const FlagCounts = Type.Object(
  { pass: Count, notEvaluated: Count, suspect: Count, fail: Count, missing: Count },
  { additionalProperties: false, description: "Values per QARTOD flag: 1 pass, 2 not evaluated, 3 suspect, 4 fail, 9 missing." },
);
const Offence = Type.Object(
  {
    index: Type.Array(Type.Integer({ minimum: 0 }), { description: "Position in the variable, one entry per dimension in `dims` order." }),
    flag: Type.Union([Type.Literal(3), Type.Literal(4)]),
    value: Type.Union([Type.Number(), Type.Null()], { description: "Physical value; null when it is not finite." }),
  },
  { additionalProperties: false },
);
const TestResult = Type.Object(
  {
    counts: FlagCounts,
    offending: Type.Array(Offence, { description: "The first suspect or failing values, time step by time step." }),
    unlisted: Type.Integer({ minimum: 0, description: "Offending values beyond those listed." }),
  },
  { additionalProperties: false },
);
const VariableReport = Type.Object(
  {
    variable: Type.String(),
    dims: Type.Array(Type.String()),
    shape: Type.Array(Type.Integer({ minimum: 0 })),
    timeDim: Type.Union([Type.String(), Type.Null()]),
    tests: Type.Object(
      {
        grossRange: Type.Optional(TestResult),
        spike: Type.Optional(TestResult),
        rateOfChange: Type.Optional(TestResult),
        flatLine: Type.Optional(TestResult),
        aggregate: Type.Optional(TestResult),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export const Finding = Type.Object(
  {
    severity: Type.Union([Type.Literal("error"), Type.Literal("warning"), Type.Literal("info")]),
    code: Type.String({ pattern: "^[a-z_]+(\\.[a-z_-]+)+$" }),
    variable: Type.Optional(Type.String()),
    attribute: Type.Optional(Type.String()),
    message: Type.String(),
  },
  { additionalProperties: false },
);
export const Decision = Type.Union([Type.Literal("accept"), Type.Literal("flag"), Type.Literal("refuse")]);

export const QcReport = Type.Object(
  {
    schemaVersion: Type.Literal(qcReportSchemaVersion),
    source: Type.String({ description: "The file checked (path or URL)." }),
    checkedAt: Type.Optional(Type.String({ format: "date-time" })),
    policy: Type.Object({ onFailure: Type.Union([Type.Literal("refuse"), Type.Literal("flag")]), cfChecks: Type.Boolean() }, { additionalProperties: false }),
    decision: Decision,
    reasons: Type.Array(Type.String(), { description: "Why the decision is not accept." }),
    variables: Type.Array(VariableReport),
    findings: Type.Array(Finding, { description: "Problems with the QC run itself, e.g. a configured variable absent from the file." }),
    cf: Type.Object(
      {
        checked: Type.Boolean(),
        unitsDatabase: Type.String({ description: "The UDUNITS-2 database used, or why none was." }),
        standardNameTable: Type.String({ description: "Version of the CF standard name table used." }),
        findings: Type.Array(Finding),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, $id: `https://${qcReportSchemaVersion}.json`, title: "DMAC quality-control report" },
);
export type QcReport = Static<typeof QcReport>;
export type Finding = Static<typeof Finding>;
export type Decision = Static<typeof Decision>;

/** The report's JSON Schema (draft 2019-09 compatible) as plain JSON, for publishing beside the reports. */
export function qcReportJsonSchema(): Record<string, unknown> {
  return JSON.parse(JSON.stringify(QcReport)) as Record<string, unknown>;
}

/** Converts the checker's results to report entries (non-finite values become null for JSON). */
export function variableReport(result: VariableQcResult): QcReport["variables"][number] {
  const tests: QcReport["variables"][number]["tests"] = {};
  for (const name of [...testNames, "aggregate"] as const) {
    const r = result.tests[name];
    if (r) tests[name] = { counts: { ...r.counts }, offending: r.offending.map((o) => ({ index: [...o.index], flag: o.flag, value: Number.isFinite(o.value) ? o.value : null })), unlisted: r.unlisted };
  }
  return { variable: result.variable, dims: [...result.dims], shape: [...result.shape], timeDim: result.timeDim, tests };
}

/**
 * accept: nothing failed and nothing is suspect. A QARTOD fail or a CF error is a failure: the
 * policy refuses or flags the file. Suspect values alone flag it (never refuse); warnings do not count.
 */
export function decide(variables: QcReport["variables"], findings: readonly CfFinding[], onFailure: QcConfig["onFailure"]): { decision: Decision; reasons: string[] } {
  const failures: string[] = [];
  const suspects: string[] = [];
  for (const v of variables) {
    for (const name of testNames) {
      const r = v.tests[name];
      if (!r) continue;
      if (r.counts.fail > 0) failures.push(`${v.variable}: ${name} failed ${r.counts.fail} value(s)`);
      if (r.counts.suspect > 0) suspects.push(`${v.variable}: ${name} found ${r.counts.suspect} suspect value(s)`);
    }
  }
  for (const f of findings) if (f.severity === "error") failures.push(`${f.variable !== undefined ? `${f.variable}: ` : ""}${f.code}: ${f.message}`);
  if (failures.length > 0) return { decision: onFailure === "refuse" ? "refuse" : "flag", reasons: [...failures, ...suspects] };
  if (suspects.length > 0) return { decision: "flag", reasons: suspects };
  return { decision: "accept", reasons: [] };
}

function listed<T>(items: readonly T[], show: (item: T) => string, max = 4): string {
  const head = items.slice(0, max).map(show).join("; ");
  return items.length > max ? `${head}; and ${items.length - max} more` : head;
}

/** One paragraph for command output: the decision, what failed where, and the CF findings by severity. */
export function summarizeReport(report: QcReport): string {
  const verdict = { accept: "accepted", flag: "accepted and flagged", refuse: "REFUSED" }[report.decision];
  const parts = [`QC ${report.source}: ${verdict} (onFailure=${report.policy.onFailure}).`];
  const problems: string[] = [];
  let missing = 0;
  for (const v of report.variables) {
    missing += v.tests.aggregate?.counts.missing ?? 0;
    for (const name of testNames) {
      const r = v.tests[name];
      if (!r || (r.counts.fail === 0 && r.counts.suspect === 0)) continue;
      const first = r.offending[0];
      // Six significant digits: packed data unpacks with float32 noise (23.499999698 for 23.5).
      const where = first ? ` (first at [${first.index.join(", ")}] = ${first.value === null ? "non-finite" : Number(first.value.toPrecision(6))}, flag ${first.flag})` : "";
      problems.push(`${v.variable} ${name}: ${r.counts.fail} fail, ${r.counts.suspect} suspect${where}`);
    }
  }
  if (report.variables.length > 0) {
    parts.push(problems.length > 0
      ? `QARTOD on ${report.variables.length} variable(s): ${listed(problems, (p) => p)}.`
      : `QARTOD on ${report.variables.length} variable(s): all evaluated values pass.`);
    if (missing > 0) parts.push(`${missing} value(s) missing (fill or outside the valid range).`);
  }
  if (!report.cf.checked) parts.push("CF checks off.");
  else {
    const bySeverity = (s: CfFinding["severity"]) => report.cf.findings.filter((f) => f.severity === s);
    const errors = bySeverity("error");
    const warnings = bySeverity("warning");
    const show = (f: Finding) => `${f.variable ?? "file"} ${f.code}`;
    parts.push(`CF: ${errors.length} error(s)${errors.length > 0 ? ` (${listed(errors, show)})` : ""}, ${warnings.length} warning(s)${warnings.length > 0 ? ` (${listed(warnings, show)})` : ""}.`);
    if (report.cf.findings.some((f) => f.code === "units.unchecked")) parts.push(`Units not checked: ${report.cf.unitsDatabase}.`);
  }
  for (const f of report.findings) parts.push(`${f.message}.`);
  return parts.join(" ");
}
