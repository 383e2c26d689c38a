// Exports the task contract's JSON Schema (dataplane/task.ts) for the Python payload, which
// validates task documents against the very same rules. The exported file is committed; run
// `npx tsx apps/ingest-worker/export-schema.ts` after changing the schema (a test fails while it is stale).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ingestTaskSchema } from "../../dataplane/index.js";

export const schemaFile = fileURLToPath(new URL("./ingest_worker/ingest-task.v1.schema.json", import.meta.url));

export function schemaJson(): string {
  return `${JSON.stringify(ingestTaskSchema, null, 2)}\n`;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) writeFileSync(schemaFile, schemaJson());
