// Regenerates qc-report.schema.json, the published schema of the QC report, from report.ts:
//   npx tsx dataplane/qc/write-schema.ts
// A test fails when the committed file and report.ts disagree.
import { renameSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { qcReportJsonSchema } from "./report.js";

export const schemaFile = fileURLToPath(new URL("./qc-report.schema.json", import.meta.url));

export function schemaText(): string {
  return `${JSON.stringify(qcReportJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(`${schemaFile}.tmp`, schemaText());
  renameSync(`${schemaFile}.tmp`, schemaFile);
  console.log(`wrote ${schemaFile}`);
}
