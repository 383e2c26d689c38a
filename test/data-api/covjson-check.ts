// CoverageJSON conformance rules, encoded from the specification (OGC 21-069r2, "OGC
// CoverageJSON Community Standard" 1.0; section numbers as in its specification text) and the
// Common CoverageJSON Domain Types specification it includes. There is no official JSON Schema
// in ../shared/schemas, so each rule is written out here with its section. Returns every
// violation found (empty when the document conforms).
type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const TYPES = ["Domain", "NdArray", "TiledNdArray", "Coverage", "CoverageCollection"];
// §5.2: YYYY-MM-DDTHH:MM:SS[.F]Z with Z either "Z" or an offset +|-HH:MM.
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function checkI18n(v: unknown, where: string, out: string[]): void {
  // §2 i18n objects: keys are BCP 47 language tags, values strings.
  if (!isObj(v) || Object.keys(v).length === 0) return void out.push(`${where}: not an i18n object (§2)`);
  for (const [k, s] of Object.entries(v)) {
    if (!/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(k)) out.push(`${where}: ${k} is not a language tag (§2)`);
    if (typeof s !== "string") out.push(`${where}.${k}: not a string (§2)`);
  }
}

function checkParameter(p: unknown, where: string, out: string[]): void {
  if (!isObj(p)) return void out.push(`${where}: not an object (§3)`);
  if (p["type"] !== "Parameter") out.push(`${where}.type: must be "Parameter" (§3)`);
  if (p["description"] !== undefined) checkI18n(p["description"], `${where}.description`, out);
  if (p["label"] !== undefined) checkI18n(p["label"], `${where}.label`, out);
  const op = p["observedProperty"];
  if (!isObj(op)) out.push(`${where}.observedProperty: required object (§3)`);
  else {
    checkI18n(op["label"], `${where}.observedProperty.label`, out);
    if (op["id"] !== undefined && typeof op["id"] !== "string") out.push(`${where}.observedProperty.id: must be a string (§3)`);
  }
  const unit = p["unit"];
  if (unit !== undefined) {
    if (!isObj(unit) || (unit["label"] === undefined && unit["symbol"] === undefined)) out.push(`${where}.unit: needs label or symbol (§3)`);
    else {
      if (unit["label"] !== undefined) checkI18n(unit["label"], `${where}.unit.label`, out);
      const sym = unit["symbol"];
      if (sym !== undefined && typeof sym !== "string" && !(isObj(sym) && typeof sym["value"] === "string" && typeof sym["type"] === "string")) out.push(`${where}.unit.symbol: string or {value, type} (§3)`);
    }
  }
}

function axisLength(axis: Json): number {
  return Array.isArray(axis["values"]) ? axis["values"].length : Number(axis["num"]);
}

