// The viewer page: dataset, variable, time and level pickers; the map (field canvas + overlay
// canvas with the graticule); the legend; pan, zoom and the lon/lat (and value) readout; a click plots the
// point's time series from the EDR position query. State is mirrored in the URL query
// (?dataset=&variable=&time=&level=&colormap=&renderer=2d|webgl1) so a view can be linked.
import { DataApi, type Series } from "./api.js";
import { Basemap, drawScaleBar } from "./basemap.js";
import { colormapLut, COLORMAP_NAMES, finiteRange, type ValueRange } from "./colormap.js";
import { buildGeometry, describeVariables, fieldSelection, type DatasetInfo, type Variable } from "./dataset.js";
import { alignLon, vertexValues, visibleTriangles, type Geometry } from "./mesh.js";
import { boxCells, cellReach, levelArray, parseMultiscales, planView, variableLevels, visibleBoxOfCentres, visibleBoxOfEdges, type Box, type GridLevel, type Level, type Plan } from "./multiscale.js";
import { drawLegend, drawOverlay } from "./overlay.js";
import type { ViewerState } from "./page-state.js";
import { Canvas2DRenderer } from "./render-2d.js";
import type { Renderer } from "./renderer.js";
import { WebGLRenderer, webglContext } from "./render-webgl.js";
import { valueAt } from "./pick.js";
import { seriesSvg } from "./series.js";
import { drawStations, loadStations, stationAt, stationCollections, stationSeries, type StationPoint } from "./stations.js";
import { fitView, formatLonLat, panBy, resized, toLonLat, toScreen, zoomAt, type View } from "./view.js";
import { openZarr, type ZarrDataset } from "./zarr.js";

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`viewer page: element #${id} missing`);
  return el as T;
};

const ui = {
  dataset: $<HTMLSelectElement>("dataset"),
  variable: $<HTMLSelectElement>("variable"),
  time: $<HTMLInputElement>("time"),
  timePrev: $<HTMLButtonElement>("time-prev"),
  timeNext: $<HTMLButtonElement>("time-next"),
  timeLabel: $<HTMLOutputElement>("time-label"),
  level: $<HTMLSelectElement>("level"),
  colormap: $<HTMLSelectElement>("colormap"),
  rangeMin: $<HTMLInputElement>("range-min"),
  rangeMax: $<HTMLInputElement>("range-max"),
  rangeAuto: $<HTMLButtonElement>("range-auto"),
  map: $<HTMLElement>("map"),
  overlay: $<HTMLCanvasElement>("overlay"),
  legend: $<HTMLCanvasElement>("legend"),
  readout: $<HTMLElement>("readout"),
  info: $<HTMLElement>("info"),
  series: $<HTMLElement>("series"),
  status: $<HTMLElement>("status"),
};

interface Config {
  catalog: boolean;
}

interface Loaded {
  info: DatasetInfo;
  zarr: ZarrDataset;
  variables: Variable[];
  /** The store's overview levels (root `multiscales`), finest first; [] without overviews. */
  levels: Level[];
  /** Why the overviews are not used, when the layout could not be read. */
  levelsNote?: string;
  /** Geometries by grid, level and window (a few kept: see GEOMETRY_CACHE). */
  geometries: Map<string, Promise<Geometry>>;
}

/**
 * How the current variable is read at different zooms: its levels (finest first) and the
 * coarsest one's geometry, which gives the grid's box and finds the cells under the view.
 */
interface Scale {
  variable: Variable;
  levels: GridLevel[];
  index: Geometry;
  /** How far the coarsest level's cells reach from their centres (curvilinear grids; multiscale.ts cellReach). */
  reach: number;
}

/**
 * Geometries kept per dataset (the coarsest level's, the one drawn, and the last few): a pan back
 * re-reads only the field. Few, as a large curvilinear window is some 100 MB of triangles.
 */
const GEOMETRY_CACHE = 3;
/** Quiet time after the last pan or zoom before the level and window are chosen again. */
const SETTLE_MS = 120;

