// Loads the UDUNITS-2 database from disk. Degrades instead of crashing: when the XML is missing
// or unreadable the result says why, and the CF checks report units as "not checked".
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { buildUnitDatabase, type UnitDatabase } from "./udunits-xml.js";

/** Where Debian's libudunits2-data installs the database; UDUNITS2_XML_PATH overrides it, as for the C library. */
export const defaultUdunitsPath = "/usr/share/xml/udunits/udunits2.xml";

export type UnitDatabaseResult = { ok: true; database: UnitDatabase } | { ok: false; reason: string };

const cache = new Map<string, UnitDatabaseResult>();

export function loadUnitDatabase(path: string = process.env.UDUNITS2_XML_PATH ?? defaultUdunitsPath): UnitDatabaseResult {
  const cached = cache.get(path);
  if (cached) return cached;
  let result: UnitDatabaseResult;
  try {
    const main = readFileSync(path, "utf8");
    const database = buildUnitDatabase(main, (name) => readFileSync(join(dirname(path), name), "utf8"), path);
    result = { ok: true, database };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "not found (install Debian package libudunits2-data)" : (err as Error).message;
    result = { ok: false, reason: `UDUNITS-2 database ${path}: ${why}` };
  }
  cache.set(path, result);
  return result;
}
