// Reads the UDUNITS-2 XML unit database (Debian: libudunits2-data, /usr/share/xml/udunits/) into
// a lookup table. Pure: the caller supplies the text of each file. The XML is small and regular
// (prefix/unit elements with name, symbol, alias and def children), so a few regular expressions
// read it; a general XML parser would be a new dependency for no gain.
import { parseExpression, type Lookup } from "./expression.js";
import { base, dimensionless, type Quantity } from "./quantity.js";

export interface UnitDatabase {
  /** Where it was read from, for reports. */
  readonly source: string;
  readonly lookup: Lookup;
  /** Number of unit names and symbols known (prefixes not counted). */
  readonly size: number;
}

interface Prefix {
  value: number;
  names: string[];
  symbols: string[];
}

function decodeEntities(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

function elements(xml: string, tag: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, "g");
  for (const m of xml.matchAll(re)) out.push(m[1] ?? "");
  return out;
}

function texts(xml: string, tag: string): string[] {
  return elements(xml, tag).map((t) => decodeEntities(t.trim())).filter((t) => t !== "");
}

// UDUNITS-2's rule for a plural that is not given (lib/xml.c): -y after a consonant → -ies; -s, -x, -z, -ch, -sh → -es.
export function regularPlural(singular: string): string {
  if (/[^aeiou]y$/i.test(singular)) return `${singular.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/i.test(singular)) return `${singular}es`;
  return `${singular}s`;
}

function namesOf(nameElement: string): string[] {
  const singular = texts(nameElement, "singular");
  const plural = texts(nameElement, "plural");
  if (plural.length === 0 && !/<noplural\s*\/>/.test(nameElement)) plural.push(...singular.map(regularPlural));
  return [...singular, ...plural];
}

export function buildUnitDatabase(mainText: string, readImport: (name: string) => string, source: string): UnitDatabase {
  const prefixes: Prefix[] = [];
  const byName = new Map<string, Quantity>(); // lower-case: UDUNITS matches names without case
  const bySymbol = new Map<string, Quantity>();

  const exact = (id: string): Quantity | undefined => bySymbol.get(id) ?? byName.get(id.toLowerCase());
  const lookup: Lookup = (id) => {
    const found = exact(id);
    if (found) return found;
    for (const p of prefixes) {
      for (const name of p.names) {
        if (id.length > name.length && id.toLowerCase().startsWith(name)) {
          const rest = byName.get(id.slice(name.length).toLowerCase());
          if (rest) return { ...rest, scale: rest.scale * p.value, offset: rest.offset / p.value };
        }
      }
      for (const symbol of p.symbols) {
        if (id.length > symbol.length && id.startsWith(symbol)) {
          const rest = bySymbol.get(id.slice(symbol.length));
          if (rest) return { ...rest, scale: rest.scale * p.value, offset: rest.offset / p.value };
        }
      }
    }
    // "dbar", "msec": UDUNITS also accepts a prefix symbol before a unit name.
    for (const p of prefixes) {
      for (const symbol of p.symbols) {
        if (id.length > symbol.length && id.startsWith(symbol)) {
          const rest = byName.get(id.slice(symbol.length).toLowerCase());
          if (rest) return { ...rest, scale: rest.scale * p.value, offset: rest.offset / p.value };
        }
      }
    }
    return undefined;
  };

  let baseIndex = 0;
  const files = elements(mainText.replace(/<!--[\s\S]*?-->/g, ""), "import").map((name) => name.trim());
  const sources = files.length > 0 ? files.map((name) => readImport(name)) : [mainText];
  for (const raw of sources) {
    const xml = raw.replace(/<!--[\s\S]*?-->/g, "");
    for (const body of elements(xml, "prefix")) {
      const value = Number(texts(body, "value")[0]);
      if (!Number.isFinite(value)) throw new Error(`${source}: prefix without a numeric <value>: ${body.trim().slice(0, 80)}`);
      prefixes.push({ value, names: texts(body, "name").map((n) => n.toLowerCase()), symbols: texts(body, "symbol") });
    }
    for (const body of elements(xml, "unit")) {
      let quantity: Quantity;
      if (/<base\s*\/>/.test(body)) quantity = base(baseIndex++);
      else if (/<dimensionless\s*\/>/.test(body)) quantity = dimensionless;
      else {
        const def = texts(body, "def")[0];
        if (def === undefined) throw new Error(`${source}: unit without <def>, <base/> or <dimensionless/>: ${body.trim().slice(0, 80)}`);
        quantity = parseExpression(def, lookup);
      }
      const aliases = elements(body, "aliases").join("\n");
      const own = body.replace(/<aliases>[\s\S]*?<\/aliases>/g, "");
      for (const nameElement of [...elements(own, "name"), ...elements(aliases, "name")]) {
        for (const name of namesOf(nameElement)) byName.set(name.toLowerCase(), quantity);
      }
      for (const symbol of [...texts(own, "symbol"), ...texts(aliases, "symbol")]) bySymbol.set(symbol, quantity);
    }
  }
  if (baseIndex !== 7) throw new Error(`${source}: expected the 7 SI base units, found ${baseIndex}`);
  return { source, lookup, size: byName.size + bySymbol.size };
}