const params = new URLSearchParams(location.search);
/** Natural Earth land under the field (its own canvas, below it). */
const basemap = new Basemap($<HTMLCanvasElement>("basemap"), () => requestDraw());
const api = new DataApi(new URL("data/", location.href).href);
const state = {
  config: { catalog: false } as Config,
  loaded: undefined as Loaded | undefined,
  variable: undefined as Variable | undefined,
  geometry: undefined as Geometry | undefined,
  field: undefined as Float32Array | undefined,
  scale: undefined as Scale | undefined,
  /** The level and window of the drawn field. */
  plan: undefined as Plan | undefined,
  /** Milliseconds from navigation start to the first field drawn (the page's first picture). */
  firstPictureMs: undefined as number | undefined,
  /** Per-vertex values and drawn triangles of the current mesh field, built on first hover. */
  pick: undefined as { values: Float32Array; visible: Uint32Array } | undefined,
  /** The plotted series, redrawn with the current time marked when the time step changes. */
  series: undefined as Series | undefined,
  /** Observing stations drawn over the field (station collections), and the one whose series is shown. */
  stations: [] as StationPoint[],
  station: undefined as StationPoint | undefined,
  timeIndex: 0,
  levelIndex: 0,
  colormap: params.get("colormap") ?? "viridis",
  range: { min: 0, max: 1 } as ValueRange,
  drawnRange: { min: 0, max: 1 } as ValueRange,
  view: undefined as View | undefined,
  renderer: undefined as Renderer | undefined,
  rendererNote: "",
  marker: undefined as [number, number] | undefined,
  timings: { fieldMs: 0, geometryMs: 0, drawMs: 0, loadMs: 0 },
  renders: 0,
  /** Bumped by every selection change, so a slow load never overwrites a newer one. */
  generation: 0,
  /** Bumped by every series request: two quick clicks must end with the second point's series. */
  seriesRequest: 0,
};

function setStatus(text: string, kind: "loading" | "ready" | "error"): void {
  ui.status.textContent = text;
  document.body.dataset.status = kind;
}

/** An error's message followed by its causes' (zarrita wraps codec failures). */
function describe(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 4; depth++) {
    parts.push(e instanceof Error ? e.message : String(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(": ");
}

function fail(error: unknown): void {
  setStatus(describe(error), "error");
}

// ---- renderer --------------------------------------------------------------------------------

/** A new field canvas in place of the old one: a canvas keeps the first context kind it gave out. */
function freshCanvas(): HTMLCanvasElement {
  const canvas = document.createElement("canvas");
  canvas.id = "field";
  document.getElementById("field")?.replaceWith(canvas);
  return canvas;
}

function makeRenderer(): Renderer {
  const canvas = freshCanvas();
  if (params.get("renderer") === "2d") {
    state.rendererNote = "canvas 2D (asked for)";
    return new Canvas2DRenderer(canvas);
  }
  // ?renderer=webgl1 keeps to WebGL 1 (older GPUs and drivers), as a fallback check.
  const gl = webglContext(canvas, params.get("renderer") === "webgl1");
  if (gl === undefined) {
    state.rendererNote = "canvas 2D (WebGL unavailable)";
    return new Canvas2DRenderer(canvas);
  }
  try {
    state.rendererNote = "WebGL" + ("getBufferSubData" in gl ? " 2" : " 1");
    return new WebGLRenderer(canvas, gl);
  } catch (error) {
    state.rendererNote = `canvas 2D (WebGL failed: ${describe(error)})`;
    return new Canvas2DRenderer(freshCanvas());
  }
}

// The canvases have one pixel per device pixel (sharp on high-density screens); the view, the
// pointer and toPixel() all work in device pixels.
const dpr = () => window.devicePixelRatio || 1;

function mapSize(): [number, number] {
  const r = ui.map.getBoundingClientRect();
  return [Math.max(1, Math.round(r.width * dpr())), Math.max(1, Math.round(r.height * dpr()))];
}

let frame = 0;
function requestDraw(): void {
  if (frame !== 0) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    draw();
  });
}