function checkDomain(d: unknown, where: string, out: string[], inheritedReferencing: boolean): Json | undefined {
  if (!isObj(d)) return void out.push(`${where}: a domain object is required (§6.4)`);
  if (d["type"] !== "Domain") out.push(`${where}.type: must be "Domain" (§6.1)`);
  const axes = d["axes"];
  if (!isObj(axes) || Object.keys(axes).length === 0) return void out.push(`${where}.axes: required object (§6.1)`);
  const coordinateIds = new Map<string, string>();
  for (const [name, axis] of Object.entries(axes)) {
    const at = `${where}.axes.${name}`;
    if (!isObj(axis)) {
      out.push(`${at}: not an object (§6.1.1)`);
      continue;
    }
    const values = axis["values"];
    if (values === undefined) {
      if (typeof axis["start"] !== "number" || typeof axis["stop"] !== "number" || !Number.isInteger(axis["num"]) || Number(axis["num"]) < 1) out.push(`${at}: values, or start/stop/num, required (§6.1.1)`);
    } else if (!Array.isArray(values) || values.length === 0) out.push(`${at}.values: a non-empty array (§6.1.1)`);
    const dataType = axis["dataType"];
    if (dataType === "primitive") out.push(`${at}.dataType: the default "primitive" MUST NOT be included (§6.1.1)`);
    const coords = axis["coordinates"];
    if (coords !== undefined && (!Array.isArray(coords) || coords.length === 0)) out.push(`${at}.coordinates: a non-empty array (§6.1.1)`);
    if (coords !== undefined && dataType === undefined && Array.isArray(coords) && coords.length === 1 && coords[0] === name) out.push(`${at}.coordinates: the default MUST NOT be included (§6.1.1)`);
    const ids = Array.isArray(coords) ? (coords as string[]) : [name];
    for (const id of ids) {
      if (coordinateIds.has(id)) out.push(`${at}: coordinate ${id} already defined by axis ${coordinateIds.get(id)} (§6.1.1)`);
      coordinateIds.set(id, name);
    }
    if (Array.isArray(values)) {
      if (dataType === "tuple") {
        values.forEach((v, i) => {
          if (!Array.isArray(v) || v.length !== ids.length || v.some((x) => typeof x !== "number" && typeof x !== "string")) out.push(`${at}.values[${i}]: a tuple of ${ids.length} primitives (§6.1.1)`);
        });
      } else if (dataType === undefined) {
        if (values.some((v) => typeof v !== "number" && typeof v !== "string")) out.push(`${at}.values: primitives only (§6.1.1)`);
        // Monotonic ordering for ordered reference systems (numbers; ISO times sort as strings).
        const nums = values.map((v) => (typeof v === "string" ? Date.parse(v) : v)) as number[];
        const up = nums.every((v, i) => i === 0 || v > (nums[i - 1] ?? 0));
        const down = nums.every((v, i) => i === 0 || v < (nums[i - 1] ?? 0));
        if (!up && !down) out.push(`${at}.values: must be monotonic (§6.1.1)`);
      }
    }
  }
  const referencing = d["referencing"];
  if (referencing === undefined && !inheritedReferencing) out.push(`${where}.referencing: required outside a collection with referencing (§6.1)`);
  const referenced = new Set<string>();
  if (referencing !== undefined) {
    if (!Array.isArray(referencing)) out.push(`${where}.referencing: an array (§6.1)`);
    else
      referencing.forEach((r, i) => {
        const at = `${where}.referencing[${i}]`;
        if (!isObj(r) || !Array.isArray(r["coordinates"]) || !isObj(r["system"])) return void out.push(`${at}: needs coordinates and system (§6.1.2)`);
        for (const c of r["coordinates"] as string[]) {
          if (!coordinateIds.has(c)) out.push(`${at}: coordinate ${c} is not defined by any axis (§6.1.2)`);
          referenced.add(c);
        }
        const system = r["system"];
        if (typeof system["type"] !== "string") out.push(`${at}.system.type: required (§5)`);
        if (system["type"] === "TemporalRS") {
          if (system["calendar"] !== "Gregorian") out.push(`${at}.system.calendar: "Gregorian" (§5.2)`);
          // §5.2: values on a Gregorian time axis are ISO 8601 date-times.
          for (const c of r["coordinates"] as string[]) {
            const axis = axes[coordinateIds.get(c) ?? ""];
            if (isObj(axis) && Array.isArray(axis["values"]) && axis["dataType"] === undefined)
              for (const v of axis["values"]) if (typeof v !== "string" || !ISO_DATETIME.test(v)) out.push(`${where}.axes.${c}: ${JSON.stringify(v)} is not an ISO 8601 date-time (§5.2)`);
          }
        }
      });
  }
  // Common Domain Types: the axes each domain type requires.
  const dt = d["domainType"];
  const len = (n: string) => (isObj(axes[n]) ? axisLength(axes[n] as Json) : 0);
  if (dt === "PointSeries") {
    for (const a of ["x", "y", "t"]) if (axes[a] === undefined) out.push(`${where}: PointSeries needs axis ${a} (domain types, PointSeries)`);
    for (const a of ["x", "y", "z"]) if (axes[a] !== undefined && len(a) !== 1) out.push(`${where}.axes.${a}: PointSeries has a single ${a} value (domain types)`);
    for (const a of Object.keys(axes)) if (!["x", "y", "z", "t"].includes(a)) out.push(`${where}.axes.${a}: not a PointSeries axis (domain types)`);
  }
  if (dt === "MultiPointSeries") {
    const c = axes["composite"];
    if (!isObj(c) || c["dataType"] !== "tuple") out.push(`${where}.axes.composite: MultiPointSeries needs a tuple axis "composite" (domain types)`);
    else {
      const cc = c["coordinates"] as string[] | undefined;
      if (!Array.isArray(cc) || !(JSON.stringify(cc) === '["x","y"]' || JSON.stringify(cc) === '["x","y","z"]')) out.push(`${where}.axes.composite.coordinates: ["x","y"] or ["x","y","z"] (domain types)`);
    }
    if (axes["t"] === undefined) out.push(`${where}: MultiPointSeries needs axis t (domain types)`);
    for (const a of Object.keys(axes)) if (!["composite", "t"].includes(a)) out.push(`${where}.axes.${a}: not a MultiPointSeries axis (domain types)`);
  }
  if (dt !== undefined) for (const id of coordinateIds.keys()) if (!referenced.has(id) && referencing !== undefined) out.push(`${where}: coordinate ${id} has no reference system (§6.1.2)`);
  return d;
}

