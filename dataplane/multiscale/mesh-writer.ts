// Overview levels of an unstructured mesh (FVCOM): simplified meshes by coastline-keeping vertex
// clustering (mesh.ts), each level a mesh of its own (`lon`, `lat` on its nodes, `nv` in level 0's
// convention) with the node-centred variables averaged over each cluster. The clustering is
// computed again from level 0's mesh at each commit (about a second for 250,000 nodes): the mesh
// never changes, and nothing else needs keeping.
import { arrayPath } from "../aggregate/tasks.js";
import { allocate } from "../dtype.js";
import type { Dtype, TypedArray } from "../types.js";
import { readRegion, writeRegion } from "../zarr/chunks.js";
import type { ArrayNode, Hierarchy } from "../zarr/metadata.js";
import { multiscalesLayout, withMultiscales, withoutMultiscales } from "./attributes.js";
import { CATCH_UP_STEPS, addCommonNodes, copyStatics, copyTime, dimsOf, handle, isTimed, levelPath, missingOf, numbers, planSteps, prefixes, timeShape, type OverviewRecord, type OverviewUpdate, type StepPlan } from "./level-io.js";
import { clusterMeans, meshLevels, type MeshLevel } from "./mesh.js";
import { MESH_NODES, type MeshPlan } from "./plan.js";

interface GroupMesh {
  levels: MeshLevel[];
  /** The smallest node number in level 0's `nv` (FVCOM: 1); each level's `nv` counts from it too. */
  base: number;
  nodes: number;
  elements: number;
}

async function meshOf(u: OverviewUpdate, plan: MeshPlan, group: string): Promise<GroupMesh> {
  const m = plan.mesh;
  const lon = numbers(await readRegion(handle(u, arrayPath(group, m.lon))));
  const lat = numbers(await readRegion(handle(u, arrayPath(group, m.lat))));
  const nvArray = handle(u, arrayPath(group, m.nv));
  const nv = numbers(await readRegion(nvArray));
  const elements = nvArray.meta.shape[1] ?? 0;
  let base = Infinity;
  for (let i = 0; i < nv.length; i++) base = Math.min(base, nv[i] as number);
  if (!Number.isFinite(base)) base = 0;
  const triangles = new Int32Array(3 * elements);
  for (let e = 0; e < elements; e++) for (let c = 0; c < 3; c++) triangles[3 * e + c] = (nv[c * elements + e] as number) - base;
  const levels = meshLevels({ lon, lat, triangles }, u.options?.meshNodes ?? MESH_NODES);
  return { levels, base, nodes: lon.length, elements };
}

const sizesOf = (g: GroupMesh): Array<{ nodes: number; elements: number }> => g.levels.map((l) => ({ nodes: l.representative.length, elements: l.triangles.length / 3 }));

export async function updateMeshOverviews(u: OverviewUpdate, plan: MeshPlan): Promise<Record<string, OverviewRecord> | undefined> {
  const records: Record<string, OverviewRecord> = {};
  const work: Array<{ group: string; mesh: GroupMesh; steps: StepPlan; fresh: boolean }> = [];
  for (const [group, steps] of Object.entries(u.groups)) {
    const mesh = await meshOf(u, plan, group);
    if (mesh.levels.length === 0) continue;
    const sizes = sizesOf(mesh);
    const record = u.before.overviews?.[group];
    const fresh = record === undefined || record.kind !== "mesh" || JSON.stringify(record.sizes) !== JSON.stringify(sizes);
    const planned = planSteps(steps, u.before.groups[group], fresh ? undefined : record, u.options?.catchUpSteps ?? CATCH_UP_STEPS);
    work.push({ group, mesh, steps: planned, fresh });
    addMeshNodes(u, plan, group, mesh, planned);
    records[group] = { kind: "mesh", levels: mesh.levels.length, length: planned.length, sizes };
  }
  if (work.length === 0) return undefined;
  const timed = plan.data.filter((name) => isTimed(u.template, name));
  const progress = { done: 0, total: work.reduce((n, w) => n + w.steps.stale.length * timed.length, 0) };
  for (const w of work) {
    const K = w.mesh.levels.length;
    if (w.fresh) {
      await copyStatics(u, w.group, K, plan.copied);
      await writeMeshes(u, plan, w.group, w.mesh);
      for (const name of plan.data) if (!isTimed(u.template, name)) await writeMeans(u, w.group, name, w.mesh, [...prefixes([...handle(u, arrayPath(w.group, name)).meta.shape, 1])]);
    }
    const { stale } = w.steps;
    if (stale.length === 0) continue;
    await copyTime(u, w.group, K, Math.min(...stale), w.steps.length);
    for (const name of timed) {
      const inner = [...prefixes([...handle(u, arrayPath(w.group, name)).meta.shape.slice(1), 1])];
      for (const step of stale) {
        await writeMeans(u, w.group, name, w.mesh, inner.map((p) => [step, ...p]));
        progress.done += 1;
        u.onProgress?.({ done: progress.done, total: progress.total });
      }
    }
  }
  return records;
}

