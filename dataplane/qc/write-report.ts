// Writes a report to a local path or file:// URL atomically (temporary file, then rename), so a
// crash never leaves half a report. Object stores are the pipeline's to write (it has the client).
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { QcReport } from "./report.js";

export function reportJson(report: QcReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export async function writeReportFile(location: string, report: QcReport): Promise<string> {
  if (/^[a-z][a-z0-9+.-]*:/i.test(location) && !location.startsWith("file:")) {
    throw new Error(`${location}: writeReportFile writes local files only; write object-store reports with the store's client`);
  }
  const path = location.startsWith("file:") ? fileURLToPath(location) : location;
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(temporary, reportJson(report), { flag: "wx" });
    await rename(temporary, path);
  } catch (err) {
    await rm(temporary, { force: true });
    throw new Error(`${path}: cannot write QC report (${(err as Error).message})`);
  }
  return path;
}
