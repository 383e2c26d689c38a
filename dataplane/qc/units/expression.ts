// Parser for UDUNITS-2 unit strings ("m s-1", "kg/m^3", "K @ 273.15", "lg(re 1 mW)",
// "days since 1858-11-17 00:00:00"), reducing them to a Quantity with a caller-supplied lookup
// of unit names and symbols. Follows the UDUNITS-2 grammar (udunits2lib "Unit Syntax"): products
// by space, ".", "*" or "·"; quotients by "/" or "per"; powers by "^", "**", a trailing integer
// ("m2", "s-1") or superscript digits; a shift by "@", "after", "from", "ref" or "since".
import { dimensionless, multiply, power, scalar, shift, type Quantity } from "./quantity.js";

export type Lookup = (id: string) => Quantity | undefined;

export interface ParsedUnit {
  readonly quantity: Quantity;
  /** The text after "since" (or another shift word) when it is not a number: a time origin. */
  readonly reference?: string;
}

export class UnitSyntaxError extends Error {
  constructor(
    readonly text: string,
    readonly position: number,
    problem: string,
  ) {
    super(`${JSON.stringify(text)}: ${problem} at character ${position + 1}`);
    this.name = "UnitSyntaxError";
  }
}

const idPattern = /^[A-Za-z_\u00B0\u00B5\u03BC\u2103%'"](?:[A-Za-z_0-9\u00B0\u00B5\u03BC]*[A-Za-z_\u00B0\u00B5\u03BC])?/;
const numberPattern = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const superscripts: Record<string, string> = { "⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9", "⁻": "-", "⁺": "+" };
const shiftWords = /^(?:@|after\b|from\b|ref\b|since\b)/i;
const logFunctions: Record<string, true> = { lg: true, ln: true, lb: true, log: true };

class Parser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly lookup: Lookup,
  ) {}

  private fail(problem: string): never {
    throw new UnitSyntaxError(this.text, this.pos, problem);
  }

  private rest(): string {
    return this.text.slice(this.pos);
  }

  private skipSpaces(): boolean {
    const start = this.pos;
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] as string)) this.pos++;
    return this.pos > start;
  }

  parseUnit(): ParsedUnit {
    this.skipSpaces();
    if (this.pos >= this.text.length) this.fail("empty unit");
    let quantity = this.parseProduct();
    this.skipSpaces();
    let reference: string | undefined;
    const word = shiftWords.exec(this.rest());
    if (word) {
      this.pos += word[0].length;
      this.skipSpaces();
      const origin = this.rest().trim();
      if (origin === "") this.fail(`nothing after "${word[0]}"`);
      const number = numberPattern.exec(origin);
      if (number && number[0].length === origin.length) quantity = shift(quantity, Number(origin));
      else reference = origin;
      this.pos = this.text.length;
    }
    if (this.pos < this.text.length) this.fail(`unexpected ${JSON.stringify(this.text[this.pos])}`);
    return reference === undefined ? { quantity } : { quantity, reference };
  }

  private parseProduct(): Quantity {
    let value = this.parseFactor();
    for (;;) {
      const before = this.pos;
      const spaced = this.skipSpaces();
      const rest = this.rest();
      if (rest === "" || rest.startsWith(")") || shiftWords.test(rest)) {
        this.pos = before;
        return value;
      }
      const per = /^per\s/i.exec(rest);
      if (rest.startsWith("/") || per) {
        this.pos += per ? per[0].length : 1;
        this.skipSpaces();
        value = multiply(value, power(this.parseFactor(), -1));
      } else if (/^(?:\*\*?|[.·])(?!\d)/.test(rest) || /^-(?=[A-Za-z_(])/.test(rest)) {
        this.pos += rest.startsWith("**") ? 2 : 1;
        this.skipSpaces();
        value = multiply(value, this.parseFactor());
      } else if (spaced || rest.startsWith("(")) {
        value = multiply(value, this.parseFactor());
      } else {
        this.fail(`unexpected ${JSON.stringify(rest[0])}`);
      }
    }
  }

  private parseFactor(): Quantity {
    const { quantity, isNumber } = this.parseBase();
    const rest = this.rest();
    const explicit = /^(?:\^|\*\*)\s*([+-]?\d+)/.exec(rest);
    if (explicit) {
      this.pos += explicit[0].length;
      return power(quantity, Number(explicit[1]));
    }
    // "m2", "s-1": an integer right after a name is its exponent (after a number it would be ambiguous).
    const attached = isNumber ? null : /^[+-]?\d+(?![.\deE])/.exec(rest);
    if (attached) {
      this.pos += attached[0].length;
      return power(quantity, Number(attached[0]));
    }
    let sup = "";
    while (superscripts[this.text[this.pos] as string] !== undefined) sup += superscripts[this.text[this.pos++] as string];
    if (sup !== "") {
      const n = Number(sup);
      if (!Number.isInteger(n)) this.fail("bad superscript exponent");
      return power(quantity, n);
    }
    return quantity;
  }

  private parseBase(): { quantity: Quantity; isNumber: boolean } {
    const rest = this.rest();
    if (rest.startsWith("(")) {
      this.pos++;
      this.skipSpaces();
      const inner = this.parseProduct();
      this.skipSpaces();
      if (this.text[this.pos] !== ")") this.fail('missing ")"');
      this.pos++;
      return { quantity: inner, isNumber: false };
    }
    const number = numberPattern.exec(rest);
    if (number) {
      this.pos += number[0].length;
      return { quantity: scalar(Number(number[0])), isNumber: true };
    }
    const id = idPattern.exec(rest);
    if (!id) this.fail(rest === "" ? "unit expected" : `unexpected ${JSON.stringify(rest[0])}`);
    const name = id[0];
    const logCall = logFunctions[name.toLowerCase()] ? /^\(\s*re[\s:]\s*/i.exec(rest.slice(name.length)) : null;
    if (logCall) {
      this.pos += name.length + logCall[0].length;
      const reference = this.parseProduct();
      this.skipSpaces();
      if (this.text[this.pos] !== ")") this.fail('missing ")" after a logarithmic reference');
      this.pos++;
      return { quantity: { ...dimensionless, scale: reference.scale, logarithmic: true }, isNumber: false };
    }
    const found = this.lookup(name);
    if (!found) this.fail(`unknown unit ${JSON.stringify(name)}`);
    this.pos += name.length;
    return { quantity: found, isNumber: false };
  }
}

/** Parses a unit string; throws UnitSyntaxError naming the position and the unknown name. */
export function parseUnit(text: string, lookup: Lookup): ParsedUnit {
  return new Parser(text, lookup).parseUnit();
}

/** Parses a unit definition that must not carry a time origin (the XML database's <def>). */
export function parseExpression(text: string, lookup: Lookup): Quantity {
  const parsed = parseUnit(text, lookup);
  if (parsed.reference !== undefined) throw new UnitSyntaxError(text, 0, "a definition cannot have a time origin");
  return parsed.quantity;
}