/** Level nodes: the mesh (lon, lat, nv) and each node-centred variable on the level's nodes; the group's `multiscales`. */
function addMeshNodes(u: OverviewUpdate, plan: MeshPlan, group: string, mesh: GroupMesh, steps: StepPlan): void {
  const h: Hierarchy = u.hierarchy;
  const m = plan.mesh;
  const node0 = (name: string): ArrayNode => {
    const n = h.arrays[arrayPath(group, name)];
    if (n === undefined) throw new Error(`internal: overviews of ${arrayPath(group, name)}: no such array`);
    return n;
  };
  addCommonNodes(h, u.template, group, mesh.levels.length, steps.length, plan.copied, withoutMultiscales(h.groups[group] ?? {}));
  mesh.levels.forEach((level, i) => {
    const k = i + 1;
    const nodes = level.representative.length;
    const elements = level.triangles.length / 3;
    const sized = (n: ArrayNode, dtype: Dtype, fill: ArrayNode["meta"]["fill_value"], oneStep: boolean): ArrayNode["meta"] => {
      const dims = dimsOf(n);
      const shape = timeShape(n, u.template.concatDim, steps.length).map((s, d) => (dims[d] === m.node ? nodes : dims[d] === m.nele ? elements : s));
      // A level's mesh is read whole; node-centred data one step and one level at a time.
      const chunks = shape.map((s, d) => (dims[d] === m.node || dims[d] === m.nele || !oneStep ? Math.max(1, s) : 1));
      return { ...n.meta, shape, chunks, dtype, fill_value: fill };
    };
    for (const name of [m.lon, m.lat, m.nv]) {
      const n = node0(name);
      h.arrays[levelPath(group, k, name)] = { meta: sized(n, n.meta.dtype === "|S1" ? "|u1" : n.meta.dtype, n.meta.fill_value, false), attrs: { ...n.attrs } };
    }
    for (const name of plan.data) {
      const n = node0(name);
      const cell = `${m.node}: mean (comment: vertex clustering level ${k} of the full-resolution mesh; missing and non-finite values excluded)`;
      const methods = typeof n.attrs.cell_methods === "string" && n.attrs.cell_methods.trim() !== "" ? `${n.attrs.cell_methods} ${cell}` : cell;
      h.arrays[levelPath(group, k, name)] = { meta: sized(n, "<f4", "NaN", true), attrs: { ...n.attrs, cell_methods: methods } };
    }
  });
  const shapes = [{ shape: { [m.node]: mesh.nodes, [m.nele]: mesh.elements } }, ...mesh.levels.map((l) => ({ shape: { [m.node]: l.representative.length, [m.nele]: l.triangles.length / 3 } }))];
  h.groups[group] = withMultiscales(h.groups[group] ?? {}, steps.complete ? multiscalesLayout(shapes, "vertex-cluster") : undefined);
}

/** Each level's lon and lat (its clusters' representative nodes) and nv (three, nele), counted from level 0's base. */
async function writeMeshes(u: OverviewUpdate, plan: MeshPlan, group: string, mesh: GroupMesh): Promise<void> {
  const m = plan.mesh;
  const lon = await readRegion(handle(u, arrayPath(group, m.lon)));
  const lat = await readRegion(handle(u, arrayPath(group, m.lat)));
  for (let i = 0; i < mesh.levels.length; i++) {
    const level = mesh.levels[i] as MeshLevel;
    const k = i + 1;
    for (const [name, values] of [[m.lon, lon], [m.lat, lat]] as const) {
      const a = handle(u, levelPath(group, k, name));
      const out = allocate(a.meta.dtype === "|S1" ? "|u1" : a.meta.dtype, level.representative.length);
      level.representative.forEach((v, c) => ((out as Float64Array)[c] = (values as Float64Array)[v] as number));
      await writeRegion(a, [0], [out.length], out);
    }
    const nv = handle(u, levelPath(group, k, m.nv));
    const elements = level.triangles.length / 3;
    const out = allocate(nv.meta.dtype === "|S1" ? "|u1" : nv.meta.dtype, 3 * elements);
    for (let e = 0; e < elements; e++) for (let c = 0; c < 3; c++) (out as Int32Array)[c * elements + e] = (level.triangles[3 * e + c] as number) + mesh.base;
    await writeRegion(nv, [0, 0], [3, elements], out);
  }
}

/** Cluster means of the slices `prefixes` (indices before the node dimension) of a node-centred variable, into every level. */
async function writeMeans(u: OverviewUpdate, group: string, name: string, mesh: GroupMesh, slices: number[][]): Promise<void> {
  const source = handle(u, arrayPath(group, name));
  const node = u.hierarchy.arrays[source.path] as ArrayNode;
  const missing = missingOf(node);
  const n = source.meta.shape[source.meta.shape.length - 1] ?? 0;
  for (const prefix of slices) {
    const values = numbers(await readRegion(source, [...prefix, 0], [...prefix.map(() => 1), n]));
    for (let i = 0; i < mesh.levels.length; i++) {
      const level = mesh.levels[i] as MeshLevel;
      const means: TypedArray = clusterMeans(values, level, missing);
      await writeRegion(handle(u, levelPath(group, i + 1, name)), [...prefix, 0], [...prefix.map(() => 1), means.length], means);
    }
  }
}
