// The CF standard name table as data: names, their canonical units, and aliases (old names that
// still mean the same quantity). The bundled table is a subset for ocean models (see
// data/cf-standard-names.json); the full official XML can be read with `parseStandardNameXml`.
import bundled from "../data/cf-standard-names.json" with { type: "json" };

export interface StandardNameTable {
  /** e.g. "83-subset" or the XML's version_number. */
  readonly version: string;
  readonly entries: ReadonlyMap<string, string>;
  readonly aliases: ReadonlyMap<string, string>;
}

export function bundledStandardNames(): StandardNameTable {
  return { version: bundled.version, entries: new Map(Object.entries(bundled.entries)), aliases: new Map(Object.entries(bundled.aliases)) };
}

/** Reads the official cf-standard-name-table.xml text (entry ids, canonical_units, alias entry_ids). Pure. */
export function parseStandardNameXml(xml: string): StandardNameTable {
  const version = /<version_number>\s*([^<]*?)\s*<\/version_number>/.exec(xml)?.[1];
  if (version === undefined) throw new Error("cf-standard-name-table.xml: no <version_number>: not a CF standard name table");
  const entries = new Map<string, string>();
  for (const m of xml.matchAll(/<entry\s+id="([^"]+)"\s*>([\s\S]*?)<\/entry>/g)) {
    entries.set(m[1] as string, /<canonical_units>\s*([^<]*?)\s*<\/canonical_units>/.exec(m[2] ?? "")?.[1] ?? "");
  }
  const aliases = new Map<string, string>();
  for (const m of xml.matchAll(/<alias\s+id="([^"]+)"\s*>[\s\S]*?<entry_id>\s*([^<]*?)\s*<\/entry_id>[\s\S]*?<\/alias>/g)) aliases.set(m[1] as string, m[2] as string);
  if (entries.size === 0) throw new Error("cf-standard-name-table.xml: no <entry> elements");
  return { version, entries, aliases };
}

// CF 1.11 §3.3: a standard_name may be followed by one modifier.
const modifiers = new Set(["detection_minimum", "number_of_observations", "standard_error", "status_flag"]);

export type StandardNameLookup =
  | { known: true; name: string; canonicalUnits: string; alias?: string; modifier?: string }
  | { known: false; name: string; problem: string };

export function lookUpStandardName(table: StandardNameTable, attribute: string): StandardNameLookup {
  const parts = attribute.trim().split(/\s+/);
  const [name = "", modifier] = parts;
  if (parts.length > 2 || (modifier !== undefined && !modifiers.has(modifier))) {
    return { known: false, name, problem: `${JSON.stringify(attribute)} is not "<standard name> [modifier]" (modifiers: ${[...modifiers].join(", ")})` };
  }
  const target = table.aliases.get(name) ?? name;
  const canonical = table.entries.get(target);
  if (canonical === undefined) return { known: false, name, problem: `${JSON.stringify(name)} is not in the CF standard name table (version ${table.version})` };
  // Modifiers change the units: status_flag and number_of_observations are dimensionless, the others keep them.
  const canonicalUnits = modifier === "status_flag" || modifier === "number_of_observations" ? "1" : canonical;
  return {
    known: true,
    name: target,
    canonicalUnits,
    ...(target !== name ? { alias: name } : {}),
    ...(modifier !== undefined ? { modifier } : {}),
  };
}
