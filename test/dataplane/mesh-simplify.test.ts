// Simplified mesh levels (dataplane/multiscale/mesh.ts) on a synthetic coastal mesh: a jittered
// triangulation with a bay cut into its coast, two islands, rivers one element wide, and a ragged
// coast of ear triangles. Every boundary loop (coast and
// islands) stays a closed chain of the level's edges through original coastline vertices, nodes
// shrink level after level, and no triangle is degenerate. Then an FVCOM-like file on that mesh
// (make_fvcom_mesh.py) through the ingest: the levels open in xarray and hold cluster means.
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { FileStore, arrayOf, ingest, readConsolidated, readRegion, type Ledger } from "../../dataplane/index.js";
import { boundaryLoops, clusterMeans, levelEdges, meshLevels, simplifyMesh } from "../../dataplane/multiscale/mesh.js";
import { coastalMesh } from "./coastal-mesh.js";
import { tempDir } from "./fixtures.js";

const fixtures = fileURLToPath(new URL("../fixtures/multiscales/", import.meta.url));
const mesh = coastalMesh(120, 90);

describe("mesh simplification", () => {
  const loops = boundaryLoops(mesh.lon.length, mesh.triangles);

  it("finds the coast, the two islands, the lagoon and a cut-off river as closed loops", () => {
    expect(loops.map((l) => l.length)).toEqual([1071, 56, 88, 48, 12]);
    for (const loop of loops) expect(loop.length).toBeGreaterThan(8);
  });

  it("keeps every boundary loop closed through coastline vertices at every level while nodes shrink", () => {
    const levels = meshLevels(mesh, 500);
    expect(levels.length).toBeGreaterThanOrEqual(3);
    let nodes = mesh.lon.length;
    for (const level of levels) {
      const m = level.representative.length;
      expect(m).toBeLessThan(nodes);
      nodes = m;
      const edges = levelEdges(level.triangles, m);
      const onCoast = new Set(loops.flat());
      for (const loop of loops) {
        // The loop's clusters in order, consecutive repeats folded: a cycle of at least three.
        const chain: number[] = [];
        for (const v of loop) {
          const c = level.clusterOf[v] as number;
          if (chain[chain.length - 1] !== c) chain.push(c);
        }
        if (chain.length > 1 && chain[0] === chain[chain.length - 1]) chain.pop();
        expect(new Set(chain).size).toBeGreaterThanOrEqual(3);
        for (let i = 0; i < chain.length; i++) {
          const a = chain[i] as number;
          const b = chain[(i + 1) % chain.length] as number;
          expect(edges.has(a < b ? a * m + b : b * m + a), `level edge ${a}-${b} of a boundary loop`).toBe(true);
          // A coastline cluster sits on an original coastline vertex.
          expect(onCoast.has(level.representative[a] as number)).toBe(true);
        }
      }
      for (let t = 0; t < level.triangles.length; t += 3) {
        const [a, b, c] = [level.triangles[t], level.triangles[t + 1], level.triangles[t + 2]] as number[];
        expect(a !== b && b !== c && a !== c).toBe(true);
        expect(Math.max(a as number, b as number, c as number)).toBeLessThan(m);
      }
    }
    // The last level is small enough, and far smaller than the mesh.
    expect(nodes).toBeLessThanOrEqual(500);
  });

  it("averages node values over each cluster, skipping missing ones", () => {
    const level = simplifyMesh(mesh, 2);
    const values = Float64Array.from({ length: mesh.lon.length }, (_, v) => (v % 13 === 0 ? NaN : v % 17 === 0 ? -999 : (mesh.lon[v] as number) + 2 * (mesh.lat[v] as number)));
    const means = clusterMeans(values, level, [-999]);
    const sums = new Map<number, number[]>();
    values.forEach((x, v) => {
      if (Number.isFinite(x) && x !== -999) sums.set(level.clusterOf[v] as number, [...(sums.get(level.clusterOf[v] as number) ?? []), x]);
    });
    for (let c = 0; c < level.representative.length; c++) {
      const xs = sums.get(c);
      if (xs === undefined) expect(Number.isNaN(means[c])).toBe(true);
      else expect(means[c]).toBeCloseTo(xs.reduce((a, b) => a + b, 0) / xs.length, 4);
    }
  });
});

