// Drawn over the field on a separate canvas, so the field's pixels stay exactly the colour map's:
// a graticule (the land and coastline are under the field: basemap.ts), the clicked point, and
// the colour legend on its own canvas.
import { LUT_SIZE, niceTicks, type ValueRange } from "./colormap.js";
import { displayLon, toLonLat, toScreen, type View } from "./view.js";

/** Room the map's controls take (viewer.css: #zoom is 28 px wide at 8 px from the right; #legend is 52 px tall at 8 px from the bottom). */
export const ZOOM_COLUMN_CSS_PX = 40;
export const LEGEND_BAND_CSS_PX = 64;

const STEPS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 45, 90];

/** Graticule spacing in degrees: the smallest of STEPS giving at most about `lines` lines across `spanDegrees`. */
export function graticuleStep(spanDegrees: number, lines = 6): number {
  return STEPS.find((s) => spanDegrees / s <= lines) ?? 90;
}

function label(v: number, step: number, lon: boolean): string {
  const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const x = lon ? displayLon(v) : v;
  const hemi = lon ? (x < 0 ? "W" : x > 0 ? "E" : "") : x < 0 ? "S" : x > 0 ? "N" : "";
  return `${Math.abs(x).toFixed(digits)}°${hemi}`;
}

/** `ratio`: device pixels per CSS pixel, so lines and labels keep their size on dense screens. */
export function drawOverlay(ctx: CanvasRenderingContext2D, view: View, marker?: [number, number], ratio = 1): void {
  const { width, height } = view;
  ctx.clearRect(0, 0, width, height);
  const [lonA, latA] = toLonLat(view, 0, height);
  const [lonB, latB] = toLonLat(view, width, 0);
  const step = graticuleStep(Math.max(lonB - lonA, (latB - latA) * 1.5));
  ctx.save();
  ctx.strokeStyle = "rgba(60, 60, 60, 0.35)";
  ctx.fillStyle = "rgba(30, 30, 30, 0.85)";
  ctx.lineWidth = ratio;
  ctx.font = `${11 * ratio}px sans-serif`;
  ctx.beginPath();
  for (let lon = Math.ceil(lonA / step) * step; lon <= lonB; lon += step) {
    const [x] = toScreen(view, lon, 0);
    ctx.moveTo(Math.round(x) + 0.5, 0);
    ctx.lineTo(Math.round(x) + 0.5, height);
  }
  for (let lat = Math.max(-90, Math.ceil(latA / step) * step); lat <= Math.min(90, latB); lat += step) {
    const [, y] = toScreen(view, 0, lat);
    ctx.moveTo(0, Math.round(y) + 0.5);
    ctx.lineTo(width, Math.round(y) + 0.5);
  }
  ctx.stroke();
  // Longitude labels along the top edge: the legend and the readout sit at the bottom. A label
  // the zoom buttons (top right) or the legend (bottom left) would cover is left out rather than
  // shown cut, which read as a different number.
  ctx.textBaseline = "top";
  const lonLabelsEnd = width - ZOOM_COLUMN_CSS_PX * ratio;
  for (let lon = Math.ceil(lonA / step) * step; lon <= lonB; lon += step) {
    const text = label(lon, step, true);
    const x = toScreen(view, lon, 0)[0] + 3 * ratio;
    if (x + ctx.measureText(text).width <= lonLabelsEnd) ctx.fillText(text, x, 3 * ratio);
  }
  const latLabelsEnd = height - LEGEND_BAND_CSS_PX * ratio;
  for (let lat = Math.max(-90, Math.ceil(latA / step) * step); lat <= Math.min(90, latB); lat += step) {
    const y = toScreen(view, 0, lat)[1] + 2 * ratio;
    if (y + 13 * ratio <= latLabelsEnd) ctx.fillText(label(lat, step, false), 3 * ratio, y);
  }
  if (marker !== undefined) {
    const [x, y] = toScreen(view, marker[0], marker[1]);
    ctx.strokeStyle = "#000";
    ctx.lineWidth = 2 * ratio;
    ctx.beginPath();
    ctx.arc(x, y, 6 * ratio, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = ratio;
    ctx.stroke();
  }
  ctx.restore();
}

/** A horizontal colour bar with round-number ticks. */
export function drawLegend(canvas: HTMLCanvasElement, lut: Uint8Array, range: ValueRange, units: string | undefined): void {
  const ctx = canvas.getContext("2d");
  if (ctx === null) return;
  const { width, height } = canvas;
  const bar = { x: 10, y: 4, w: width - 20, h: 14 };
  ctx.clearRect(0, 0, width, height);
  const image = ctx.createImageData(bar.w, 1);
  for (let x = 0; x < bar.w; x++) {
    const i = Math.min(LUT_SIZE - 1, Math.floor((x / bar.w) * LUT_SIZE));
    image.data.set(lut.subarray(i * 4, i * 4 + 4), x * 4);
  }
  for (let y = 0; y < bar.h; y++) ctx.putImageData(image, bar.x, bar.y + y);
  ctx.strokeStyle = "#333";
  ctx.strokeRect(bar.x - 0.5, bar.y - 0.5, bar.w + 1, bar.h + 1);
  ctx.fillStyle = "#222";
  ctx.font = "11px sans-serif";
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  const span = range.max - range.min;
  for (const t of niceTicks(range, 5)) {
    const x = bar.x + (span > 0 ? ((t - range.min) / span) * bar.w : bar.w / 2);
    ctx.fillRect(Math.round(x), bar.y + bar.h, 1, 4);
    ctx.fillText(String(Number(t.toPrecision(6))), x, bar.y + bar.h + 5);
  }
  if (units !== undefined) {
    ctx.textAlign = "right";
    ctx.fillText(units, width - 2, bar.y + bar.h + 18);
  }
}
