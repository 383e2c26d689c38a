// selectVariables, pure: what a variable needs comes along (CF and UGRID attributes, dimension
// coordinates, the model family's grid), what nothing needs is dropped with its dimensions.
import { describe, expect, it } from "vitest";
import { selectVariables } from "../../dataplane/aggregate/select.js";
import type { DatasetTemplate, TemplateVariable } from "../../dataplane/aggregate/template.js";

const v = (name: string, dims: string[], attrs: TemplateVariable["attrs"] = {}): TemplateVariable => ({ name, dtype: "<f4", dims, attrs, fillValue: null });
const names = (t: DatasetTemplate) => [...t.variables.map((x) => x.name), ...(t.chars ?? []).map((c) => c.name)].sort();

/** SELFE/SCHISM-like: a UGRID mesh whose connectivity only the mesh variable names. */
const selfe: DatasetTemplate = {
  concatDim: "time",
  dims: { nSCHISM_hgrid_node: 6, nSCHISM_hgrid_face: 3, nMaxSCHISM_hgrid_face_nodes: 4, nSCHISM_vgrid_layers: 3 },
  variables: [
    v("time", ["time"]),
    v("SCHISM_hgrid", [], { cf_role: "mesh_topology", node_coordinates: "x y", face_node_connectivity: "ele" }),
    v("x", ["nSCHISM_hgrid_node"], { mesh: "SCHISM_hgrid" }),
    v("y", ["nSCHISM_hgrid_node"], { mesh: "SCHISM_hgrid" }),
    v("ele", ["nSCHISM_hgrid_face", "nMaxSCHISM_hgrid_face_nodes"]),
    v("depth", ["nSCHISM_hgrid_node"], { mesh: "SCHISM_hgrid" }),
    v("sigma", ["nSCHISM_vgrid_layers"]),
    v("elev", ["time", "nSCHISM_hgrid_node"], { mesh: "SCHISM_hgrid" }),
    v("temp", ["time", "nSCHISM_hgrid_node", "nSCHISM_vgrid_layers"], { mesh: "SCHISM_hgrid", cell_measures: "area: cell_area", ancillary_variables: "temp_qc" }),
    v("cell_area", ["nSCHISM_hgrid_node"]),
    v("temp_qc", ["time", "nSCHISM_hgrid_node", "nSCHISM_vgrid_layers"]),
  ],
  chars: [],
  attrs: {},
};

describe("selectVariables", () => {
  it("no selection is the template itself", () => {
    expect(selectVariables(selfe, undefined)).toBe(selfe);
    expect(selectVariables(selfe, {})).toBe(selfe);
  });

  it("UGRID: a mesh variable brings its mesh topology, node coordinates and face connectivity", () => {
    const t = selectVariables(selfe, { include: ["elev"] });
    expect(names(t)).toEqual(["SCHISM_hgrid", "ele", "elev", "time", "x", "y"]);
    // The layers dimension (sigma's) is used by no kept variable.
    expect(Object.keys(t.dims).sort()).toEqual(["nMaxSCHISM_hgrid_face_nodes", "nSCHISM_hgrid_face", "nSCHISM_hgrid_node"]);
  });

  it("cell_measures ('area: name') and ancillary_variables name what comes along; a time-dependent one too when named as ancillary", () => {
    const t = selectVariables(selfe, { include: ["temp"] });
    expect(names(t)).toContain("cell_area");
    // temp_qc is time-dependent data: named by an attribute, it is still only kept when selected.
    expect(names(t)).not.toContain("temp_qc");
    expect(names(selectVariables(selfe, { include: ["temp", "temp_qc"] }))).toContain("temp_qc");
  });

  it("exclude keeps everything else and what it needs; excluding the time coordinate cannot drop it", () => {
    const t = selectVariables(selfe, { exclude: ["temp", "temp_qc", "cell_area", "time"] });
    expect(names(t)).toEqual(["SCHISM_hgrid", "depth", "ele", "elev", "sigma", "time", "x", "y"]);
  });

  it("include of a missing variable names every one missing", () => {
    expect(() => selectVariables(selfe, { include: ["elev", "u", "v"] })).toThrow("variables u, v listed in variables.include are not in the file");
  });

  it("ROMS: a variable on eta_u/xi_u brings mask_u by the model's convention, not with generic", () => {
    const roms: DatasetTemplate = {
      concatDim: "ocean_time",
      dims: { eta_u: 2, xi_u: 3, eta_rho: 2, xi_rho: 4 },
      variables: [v("ocean_time", ["ocean_time"]), v("u", ["ocean_time", "eta_u", "xi_u"], { coordinates: "lon_u lat_u" }), v("lon_u", ["eta_u", "xi_u"]), v("lat_u", ["eta_u", "xi_u"]), v("mask_u", ["eta_u", "xi_u"]), v("mask_rho", ["eta_rho", "xi_rho"])],
      attrs: {},
    };
    expect(names(selectVariables(roms, { include: ["u"] }, "roms"))).toEqual(["lat_u", "lon_u", "mask_u", "ocean_time", "u"]);
    expect(names(selectVariables(roms, { include: ["u"] }, "generic"))).toEqual(["lat_u", "lon_u", "ocean_time", "u"]);
  });
});
