// A unit as UDUNITS-2 reduces it: a scale factor times powers of the seven SI base units, plus an
// origin offset (only for units defined with "@", such as degree_Celsius = K @ 273.15).

export const baseUnits = ["meter", "kilogram", "second", "ampere", "kelvin", "mole", "candela"] as const;

export interface Quantity {
  readonly scale: number;
  /** Exponents of the base units, in `baseUnits` order. */
  readonly dims: readonly number[];
  readonly offset: number;
  /** Logarithmic units (lg(re ...)) are dimensionless ratios; kept apart so they never convert to plain numbers. */
  readonly logarithmic?: boolean;
}

export const dimensionless: Quantity = { scale: 1, dims: [0, 0, 0, 0, 0, 0, 0], offset: 0 };

export function base(index: number): Quantity {
  return { scale: 1, dims: baseUnits.map((_, i) => (i === index ? 1 : 0)), offset: 0 };
}

export function scalar(value: number): Quantity {
  return { ...dimensionless, scale: value };
}

// Products and powers drop origins: UDUNITS does the same (a product with °C is a product with K).
export function multiply(a: Quantity, b: Quantity): Quantity {
  return { scale: a.scale * b.scale, dims: a.dims.map((d, i) => d + (b.dims[i] ?? 0)), offset: 0, logarithmic: a.logarithmic || b.logarithmic };
}

export function power(a: Quantity, n: number): Quantity {
  return { scale: a.scale ** n, dims: a.dims.map((d) => d * n), offset: 0, logarithmic: a.logarithmic };
}

export function shift(a: Quantity, origin: number): Quantity {
  return { ...a, offset: a.offset + origin };
}

/** Whether values in one unit can be converted to the other (same dimensions). */
export function convertible(a: Quantity, b: Quantity): boolean {
  return Boolean(a.logarithmic) === Boolean(b.logarithmic) && a.dims.every((d, i) => d === b.dims[i]);
}

export function isTime(q: Quantity): boolean {
  return !q.logarithmic && q.dims.every((d, i) => d === (i === 2 ? 1 : 0));
}