function draw(): void {
  const renderer = state.renderer;
  const view = state.view;
  if (renderer === undefined || view === undefined) return;
  const canvas = renderer.canvas;
  if (canvas.width !== view.width || canvas.height !== view.height) {
    canvas.width = view.width;
    canvas.height = view.height;
  }
  if (ui.overlay.width !== view.width || ui.overlay.height !== view.height) {
    ui.overlay.width = view.width;
    ui.overlay.height = view.height;
  }
  basemap.draw(view, dpr());
  const t0 = performance.now();
  renderer.draw(view);
  state.drawnRange = { ...state.range };
  state.timings.drawMs = performance.now() - t0;
  const ctx = ui.overlay.getContext("2d");
  if (ctx !== null) drawOverlay(ctx, view, state.marker, dpr());
  if (ctx !== null) drawStations(ctx, view, state.stations, dpr(), state.station);
  state.renders++;
  canvas.dataset.renderer = renderer.kind;
  document.body.dataset.renders = String(state.renders);
  // Last on the overlay (drawOverlay clears it): the scale bar.
  if (ctx !== null) drawScaleBar(ctx, view, dpr());
}

function applyStyle(): void {
  const lut = colormapLut(state.colormap);
  state.renderer?.setStyle(lut, state.range);
  drawLegend(ui.legend, lut, state.range, state.variable?.units);
  ui.rangeMin.value = String(Number(state.range.min.toPrecision(6)));
  ui.rangeMax.value = String(Number(state.range.max.toPrecision(6)));
  requestDraw();
}

function autoRange(): void {
  const r = state.field !== undefined ? finiteRange(state.field) : undefined;
  state.range = r ?? { min: 0, max: 1 };
  applyStyle();
}

// ---- selection -------------------------------------------------------------------------------

function option(select: HTMLSelectElement, value: string, label: string): void {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = label;
  select.append(o);
}

function syncUrl(): void {
  const q = new URLSearchParams();
  if (state.loaded !== undefined) q.set("dataset", state.loaded.info.id);
  if (state.variable !== undefined) q.set("variable", state.variable.name);
  q.set("time", String(state.timeIndex));
  if (state.variable?.zDim !== undefined) q.set("level", String(state.levelIndex));
  if (state.colormap !== "viridis") q.set("colormap", state.colormap);
  const r = params.get("renderer");
  if (r !== null) q.set("renderer", r);
  history.replaceState(null, "", `?${q.toString()}`);
}

async function selectDataset(id: string, wanted?: { variable?: string | null; time?: number; level?: number }): Promise<void> {
  const generation = ++state.generation;
  setStatus(`loading ${id}...`, "loading");
  const info = await api.dataset(id);
  const zarr = await openZarr(api.zarrUrl(id), undefined, info.zarrFormat);
  const variables = await describeVariables(info, zarr);
  if (generation !== state.generation) return;
  let levels: Level[] = [];
  let levelsNote: string | undefined;
  try {
    levels = parseMultiscales(zarr.rootAttrs());
  } catch (error) {
    // A store whose overview layout cannot be read is still drawn, from its root.
    levelsNote = `overviews not used: ${describe(error)}`;
  }
  state.loaded = { info, zarr, variables, levels, ...(levelsNote !== undefined ? { levelsNote } : {}), geometries: new Map() };
  ui.variable.replaceChildren();
  for (const v of variables) option(ui.variable, v.name, `${v.label}${v.units !== undefined ? ` [${v.units}]` : ""} (${v.name})`);
  ui.info.innerHTML = "";
  const h = document.createElement("h2");
  h.textContent = info.title;
  const p = document.createElement("p");
  p.textContent = `${info.description ?? ""} ${info.grids.map((g) => `${g.kind} grid ${g.shape.join(" x ")}`).join(", ")}`.trim();
  ui.info.append(h, p);
  if (state.config.catalog) void showCatalogEntry(id);
  if (variables.length === 0) {
    setStatus(`${id}: no drawable variable (needs a time dimension and a lon/lat grid)`, "error");
    return;
  }
  const v = variables.find((x) => x.name === wanted?.variable) ?? variables[0];
  if (v !== undefined) await selectVariable(v, wanted?.time ?? 0, wanted?.level ?? 0, true);
}

/**
 * The dataset's STAC collection, when the viewer has a catalog: the collection with the same id,
 * else one whose id ends the dataset's after a "-" (the local platform names data-API datasets
 * "<namespace>-<Dataset name>", catalog entries may drop the namespace).
 */
