// Simplified levels of an unstructured triangle mesh (FVCOM) by vertex clustering that keeps the
// coastline. Pure.
//
// Level k snaps every node to a grid whose cell is 2^k times the mesh's median edge length
// (longitudes scaled by the cosine of the mean latitude, so cells are square on the ground):
//  * interior nodes of one cell form one cluster, placed at the member nearest the members' mean
//    (an original node, so inside the domain);
//  * boundary nodes (on an edge of exactly one triangle) are clustered only with their neighbours
//    along the same boundary loop: a run of consecutive loop nodes in one cell is one cluster,
//    placed at one of its own nodes, so the coastline of level k is a subsequence of the original
//    coastline's vertices; a loop keeps at least three clusters (an island never vanishes);
//  * each triangle maps to its clusters' triangle; collapsed (two corners in one cluster),
//    zero-area and repeated triangles are dropped;
//  * if a boundary edge between two clusters of a loop lost its only triangle (its third corner
//    fell into one of the two clusters), that corner is pinned as a cluster of its own and the level
//    is clustered again, until every loop is a closed chain of the level's edges.

export interface Mesh {
  lon: ArrayLike<number>;
  lat: ArrayLike<number>;
  /** Triangles as node indices, 0-based, three per triangle. */
  triangles: Int32Array;
}

export interface MeshLevel {
  /** Level-0 node -> cluster (node of this level). */
  clusterOf: Int32Array;
  /** Level-0 node standing for each cluster (its position and coastline vertex). */
  representative: Int32Array;
  /** Triangles of this level as cluster indices, three per triangle. */
  triangles: Int32Array;
  /** Nodes pinned as clusters of their own to keep a coastline edge (0 when plain clustering kept them all). */
  pinned: number;
}

/** The boundary loops of a mesh: cycles of nodes along edges used by exactly one triangle. */
export function boundaryLoops(nodes: number, triangles: Int32Array): number[][] {
  const edgeCount = new Map<number, number>();
  const key = (a: number, b: number): number => (a < b ? a * nodes + b : b * nodes + a);
  for (let t = 0; t < triangles.length; t += 3)
    for (let e = 0; e < 3; e++) {
      const k = key(triangles[t + e] as number, triangles[t + ((e + 1) % 3)] as number);
      edgeCount.set(k, (edgeCount.get(k) ?? 0) + 1);
    }
  const next = new Map<number, number[]>();
  for (const [k, n] of edgeCount) {
    if (n !== 1) continue;
    const a = Math.floor(k / nodes);
    const b = k % nodes;
    next.set(a, [...(next.get(a) ?? []), b]);
    next.set(b, [...(next.get(b) ?? []), a]);
  }
  const used = new Set<number>();
  const loops: number[][] = [];
  for (const start of [...next.keys()].sort((a, b) => a - b)) {
    for (const first of next.get(start) ?? []) {
      if (used.has(key(start, first))) continue;
      const loop = [start];
      let prev = start;
      let cur = first;
      used.add(key(start, first));
      while (cur !== start) {
        loop.push(cur);
        const onward = (next.get(cur) ?? []).find((n) => n !== prev && !used.has(key(cur, n))) ?? (next.get(cur) ?? []).find((n) => !used.has(key(cur, n)));
        if (onward === undefined) break;
        used.add(key(cur, onward));
        prev = cur;
        cur = onward;
      }
      loops.push(loop);
    }
  }
  return loops;
}

function medianEdge(mesh: Mesh, xs: Float64Array): number {
  const lengths: number[] = [];
  const step = Math.max(1, Math.floor(mesh.triangles.length / 3 / 20000));
  for (let t = 0; t < mesh.triangles.length; t += 3 * step) {
    const a = mesh.triangles[t] as number;
    const b = mesh.triangles[t + 1] as number;
    lengths.push(Math.hypot((xs[a] as number) - (xs[b] as number), (mesh.lat[a] as number) - (mesh.lat[b] as number)));
  }
  lengths.sort((x, y) => x - y);
  return lengths[Math.floor(lengths.length / 2)] || 1e-6;
}

/** Longitudes scaled by the cosine of the mean latitude (cells square on the ground). */
function scaledX(mesh: Mesh): Float64Array {
  let lat0 = 0;
  for (let i = 0; i < mesh.lat.length; i++) lat0 += mesh.lat[i] as number;
  lat0 /= Math.max(1, mesh.lat.length);
  const c = Math.cos((lat0 * Math.PI) / 180);
  return Float64Array.from({ length: mesh.lon.length }, (_, i) => (mesh.lon[i] as number) * c);
}

/** Twice the signed area of a triangle: zero when its corners are on one line (such triangles are dropped). */
function area2(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return (bx - ax) * (cy - ay) - (cx - ax) * (by - ay);
}

