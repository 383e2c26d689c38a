// The tables the CF checks use, loaded from disk: UDUNITS-2 (Debian libudunits2-data) and the CF
// standard name table (the bundled subset, or the official XML named by DMAC_CF_STANDARD_NAME_TABLE).
// Never throws: a missing table degrades to "not checked" or to the bundled subset, and says so.
import { readFileSync } from "node:fs";
import { loadUnitDatabase } from "../units/load-udunits.js";
import type { CfContext } from "./checks.js";
import { bundledStandardNames, parseStandardNameXml, type StandardNameTable } from "./standard-names.js";

export interface CfContextOptions {
  /** udunits2.xml; default UDUNITS2_XML_PATH or /usr/share/xml/udunits/udunits2.xml. */
  readonly udunitsPath?: string;
  /** cf-standard-name-table.xml; default DMAC_CF_STANDARD_NAME_TABLE, else the bundled subset. */
  readonly standardNameTablePath?: string;
}

function loadStandardNames(path: string | undefined): StandardNameTable {
  if (path === undefined || path === "") return bundledStandardNames();
  try {
    return parseStandardNameXml(readFileSync(path, "utf8"));
  } catch (err) {
    const bundled = bundledStandardNames();
    return { ...bundled, version: `${bundled.version} (${path} unusable: ${(err as Error).message})` };
  }
}

export function loadCfContext(options: CfContextOptions = {}): CfContext {
  const units = loadUnitDatabase(options.udunitsPath);
  return {
    units: units.ok ? { lookup: units.database.lookup, source: units.database.source } : { unavailable: units.reason },
    standardNames: loadStandardNames(options.standardNameTablePath ?? process.env.DMAC_CF_STANDARD_NAME_TABLE),
  };
}