describe("mesh overview levels written by the ingest", () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const MJD = Date.UTC(1858, 10, 17);

  function fvcomFile(name: string, hours: number[], seed = 0): string {
    const path = join(tmp.path, name);
    const spec = join(tmp.path, `${name}.json`);
    const times = hours.map((h) => (Date.parse("2023-10-22T00:00:00Z") + h * 3_600_000 - MJD) / 86_400_000);
    writeFileSync(spec, JSON.stringify({ path, lon: Array.from(mesh.lon), lat: Array.from(mesh.lat), triangles: Array.from(mesh.triangles), times, seed }));
    execFileSync("/usr/bin/python3", [fileURLToPath(new URL("./make_fvcom_mesh.py", import.meta.url)), spec]);
    return path;
  }

  it("simplified levels open in xarray, hold level 0's node values averaged per cluster, and follow an append", async () => {
    const store = join(tmp.path, "mesh.zarr");
    const opts = { store, overviews: { meshNodes: 500 } };
    await ingest({ ...opts, inputs: [fvcomFile("a.nc", [1, 2])] });
    await ingest({ ...opts, inputs: [fvcomFile("b.nc", [3])] });
    const fs = new FileStore(store);
    const state = await readConsolidated<Ledger>(fs);
    if (state === undefined) throw new Error("no store");
    const record = state.ledger?.overviews?.[""];
    expect(record?.kind).toBe("mesh");
    expect(record?.length).toBe(3);
    const K = record?.levels ?? 0;
    expect(K).toBeGreaterThanOrEqual(3);

    // The layout: vertex-cluster levels with their node and element counts, valid for the convention.
    const attrs = state.hierarchy.groups[""] as Record<string, unknown>;
    const ms = attrs.multiscales as { resampling_method: string; layout: Array<Record<string, unknown>> };
    expect(ms.resampling_method).toBe("vertex-cluster");
    expect(ms.layout[0]?.["dmac:shape"]).toEqual({ node: mesh.lon.length, nele: mesh.triangles.length / 3 });
    expect(ms.layout.slice(1).map((l) => l.resampling_method)).toEqual(Array.from({ length: K }, () => "vertex-cluster"));
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addSchema(JSON.parse(readFileSync(join(fixtures, "schema-v0.1.0.json"), "utf8")) as Record<string, unknown>);
    const ours = ajv.compile(JSON.parse(readFileSync(join(fixtures, "dmac-group-attributes.schema.json"), "utf8")) as Record<string, unknown>);
    expect(ours(attrs), JSON.stringify(ours.errors)).toBe(true);

    // xarray opens every level alone; its mesh is valid (1-based nv within its nodes, no collapsed triangle).
    const script = [
      "import json, sys, numpy as np, xarray as xr",
      "out = []",
      "for k in range(1, int(sys.argv[2]) + 1):",
      // FVCOM's siglay(siglay, node) clashes with xarray's dimension coordinates, at level 0 too (docs/dataplane.md).
      "    ds = xr.open_zarr(sys.argv[1], group=f'overviews/{k}', drop_variables=['siglay'])",
      "    nv = ds.nv.values",
      "    bad = int(((nv[0] == nv[1]) | (nv[1] == nv[2]) | (nv[0] == nv[2])).sum())",
      "    out.append({'node': ds.sizes['node'], 'nele': ds.sizes['nele'], 'min': int(nv.min()), 'max': int(nv.max()), 'bad': bad, 'zeta': list(ds.zeta.dims), 'temp': list(ds.temp.dims), 'steps': len(ds.time), 'u': 'u' in ds})",
      "print(json.dumps(out))",
    ].join("\n");
    const levels = JSON.parse(execFileSync("/usr/bin/python3", ["-c", script, store, String(K)]).toString()) as Array<Record<string, unknown>>;
    let nodes = mesh.lon.length;
    levels.forEach((l, i) => {
      expect(l).toMatchObject({ min: 1, bad: 0, zeta: ["time", "node"], temp: ["time", "siglay", "node"], steps: 3, u: false });
      expect(l.max).toBeLessThanOrEqual(l.node as number);
      expect(l.node).toBeLessThan(nodes);
      expect({ node: l.node, nele: l.nele }).toEqual(ms.layout[i + 1]?.["dmac:shape"]);
      nodes = l.node as number;
    });
    expect(nodes).toBeLessThanOrEqual(500);

    // Values: each level's zeta is the mean of level 0's valid values over each cluster, for every step
    // (clusters recomputed here from the stored mesh, which is float32).
    const read = async (path: string, start?: number[], count?: number[]): Promise<Float64Array> => {
      const a = arrayOf(fs, state, path);
      if (a === undefined) throw new Error(`no ${path}`);
      return Float64Array.from((await readRegion(a, start, count)) as Float32Array);
    };
    const stored = { lon: await read("lon"), lat: await read("lat"), triangles: Int32Array.from(mesh.triangles) };
    const expected = meshLevels(stored, 500);
    expect(expected).toHaveLength(K);
    const n = mesh.lon.length;
    for (let step = 0; step < 3; step++) {
      const zeta = await read("zeta", [step, 0], [1, n]);
      for (let k = 1; k <= K; k++) {
        const level = expected[k - 1] as NonNullable<(typeof expected)[number]>;
        const want = clusterMeans(zeta, level, [Math.fround(9.96921e36)]);
        const got = await read(`overviews/${k}/zeta`, [step, 0], [1, want.length]);
        expect(Array.from(got)).toEqual(Array.from(want, (x) => x));
        expect(Array.from(await read(`overviews/${k}/lon`))).toEqual(Array.from(level.representative, (v) => stored.lon[v] as number));
      }
    }
  });
});
