// Simplified mesh levels (dataplane/multiscale/mesh.ts) on a synthetic coastal mesh: a jittered
// triangulation with a bay cut into its coast, two islands, rivers one element wide, and a ragged
// coast of ear triangles. Every boundary loop (coast and
// islands) stays a closed chain of the level's edges through original coastline vertices, nodes
// shrink level after level, and no triangle is degenerate.
import { describe, expect, it } from "vitest";
import { boundaryLoops, clusterMeans, levelEdges, meshLevels, simplifyMesh } from "../../dataplane/multiscale/mesh.js";
import { coastalMesh } from "./coastal-mesh.js";

describe("mesh simplification", () => {
  const mesh = coastalMesh(120, 90);
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