async function showCatalogEntry(id: string): Promise<void> {
  // Keyed by the dataset, not state.generation: drawing the first field bumps the generation while
  // this request is in flight, which dropped the entry whenever the catalog answered second.
  const stillShown = () => state.loaded?.info.id === id;
  const response = await fetch(new URL("catalog/collections?limit=1000", location.href));
  if (!response.ok || !stillShown()) return;
  const body = (await response.json()) as { collections?: Array<{ id?: unknown; title?: unknown; description?: unknown }> };
  if (!stillShown()) return;
  const list = body.collections ?? [];
  const doc = list.find((c) => c.id === id) ?? list.find((c) => typeof c.id === "string" && id.endsWith(`-${c.id}`));
  if (doc === undefined) return;
  const p = document.createElement("p");
  p.className = "catalog";
  ui.info.querySelector("p.catalog")?.remove();
  p.textContent = `STAC collection ${String(doc.id)}: ${typeof doc.title === "string" ? doc.title : ""}${typeof doc.description === "string" ? ` - ${doc.description}` : ""}`;
  ui.info.append(p);
}

async function selectVariable(v: Variable, timeIndex: number, levelIndex: number, fit: boolean): Promise<void> {
  const loaded = state.loaded;
  if (loaded === undefined) return;
  state.variable = v;
  ui.variable.value = v.name;
  ui.time.max = String(Math.max(0, v.times.length - 1));
  ui.level.replaceChildren();
  for (let k = 0; k < v.levels.length; k++) option(ui.level, String(k), v.levelsAreIndices ? `${v.zDim} ${k}` : `${v.zDim} = ${Number((v.levels[k] ?? 0).toPrecision(6))}`);
  ui.level.disabled = v.zDim === undefined;
  state.timeIndex = Math.min(Math.max(0, timeIndex), Math.max(0, v.times.length - 1));
  state.levelIndex = Math.min(Math.max(0, levelIndex), Math.max(0, v.levels.length - 1));
  ui.level.value = String(state.levelIndex);
  state.marker = undefined;
  state.series = undefined;
  state.station = undefined;
  delete ui.series.dataset.state;
  ui.series.innerHTML = '<p class="hint">Click the map to plot the time series of that point.</p>';
  const t0 = performance.now();
  const coords = [v.grid.lon, v.grid.lat];
  const levels = variableLevels(loaded.levels, loaded.zarr, v.name, v.grid.kind === "unstructured" ? v.grid.dims : v.grid.dims.slice(0, 2), coords);
  const coarsest = levels[levels.length - 1];
  if (coarsest === undefined) throw new Error(`${v.name}: no level holds it`);
  // The coarsest level's coordinates: the grid's box (for the fitted view and the level choice)
  // and where its cells are (for the window a zoomed view needs), read whole once per grid.
  const index = await geometryOf(loaded, v, coarsest.path);
  state.timings.geometryMs = performance.now() - t0;
  if (state.variable !== v) return;
  const reach = index.kind === "quads" ? cellReach(index.centres.lon, index.centres.lat, index.ny, index.nx) : 0;
  state.scale = { variable: v, levels, index, reach };
  if (fit || state.view === undefined) {
    const [w, h] = mapSize();
    state.view = fitView(index.bbox, w, h);
  }
  await loadField(true);
}

/** The geometry of a grid at a level (group `path`) over a window of it (all of it when absent), cached. */
/** The cache key of a grid's geometry at a level and window: "lon,lat|path|window" ("all" for the whole level). */
const geometryKey = (v: Variable, path: string, window?: Box): string => `${v.grid.lon},${v.grid.lat}|${path}|${window !== undefined ? `${window.j0}:${window.j1},${window.i0}:${window.i1}` : "all"}`;