function checkNdArray(r: unknown, where: string, out: string[]): Json | undefined {
  if (!isObj(r)) return void out.push(`${where}: not an object (§6.2)`);
  if (r["type"] !== "NdArray") return void out.push(`${where}.type: "NdArray" expected (§6.2)`);
  const values = r["values"];
  if (!Array.isArray(values)) return void out.push(`${where}.values: required array (§6.2)`);
  const dataType = r["dataType"];
  if (dataType !== "float" && dataType !== "integer" && dataType !== "string") out.push(`${where}.dataType: float, integer or string (§6.2)`);
  values.forEach((v, i) => {
    if (v === null) return;
    const ok = dataType === "string" ? typeof v === "string" : typeof v === "number" && Number.isFinite(v) && (dataType !== "integer" || Number.isInteger(v));
    if (!ok) out.push(`${where}.values[${i}]: ${JSON.stringify(v)} does not match dataType ${String(dataType)}; missing data is null (§6.2)`);
  });
  const shape = r["shape"];
  const axisNames = r["axisNames"];
  if (!Array.isArray(shape) || shape.some((n) => !Number.isInteger(n) || n < 0)) out.push(`${where}.shape: an integer array, required for >= 1D (§6.2)`);
  else {
    if (!Array.isArray(axisNames) || axisNames.length !== shape.length) out.push(`${where}.axisNames: same length as shape (§6.2)`);
    const n = (shape as number[]).reduce((a, b) => a * b, 1);
    if (n !== values.length) out.push(`${where}: shape ${JSON.stringify(shape)} holds ${n} values, values has ${values.length} (§6.2)`);
  }
  return r;
}

function checkCoverage(c: unknown, where: string, out: string[], collection?: Json): void {
  if (!isObj(c)) return void out.push(`${where}: not an object (§6.4)`);
  if (c["type"] !== "Coverage") out.push(`${where}.type: "Coverage" (§6.4)`);
  const domain = checkDomain(c["domain"], `${where}.domain`, out, collection?.["referencing"] !== undefined);
  const parameters = (c["parameters"] ?? collection?.["parameters"]) as unknown;
  if (!isObj(parameters)) out.push(`${where}.parameters: required (§6.4)`);
  else for (const [k, p] of Object.entries(parameters)) checkParameter(p, `${where}.parameters.${k}`, out);
  const ranges = c["ranges"];
  if (!isObj(ranges)) return void out.push(`${where}.ranges: required object (§6.4)`);
  for (const [name, r] of Object.entries(ranges)) {
    const at = `${where}.ranges.${name}`;
    if (!isObj(parameters) || parameters[name] === undefined) out.push(`${at}: no parameter ${name} in scope (§6.4)`);
    const nd = checkNdArray(r, at, out);
    if (nd === undefined || domain === undefined || !isObj(domain["axes"])) continue;
    // §6.4: shape and axis names correspond to the domain axes; single-valued axes may be omitted.
    const axes = domain["axes"] as Json;
    const names = (nd["axisNames"] ?? []) as string[];
    const shape = (nd["shape"] ?? []) as number[];
    names.forEach((a, i) => {
      if (!isObj(axes[a])) out.push(`${at}.axisNames: ${a} is not a domain axis (§6.4)`);
      else if (axisLength(axes[a] as Json) !== shape[i]) out.push(`${at}.shape[${i}]: ${shape[i]} but axis ${a} has ${axisLength(axes[a] as Json)} values (§6.4)`);
    });
    for (const [a, axis] of Object.entries(axes)) if (isObj(axis) && axisLength(axis) > 1 && !names.includes(a)) out.push(`${at}.axisNames: axis ${a} has several values but is missing (§6.4)`);
  }
}

export function checkCoverageJson(doc: unknown): string[] {
  const out: string[] = [];
  if (!isObj(doc) || !TYPES.includes(String(doc["type"]))) return [`type: one of ${TYPES.join(", ")} (§6)`];
  if (doc["type"] === "Coverage") checkCoverage(doc, "$", out);
  else if (doc["type"] === "CoverageCollection") {
    // §6.5: a collection holds its coverages in "coverages".
    const covs = doc["coverages"];
    if (!Array.isArray(covs)) out.push(`$.coverages: required array (§6.5)`);
    else covs.forEach((c, i) => checkCoverage(c, `$.coverages[${i}]`, out, doc));
    if (doc["parameters"] !== undefined && isObj(doc["parameters"])) for (const [k, p] of Object.entries(doc["parameters"])) checkParameter(p, `$.parameters.${k}`, out);
  } else if (doc["type"] === "Domain") checkDomain(doc, "$", out, false);
  else if (doc["type"] === "NdArray") checkNdArray(doc, "$", out);
  return out;
}