interface Context {
  mesh: Mesh;
  xs: Float64Array;
  loops: number[][];
  boundary: Uint8Array;
  /** How many loop positions each node has (a pinch node touching two loops has two). */
  loopUses: Uint16Array;
  base: number;
}

function context(mesh: Mesh): Context {
  const n = mesh.lon.length;
  const xs = scaledX(mesh);
  const loops = boundaryLoops(n, mesh.triangles);
  const boundary = new Uint8Array(n);
  const loopUses = new Uint16Array(n);
  for (const loop of loops)
    for (const v of loop) {
      boundary[v] = 1;
      loopUses[v] = (loopUses[v] ?? 0) + 1;
    }
  return { mesh, xs, loops, boundary, loopUses, base: medianEdge(mesh, xs) };
}

/** Level `k` of a mesh (k >= 1). */
export function simplifyMesh(mesh: Mesh, k: number, ctx: Context = context(mesh)): MeshLevel {
  const pinned = new Set<number>();
  for (let attempt = 0; ; attempt++) {
    const level = { ...clusterOnce(ctx, k, pinned), pinned: pinned.size };
    const broken = brokenLoopCorners(ctx, level);
    // Pinning only ever splits clusters, so each round mends the edges it found; the bound is a guard.
    if (broken.length === 0 || attempt >= 64) return level;
    for (const v of broken) pinned.add(v);
  }
}

function clusterOnce(ctx: Context, k: number, pinned: ReadonlySet<number>): Omit<MeshLevel, "pinned"> {
  const { mesh, xs, loops, boundary, loopUses } = ctx;
  const n = mesh.lon.length;
  const cell = ctx.base * 2 ** k;
  const cellOf = (v: number): string => `${Math.floor((xs[v] as number) / cell)},${Math.floor((mesh.lat[v] as number) / cell)}`;
  const clusterOf = new Int32Array(n).fill(-1);
  const members: number[][] = [];
  const open = (first: number): number => {
    members.push([first]);
    return members.length - 1;
  };
  // Boundary runs, loop by loop.
  for (const loop of loops) {
    const runs: number[][] = [];
    for (const v of loop) {
      const last = runs[runs.length - 1];
      const single = pinned.has(v) || (loopUses[v] ?? 0) > 1;
      const prev = last?.[last.length - 1];
      if (last !== undefined && !single && prev !== undefined && !pinned.has(prev) && (loopUses[prev] ?? 0) <= 1 && cellOf(prev) === cellOf(v)) last.push(v);
      else runs.push([v]);
    }
    // The loop is a cycle: its last run continues its first when both lie in one cell.
    const first = runs[0];
    const last = runs[runs.length - 1];
    if (runs.length > 3 && first !== undefined && last !== undefined && last !== first) {
      const a = last[last.length - 1] as number;
      const b = first[0] as number;
      if (!pinned.has(a) && !pinned.has(b) && (loopUses[a] ?? 0) <= 1 && (loopUses[b] ?? 0) <= 1 && cellOf(a) === cellOf(b)) {
        runs[0] = [...last, ...first];
        runs.pop();
      }
    }
    // At least three clusters a loop: split the loop in three runs of consecutive nodes.
    const thirds = runs.length >= 3 || loop.length < 3 ? runs : [0, 1, 2].map((i) => loop.slice(Math.floor((i * loop.length) / 3), Math.floor(((i + 1) * loop.length) / 3)));
    // Pinned and pinch nodes stay clusters of their own in any run.
    const kept = thirds.flatMap((run) => {
      const parts: number[][] = [[]];
      for (const v of run) {
        if (pinned.has(v) || (loopUses[v] ?? 0) > 1) parts.push([v], []);
        else (parts[parts.length - 1] as number[]).push(v);
      }
      return parts.filter((p) => p.length > 0);
    });
    for (const run of kept) {
      const todo = run.filter((v) => clusterOf[v] === -1);
      if (todo.length === 0) continue;
      const c = open(todo[0] as number);
      for (const v of todo) clusterOf[v] = c;
      (members[c] as number[]).splice(0, 1, ...todo);
    }
  }
  // Interior nodes by cell.
  const byCell = new Map<string, number>();
  for (let v = 0; v < n; v++) {
    if (clusterOf[v] !== -1) continue;
    if (boundary[v] === 1 || pinned.has(v)) {
      clusterOf[v] = open(v);
      continue;
    }
    const key = cellOf(v);
    let c = byCell.get(key);
    if (c === undefined) {
      c = open(v);
      byCell.set(key, c);
    } else (members[c] as number[]).push(v);
    clusterOf[v] = c;
  }
  const representative = new Int32Array(members.length);
  members.forEach((m, c) => {
    let mx = 0;
    let my = 0;
    for (const v of m) {
      mx += xs[v] as number;
      my += mesh.lat[v] as number;
    }
    mx /= m.length;
    my /= m.length;
    let best = m[0] as number;
    let bestD = Infinity;
    for (const v of m) {
      const d = ((xs[v] as number) - mx) ** 2 + ((mesh.lat[v] as number) - my) ** 2;
      if (d < bestD) [best, bestD] = [v, d];
    }
    representative[c] = best;
  });
  const tris: number[] = [];
  const seen = new Set<string>();
  const repX = (c: number): number => xs[representative[c] as number] as number;
  const repY = (c: number): number => mesh.lat[representative[c] as number] as number;
  for (let t = 0; t < mesh.triangles.length; t += 3) {
    const a = clusterOf[mesh.triangles[t] as number] as number;
    const b = clusterOf[mesh.triangles[t + 1] as number] as number;
    const c = clusterOf[mesh.triangles[t + 2] as number] as number;
    if (a === b || b === c || a === c) continue;
    if (area2(repX(a), repY(a), repX(b), repY(b), repX(c), repY(c)) === 0) continue;
    const key = [a, b, c].sort((x, y) => x - y).join(",");
    if (seen.has(key)) continue;
    seen.add(key);
    tris.push(a, b, c);
  }
  return { clusterOf, representative, triangles: Int32Array.from(tris) };
}