function geometryOf(loaded: Loaded, v: Variable, path: string, window?: Box, index?: Geometry): Promise<Geometry> {
  const key = geometryKey(v, path, window);
  let geometry = loaded.geometries.get(key);
  if (geometry === undefined) {
    const refLon = index !== undefined ? (index.bbox[0] + index.bbox[2]) / 2 : undefined;
    // 2-D coordinates the coarsest level showed to be rectilinear are read as one row and one column.
    const rectilinear = index?.kind === "image" && v.grid.kind === "curvilinear";
    geometry = buildGeometry(v.grid, loaded.info, loaded.zarr, { path, ...(window !== undefined ? { window } : {}), rectilinear }).then((g) => (refLon !== undefined ? alignLon(g, refLon) : g));
    // A failed read is not kept: the next pan or time step tries again.
    geometry.catch(() => loaded.geometries.delete(key));
    loaded.geometries.set(key, geometry);
    for (const old of loaded.geometries.keys()) {
      if (loaded.geometries.size <= GEOMETRY_CACHE) break;
      loaded.geometries.delete(old);
    }
  }
  return geometry;
}

/** The level and window to draw for the current view (see multiscale.ts). */
function currentPlan(scale: Scale, view: View): Plan {
  const index = scale.index;
  const visible = (rect: [number, number, number, number]): Box | undefined => {
    if (index.kind === "image") return visibleBoxOfEdges(index.lonEdges, index.latEdges, rect);
    if (index.kind === "quads") return visibleBoxOfCentres(index.centres.lon, index.centres.lat, index.ny, index.nx, rect, scale.reach);
    return undefined;
  };
  return planView(scale.levels, scale.levels.length - 1, index.bbox, view, visible);
}

function setRendererGeometry(g: Geometry): void {
  state.renderer ??= makeRenderer();
  try {
    state.renderer.setGeometry(g);
  } catch (error) {
    if (state.renderer.kind === "canvas2d") throw error;
    state.renderer.dispose();
    state.rendererNote = `canvas 2D (${describe(error)})`;
    state.renderer = new Canvas2DRenderer(freshCanvas());
    state.renderer.setGeometry(g);
  }
}

async function loadField(resetRange: boolean): Promise<void> {
  const loaded = state.loaded;
  const v = state.variable;
  const scale = state.scale;
  const view = state.view;
  if (loaded === undefined || v === undefined || scale === undefined || scale.variable !== v || view === undefined) return;
  const generation = ++state.generation;
  const t = state.timeIndex;
  const k = state.levelIndex;
  ui.time.value = String(t);
  ui.timeLabel.value = v.times[t] !== undefined ? new Date(Math.round((v.times[t] ?? 0) / 1000) * 1000).toISOString().replace(".000Z", "Z") : "";
  const plan = currentPlan(scale, view);
  const level = scale.levels[plan.level];
  if (plan.window !== undefined && boxCells(plan.window) === 0) {
    // Nothing of the grid is in view: keep what is drawn.
    state.plan = plan;
    return;
  }
  setStatus(`loading ${v.name} at ${ui.timeLabel.value}...`, "loading");
  const t0 = performance.now();
  const whole = plan.window === undefined || (plan.window.j0 === 0 && plan.window.i0 === 0 && plan.window.j1 === level?.size[0] && plan.window.i1 === level?.size[1]);
  const part = whole ? undefined : plan.window;
  const [g, field] = await Promise.all([
    geometryOf(loaded, v, plan.path, part, scale.index),
    loaded.zarr.read(levelArray(plan.path, v.name), fieldSelection(v, t, k, part)),
  ]);
  if (generation !== state.generation) return;
  state.timings.fieldMs = performance.now() - t0;
  if (state.geometry !== g) {
    state.geometry = g;
    setRendererGeometry(g);
    // Geometries of other levels go (a level is rarely revisited before its window changes):
    // the coarsest level's, which locates every view, and this level's last windows stay.
    const [gridKey] = geometryKey(v, plan.path).split("|");
    for (const key of loaded.geometries.keys()) {
      const [grid, path, window] = key.split("|");
      if (grid === gridKey && path !== plan.path && !(path === scale.levels[scale.levels.length - 1]?.path && window === "all")) loaded.geometries.delete(key);
    }
  }
  state.plan = plan;
  state.field = field.data;
  state.pick = undefined;
  plotCurrent();
  state.renderer?.setField(field.data);
  if (resetRange) autoRange();
  else applyStyle();
  syncUrl();
  await new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
  if (generation !== state.generation) return;
  const cells = state.geometry?.cells ?? 0;
  const levelText = scale.levels.length > 1 || part !== undefined ? `, ${plan.level === 0 ? "full resolution" : `overview ${plan.path}`}${part !== undefined ? ` rows ${part.j0}-${part.j1} columns ${part.i0}-${part.i1}` : ""} (${plan.chunks} chunks)` : "";
  state.firstPictureMs ??= performance.now();
  state.timings.loadMs = performance.now() - t0;
  await stationsLoaded;
  if (generation !== state.generation) return;
  document.body.dataset.plan = plan.key;
  setStatus(
    `${loaded.info.id} ${v.name}: ${cells.toLocaleString("en")} ${state.geometry?.kind === "image" ? "cells as an image" : "cells as triangles"}${levelText}, renderer ${state.rendererNote}; read ${state.timings.fieldMs.toFixed(0)} ms, drawn in ${state.timings.drawMs.toFixed(0)} ms${loaded.levelsNote !== undefined ? `; ${loaded.levelsNote}` : ""}`,
    "ready",
  );
}

