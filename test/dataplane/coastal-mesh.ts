// A synthetic coastal triangle mesh (FVCOM-like, 0-based triangles) for the mesh overview tests:
// a jittered triangulation with a bay cut into its coast, two islands, rivers one element wide,
// a ragged coast of ear triangles, and a detached lagoon channel. Deterministic.
import type { Mesh } from "../../dataplane/multiscale/mesh.js";

/** A coastal mesh of about nx * ny nodes; deterministic. */
export function coastalMesh(nx: number, ny: number): Mesh {
  let seed = 7;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const lon: number[] = [];
  const lat: number[] = [];
  const id = (i: number, j: number): number => j * nx + i;
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++) {
      const edge = i === 0 || j === 0 || i === nx - 1 || j === ny - 1;
      lon.push(-90.5 + (i + (edge ? 0 : 0.3 * (rand() - 0.5))) * 0.01);
      lat.push(28.5 + (j + (edge ? 0 : 0.3 * (rand() - 0.5))) * 0.01);
    }
  const inside = (x: number, y: number): boolean =>
    Math.hypot(x - nx * 0.3, y - ny * 0.5) < Math.min(nx, ny) * 0.12 || // island
    Math.hypot(x - nx * 0.7, y - ny * 0.3) < Math.min(nx, ny) * 0.08 || // islet
    (y > ny * 0.75 && Math.abs(x - nx * 0.5) < nx * 0.06); // a bay into the north coast
  const tris: number[] = [];
  for (let j = 0; j < ny - 1; j++)
    for (let i = 0; i < nx - 1; i++) {
      if (inside(i + 0.5, j + 0.5)) continue;
      tris.push(id(i, j), id(i + 1, j), id(i + 1, j + 1), id(i, j), id(i + 1, j + 1), id(i, j + 1));
    }
  // A ragged south coast: an ear under every boundary edge, a triangle with two coastline edges
  // (the case where clustering can lose a coastline edge's only triangle).
  for (let i = 0; i < nx - 1; i++) {
    const ear = lon.push(-90.5 + (i + 0.5) * 0.01) - 1;
    lat.push(28.5 - 0.004 - 0.003 * rand());
    tris.push(id(i, 0), ear, id(i + 1, 0));
  }
  // Rivers: channels one element wide running north from the coast, as FVCOM meshes have them.
  // Every node of a channel is on the coastline; where a coarse cell boundary falls between its
  // banks at its head, both head triangles collapse and the mesh must be mended (mesh.ts).
  for (let n = 0; n < 12; n++) {
    const i0 = Math.floor(nx * (0.05 + 0.075 * n)) + (n % 2);
    let a = id(i0, ny - 1);
    let b = id(i0 + 1, ny - 1);
    for (let r = 1; r <= 17 + n; r++) {
      const na = lon.push(lon[id(i0, ny - 1)] as number) - 1;
      lat.push(28.5 + (ny - 1 + r) * 0.01);
      const nb = lon.push(lon[id(i0 + 1, ny - 1)] as number) - 1;
      lat.push(28.5 + (ny - 1 + r) * 0.01);
      tris.push(a, b, nb, a, nb, na);
      [a, b] = [na, nb];
    }
  }
  // A lagoon: a detached channel one element wide and a few long. At coarse levels its whole
  // loop falls in one cell and is cut into three runs; the triangles at its ends then collapse
  // and the coastline edge between the runs must be mended by pinning (mesh.ts).
  {
    const x0 = -90.5 + (nx + 4) * 0.01;
    let a = lon.push(x0) - 1;
    lat.push(28.7);
    let b = lon.push(x0) - 1;
    lat.push(28.7 + 0.002);
    for (let r = 1; r <= 5; r++) {
      const na = lon.push(x0 + r * 0.01) - 1;
      lat.push(28.7);
      const nb = lon.push(x0 + r * 0.01) - 1;
      lat.push(28.7 + 0.002);
      tris.push(a, na, nb, a, nb, b);
      [a, b] = [na, nb];
    }
  }
  // Drop the nodes no triangle uses (inside the islands) and renumber.
  const used = new Int32Array(lon.length).fill(-1);
  const keep: number[] = [];
  for (const v of tris) if (used[v] === -1) used[v] = keep.push(v) - 1;
  return { lon: keep.map((v) => lon[v] as number), lat: keep.map((v) => lat[v] as number), triangles: Int32Array.from(tris, (v) => used[v] as number) };
}

