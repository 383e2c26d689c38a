// IngestJob `spec.variables`: which variables of the files a dataset keeps. The selection names
// data variables; every variable they need to be read comes along: the time coordinate, the
// coordinate variable of each of their dimensions, the variables their CF and UGRID attributes
// name (coordinates, bounds, formula_terms, grid_mapping, cell_measures, ancillary_variables, the
// mesh and its connectivity), and the grid variables of the model family that the conventions do
// not name (ROMS land masks `mask_<grid>`, FVCOM's triangle table `nv`). Pure.
import type { DatasetTemplate, TemplateChar, TemplateVariable } from "./template.js";

export interface VariableSelection {
  /** Only these variables (and what they need). */
  readonly include?: readonly string[];
  /** Every variable except these (what the kept ones need stays). */
  readonly exclude?: readonly string[];
}

/** Model families whose grid variables are not all named by CF attributes (Dataset `spec.model`). */
export type ModelFamily = "roms" | "fvcom" | "selfe" | "rtofs" | "generic";

/** Attributes whose value names other variables ("lon_rho lat_rho", "s: s_rho C: Cs_r", "area: cell_area"). */
const NAMING_ATTRIBUTES = [
  "coordinates", "bounds", "formula_terms", "grid_mapping", "cell_measures", "ancillary_variables", "mesh",
  "node_coordinates", "face_coordinates", "edge_coordinates", "face_node_connectivity", "edge_node_connectivity",
  "face_edge_connectivity", "face_face_connectivity", "boundary_node_connectivity",
];

export class SelectionError extends Error {
  override readonly name = "SelectionError";
}

type Node = TemplateVariable | TemplateChar;

function namedBy(v: Node): string[] {
  const out: string[] = [];
  for (const attr of NAMING_ATTRIBUTES) {
    const value = v.attrs[attr];
    if (typeof value !== "string") continue;
    // "key: name" pairs (formula_terms, cell_measures) and plain lists alike: names are the tokens without a colon.
    for (const token of value.split(/\s+/)) if (token !== "" && !token.endsWith(":")) out.push(token);
  }
  return out;
}

/** Grid variables of the model family a variable on `dims` needs and no attribute names. */
function familyGrid(model: ModelFamily | undefined, dims: readonly string[]): string[] {
  if (model === "roms") return dims.filter((d) => d.startsWith("eta_")).map((d) => `mask_${d.slice(4)}`);
  if (model === "fvcom") return dims.some((d) => d === "node" || d === "nele") ? ["nv"] : [];
  return [];
}

/**
 * The template restricted to the selected variables and their dependencies; dimensions no kept
 * variable uses are dropped. A variable `include` names that the file lacks throws a
 * SelectionError naming it (the caller refuses the file). `exclude` of a variable a file lacks
 * is not an error: it is not ingested either way.
 */
export function selectVariables(t: DatasetTemplate, selection: VariableSelection | undefined, model?: ModelFamily): DatasetTemplate {
  if (selection === undefined || (selection.include === undefined && selection.exclude === undefined)) return t;
  const nodes = new Map<string, Node>([...t.variables, ...(t.chars ?? [])].map((v) => [v.name, v]));
  let wanted: string[];
  if (selection.include !== undefined) {
    const missing = selection.include.filter((name) => !nodes.has(name));
    if (missing.length > 0) throw new SelectionError(`variable${missing.length > 1 ? "s" : ""} ${missing.join(", ")} listed in variables.include ${missing.length > 1 ? "are" : "is"} not in the file`);
    wanted = [...selection.include];
  } else {
    const excluded = new Set(selection.exclude);
    wanted = [...nodes.keys()].filter((name) => !excluded.has(name));
  }
  const keep = new Set<string>();
  const visit = (name: string, asDependency: boolean): void => {
    const v = nodes.get(name);
    if (v === undefined || keep.has(name)) return;
    // A time-dependent variable another one names (ROMS s_rho's formula_terms "eta: zeta") is data,
    // kept only when selected; static ones (h, hc, Cs_r, masks, connectivity) are the grid.
    if (asDependency && v.dims[0] === t.concatDim && name !== t.concatDim) return;
    keep.add(name);
    for (const d of v.dims) if (nodes.get(d)?.dims.length === 1 && nodes.get(d)?.dims[0] === d) visit(d, true);
    for (const dep of [...namedBy(v), ...familyGrid(model, v.dims)]) visit(dep, true);
  };
  visit(t.concatDim, true);
  for (const name of wanted) visit(name, false);
  const variables = t.variables.filter((v) => keep.has(v.name));
  const chars = (t.chars ?? []).filter((c) => keep.has(c.name));
  const used = new Set([...variables, ...chars].flatMap((v) => v.dims));
  const dims = Object.fromEntries(Object.entries(t.dims).filter(([d]) => used.has(d)));
  return { ...t, dims, variables, ...(t.chars !== undefined ? { chars } : {}) };
}