/** Settles when the stations are known (the page is "ready" only with them drawn). */
let stationsLoaded: Promise<void> = Promise.resolve();

let settle = 0;
/** After a pan or zoom: redraw now, and once the view rests, read another level or window if it needs one. */
function viewChanged(): void {
  requestDraw();
  clearTimeout(settle);
  settle = window.setTimeout(() => {
    const scale = state.scale;
    if (scale === undefined || state.view === undefined || state.variable !== scale.variable) return;
    if (currentPlan(scale, state.view).key !== state.plan?.key) void loadField(false).catch(fail);
  }, SETTLE_MS);
}

// ---- time series -----------------------------------------------------------------------------

function plotCurrent(): void {
  const v = state.variable;
  if (state.series === undefined || v === undefined) return;
  const s = state.station;
  const label = s !== undefined ? `${s.name} (${s.id}): ${state.series.parameter}` : v.label;
  ui.series.innerHTML = seriesSvg(state.series, 360, 220, label, v.times[state.timeIndex]);
}

async function plotSeries(lon: number, lat: number): Promise<void> {
  const loaded = state.loaded;
  const v = state.variable;
  if (loaded === undefined || v === undefined) return;
  const request = ++state.seriesRequest;
  state.station = undefined;
  delete ui.series.dataset.station;
  state.marker = [lon, lat];
  requestDraw();
  ui.series.innerHTML = `<p class="hint">loading the series at ${formatLonLat(lon, lat, state.view?.scale ?? 1)}...</p>`;
  ui.series.dataset.state = "loading";
  try {
    const z = v.zDim !== undefined ? v.levels[state.levelIndex] : undefined;
    const s = await api.series(loaded.info.id, v.name, lon, lat, z);
    if (request !== state.seriesRequest || state.variable !== v) return;
    state.series = s;
    plotCurrent();
    ui.series.dataset.state = "ready";
  } catch (error) {
    if (request !== state.seriesRequest) return;
    ui.series.textContent = describe(error);
    ui.series.dataset.state = "error";
  }
}

/** A station's observed series, with the field's current time marked on it. */
async function plotStation(s: StationPoint): Promise<void> {
  const request = ++state.seriesRequest;
  state.station = s;
  state.marker = undefined;
  requestDraw();
  ui.series.innerHTML = `<p class="hint">loading ${s.name} (${s.id})...</p>`;
  ui.series.dataset.state = "loading";
  try {
    const series = await stationSeries(api, s);
    if (request !== state.seriesRequest) return;
    state.series = series;
    plotCurrent();
    ui.series.dataset.state = "ready";
    ui.series.dataset.station = s.id;
  } catch (error) {
    if (request !== state.seriesRequest) return;
    ui.series.textContent = describe(error);
    ui.series.dataset.state = "error";
  }
}

// ---- pointer readout --------------------------------------------------------------------------