/** Corners to pin: for each loop edge between two clusters that no level triangle has, the third corners of its original triangles. */
function brokenLoopCorners(ctx: Context, level: Omit<MeshLevel, "pinned">): number[] {
  const { mesh } = ctx;
  const edges = levelEdges(level.triangles, level.representative.length);
  const missing: Array<[number, number]> = [];
  for (const loop of ctx.loops)
    for (let i = 0; i < loop.length; i++) {
      const a = loop[i] as number;
      const b = loop[(i + 1) % loop.length] as number;
      const ca = level.clusterOf[a] as number;
      const cb = level.clusterOf[b] as number;
      if (ca !== cb && !edges.has(edgeKey(ca, cb, level.representative.length))) missing.push([a, b]);
    }
  if (missing.length === 0) return [];
  const wanted = new Set(missing.map(([a, b]) => edgeKey(a, b, mesh.lon.length)));
  const out: number[] = [];
  for (let t = 0; t < mesh.triangles.length; t += 3)
    for (let e = 0; e < 3; e++) {
      const a = mesh.triangles[t + e] as number;
      const b = mesh.triangles[t + ((e + 1) % 3)] as number;
      if (wanted.has(edgeKey(a, b, mesh.lon.length))) out.push(mesh.triangles[t + ((e + 2) % 3)] as number, a, b);
    }
  return out;
}

function edgeKey(a: number, b: number, n: number): number {
  return a < b ? a * n + b : b * n + a;
}

/** Every edge of a triangle list, as edgeKey values. */
export function levelEdges(triangles: Int32Array, nodes: number): Set<number> {
  const out = new Set<number>();
  for (let t = 0; t < triangles.length; t += 3)
    for (let e = 0; e < 3; e++) out.add(edgeKey(triangles[t + e] as number, triangles[t + ((e + 1) % 3)] as number, nodes));
  return out;
}

/**
 * Levels 1..K until at most `maxNodes` nodes are left (or a level no longer shrinks the mesh by a
 * tenth, or 16 levels).
 */
export function meshLevels(mesh: Mesh, maxNodes: number): MeshLevel[] {
  const ctx = context(mesh);
  const out: MeshLevel[] = [];
  let nodes = mesh.lon.length;
  for (let k = 1; k <= 16 && nodes > maxNodes; k++) {
    const level = simplifyMesh(mesh, k, ctx);
    const m = level.representative.length;
    if (m > 0.9 * nodes) break;
    out.push(level);
    nodes = m;
  }
  return out;
}

/** Cluster means of node values (`values` one slice over the level-0 nodes); NaN where no member counted. */
export function clusterMeans(values: ArrayLike<number>, level: MeshLevel, missing: readonly number[] = []): Float32Array {
  const m = level.representative.length;
  const sums = new Float64Array(m);
  const counts = new Uint32Array(m);
  const skip = missing.filter((x) => Number.isFinite(x));
  for (let v = 0; v < values.length; v++) {
    const x = values[v] as number;
    if (!Number.isFinite(x) || skip.includes(x)) continue;
    const c = level.clusterOf[v] as number;
    sums[c] = (sums[c] as number) + x;
    counts[c] = (counts[c] as number) + 1;
  }
  const out = new Float32Array(m);
  for (let c = 0; c < m; c++) out[c] = (counts[c] as number) === 0 ? NaN : (sums[c] as number) / (counts[c] as number);
  return out;
}