let hover: [number, number] | undefined;
function showReadout(lon: number, lat: number): void {
  const pending = hover === undefined;
  hover = [lon, lat];
  if (!pending) return;
  requestAnimationFrame(() => {
    const at = hover;
    hover = undefined;
    if (at === undefined || state.view === undefined) return;
    let text = formatLonLat(at[0], at[1], state.view.scale);
    const g = state.geometry;
    const field = state.field;
    const v = state.variable;
    if (g !== undefined && field !== undefined && v !== undefined) {
      if (g.kind === "mesh" && state.pick === undefined) {
        const values = vertexValues(g, field);
        state.pick = { values, visible: visibleTriangles(g, values) };
      }
      const value = valueAt(g, field, at[0], at[1], state.pick);
      if (!Number.isNaN(value)) text += `   ${v.name} ${Number(value.toPrecision(5))}${v.units !== undefined ? ` ${v.units}` : ""}`;
    }
    ui.readout.textContent = text;
  });
}

// ---- events ----------------------------------------------------------------------------------

function wire(): void {
  for (const name of COLORMAP_NAMES) option(ui.colormap, name, name);
  if (!COLORMAP_NAMES.includes(state.colormap)) state.colormap = "viridis";
  ui.colormap.value = state.colormap;
  ui.dataset.addEventListener("change", () => void selectDataset(ui.dataset.value).catch(fail));
  ui.variable.addEventListener("change", () => {
    const v = state.loaded?.variables.find((x) => x.name === ui.variable.value);
    if (v !== undefined) void selectVariable(v, state.timeIndex, 0, false).catch(fail);
  });
  const step = (t: number) => {
    const n = state.variable?.times.length ?? 0;
    if (n === 0) return;
    state.timeIndex = Math.min(n - 1, Math.max(0, t));
    void loadField(false).catch(fail);
  };
  ui.time.addEventListener("input", () => step(Number(ui.time.value)));
  ui.timePrev.addEventListener("click", () => step(state.timeIndex - 1));
  ui.timeNext.addEventListener("click", () => step(state.timeIndex + 1));
  ui.level.addEventListener("change", () => {
    state.levelIndex = Number(ui.level.value);
    // A plotted series belongs to a level: fetch the new level's at the same point.
    const at = state.marker;
    void loadField(true)
      .then(() => (at !== undefined ? plotSeries(at[0], at[1]) : undefined))
      .catch(fail);
  });
  ui.colormap.addEventListener("change", () => {
    state.colormap = ui.colormap.value;
    applyStyle();
    syncUrl();
  });
  const onRange = () => {
    const min = Number(ui.rangeMin.value);
    const max = Number(ui.rangeMax.value);
    if (ui.rangeMin.value === "" || ui.rangeMax.value === "" || !Number.isFinite(min) || !Number.isFinite(max) || min > max) {
      setStatus("range: give two numbers, the first not above the second", "error");
      return;
    }
    state.range = { min, max };
    applyStyle();
  };
  ui.rangeMin.addEventListener("change", onRange);
  ui.rangeMax.addEventListener("change", onRange);
  ui.rangeAuto.addEventListener("click", autoRange);

  const zoom = (factor: number) => {
    if (state.view === undefined) return;
    state.view = zoomAt(state.view, state.view.width / 2, state.view.height / 2, factor);
    viewChanged();
  };
  $("zoom-in").addEventListener("click", () => zoom(2));
  $("zoom-out").addEventListener("click", () => zoom(0.5));
  $("zoom-fit").addEventListener("click", () => {
    if (state.geometry === undefined || state.view === undefined) return;
    state.view = fitView(state.scale?.index.bbox ?? state.geometry.bbox, state.view.width, state.view.height);
    viewChanged();
  });

  const target = ui.overlay;
  let drag: { x: number; y: number; moved: boolean; id: number } | undefined;
  const local = (e: MouseEvent): [number, number] => {
    const r = target.getBoundingClientRect();
    return [(e.clientX - r.left) * dpr(), (e.clientY - r.top) * dpr()];
  };
  target.addEventListener("pointerdown", (e) => {
    const [x, y] = local(e);
    drag = { x, y, moved: false, id: e.pointerId };
    target.setPointerCapture(e.pointerId);
  });
  target.addEventListener("pointermove", (e) => {
    const [x, y] = local(e);
    if (state.view !== undefined) showReadout(...toLonLat(state.view, x, y));
    if (drag === undefined || state.view === undefined) return;
    const dx = x - drag.x;
    const dy = y - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    drag.moved = true;
    ui.map.classList.add("dragging");
    state.view = panBy(state.view, dx, dy);
    drag.x = x;
    drag.y = y;
    viewChanged();
  });
  target.addEventListener("pointerup", (e) => {
    const d = drag;
    drag = undefined;
    ui.map.classList.remove("dragging");
    if (d === undefined || d.moved || state.view === undefined) return;
    const [x, y] = local(e);
    const station = stationAt(state.view, state.stations, x, y, dpr());
    if (station !== undefined) return void plotStation(station);
    const [lon, lat] = toLonLat(state.view, x, y);
    void plotSeries(lon, lat);
  });
  target.addEventListener("pointerleave", () => {
    hover = undefined;
    ui.readout.textContent = "";
  });
  target.addEventListener(
    "wheel",
    (e) => {
      e.preventDefault();
      if (state.view === undefined) return;
      const [x, y] = local(e);
      state.view = zoomAt(state.view, x, y, Math.exp(-e.deltaY * 0.0015));
      viewChanged();
    },
    { passive: false },
  );
  new ResizeObserver(() => {
    if (state.view === undefined) return;
    const [w, h] = mapSize();
    if (w === state.view.width && h === state.view.height) return;
    state.view = resized(state.view, w, h);
    viewChanged();
  }).observe(ui.map);
}

// What tests and the browser console can ask: where a lon/lat is drawn, and what is shown.
declare global {
  interface Window {
    dmacViewer: {
      /** Device pixels of the map canvases (CSS pixels times devicePixelRatio). */
      toPixel(lon: number, lat: number): [number, number] | undefined;
      state(): ViewerState;
    };
  }
}

window.dmacViewer = {
  toPixel: (lon, lat) => (state.view !== undefined ? toScreen(state.view, lon, lat) : undefined),
  state: () => ({
    ...(state.loaded !== undefined ? { dataset: state.loaded.info.id } : {}),
    ...(state.variable !== undefined ? { variable: state.variable.name } : {}),
    timeIndex: state.timeIndex,
    levelIndex: state.levelIndex,
    ...(state.renderer !== undefined ? { renderer: state.renderer.kind } : {}),
    rendererNote: state.rendererNote,
    range: { ...state.range },
    drawnRange: { ...state.drawnRange },
    timings: { ...state.timings },
    renders: state.renders,
    ...(state.plan !== undefined ? { plan: { ...state.plan } } : {}),
    levels: state.scale?.levels.length ?? 0,
    ...(state.firstPictureMs !== undefined ? { firstPictureMs: state.firstPictureMs } : {}),
    gpuBytes: state.renderer?.gpuBytes ?? 0,
  }),
};

async function start(): Promise<void> {
  wire();
  const config = await fetch(new URL("config.json", location.href)).then((r) => (r.ok ? (r.json() as Promise<Config>) : { catalog: false }));
  state.config = config;
  setStatus("loading the dataset list...", "loading");
  // Station collections are drawn over every field, not picked as the field. Listing them can take
  // the data API a while (every collection's extent): a field the URL names is drawn meanwhile.
  const stations = loadStations(api)
    .catch(() => [])
    .then((list) => {
      state.stations = list;
      requestDraw();
      return list;
    });
  stationsLoaded = stations.then(() => undefined);
  const all = await api.datasets();
  const wanted = params.get("dataset");
  const fill = (ids: string[]) => {
    ui.dataset.replaceChildren();
    for (const id of ids) option(ui.dataset, id, id);
  };
  const pickable = (list: StationPoint[]) => all.filter((id) => !stationCollections(list).has(id));
  let ids: string[];
  if (wanted !== null && all.includes(wanted)) {
    ids = all;
    void stations.then((list) => {
      const shown = ui.dataset.value;
      fill(pickable(list));
      ui.dataset.value = shown;
    });
  } else ids = pickable(await stations);
  fill(ids);
  if (ids.length === 0) {
    setStatus("the data API serves no dataset yet (on the local platform they appear as their first data lands; reload then)", "ready");
    return;
  }
  const id = wanted !== null && ids.includes(wanted) ? wanted : (ids[0] ?? "");
  ui.dataset.value = id;
  await selectDataset(id, { variable: params.get("variable"), time: Number(params.get("time") ?? 0), level: Number(params.get("level") ?? 0) });
}

start().catch(fail);
