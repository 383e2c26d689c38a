// The time-series plot beside the map, drawn as SVG markup (pure: unit-tested in node). Every
// point carries its time and value as data attributes, so what is drawn can be checked.
import type { Series } from "./api.js";
import { niceTicks } from "./colormap.js";
import { formatLonLat } from "./view.js";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function fmt(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 1e5 || a < 1e-3 ? v.toExponential(2) : String(Number(v.toPrecision(6)));
}

function timeLabel(ms: number, spanMs: number): string {
  const iso = new Date(ms).toISOString();
  return spanMs > 3 * 86_400_000 ? iso.slice(0, 10) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
}

/** `now`: the time step the map shows (epoch ms), marked by a vertical line when inside the series. */
export function seriesSvg(series: Series, width = 360, height = 220, label = series.parameter, now?: number): string {
  const pad = { left: 56, right: 12, top: 34, bottom: 38 };
  const w = width - pad.left - pad.right;
  const h = height - pad.top - pad.bottom;
  const finite = series.values.flatMap((v, i) => (v === null ? [] : [{ t: series.times[i] ?? NaN, v }]));
  const what = `${esc(label)}${series.units !== undefined ? ` [${esc(series.units)}]` : ""}`;
  const where = `at ${esc(formatLonLat(series.lon, series.lat, 1000))}${series.z !== undefined ? `, z ${esc(fmt(series.z))}` : ""}`;
  // Two lines from the left edge: on one line, a long name with units and a position ran past the
  // plot's right edge and the SVG cut it off.
  const title = `<tspan x="4" y="12">${what}</tspan><tspan x="4" y="25">${where}</tspan>`;
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="series-plot" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`, `<text class="series-title">${title}</text>`];
  if (finite.length === 0) {
    parts.push(`<text class="series-empty" x="${pad.left}" y="${pad.top + h / 2}">no data at this point</text></svg>`);
    return parts.join("");
  }
  const t0 = Math.min(...finite.map((p) => p.t));
  const t1 = Math.max(...finite.map((p) => p.t));
  let v0 = Math.min(...finite.map((p) => p.v));
  let v1 = Math.max(...finite.map((p) => p.v));
  if (v0 === v1) {
    const d = Math.abs(v0) * 0.05 || 1;
    v0 -= d;
    v1 += d;
  }
  const x = (t: number) => pad.left + (t1 === t0 ? w / 2 : ((t - t0) / (t1 - t0)) * w);
  const y = (v: number) => pad.top + h - ((v - v0) / (v1 - v0)) * h;
  parts.push(`<rect class="series-frame" x="${pad.left}" y="${pad.top}" width="${w}" height="${h}" fill="none"/>`);
  for (const tick of niceTicks({ min: v0, max: v1 }, 4)) {
    const ty = y(tick).toFixed(1);
    parts.push(`<line class="series-grid" x1="${pad.left}" x2="${pad.left + w}" y1="${ty}" y2="${ty}"/>`, `<text class="series-ylabel" x="${pad.left - 4}" y="${ty}" text-anchor="end" dominant-baseline="middle">${esc(fmt(tick))}</text>`);
  }
  const span = t1 - t0;
  const labels = span === 0 ? [t0] : [t0, t0 + span / 2, t1];
  // The end labels align to the frame's edges, so they are never cut off.
  labels.forEach((t, k) => {
    const anchor = labels.length === 1 ? "middle" : k === 0 ? "start" : k === labels.length - 1 ? "end" : "middle";
    parts.push(`<text class="series-xlabel" x="${x(t).toFixed(1)}" y="${pad.top + h + 16}" text-anchor="${anchor}">${esc(timeLabel(t, span))}</text>`);
  });
  if (now !== undefined && now >= t0 && now <= t1) {
    const nx = x(now).toFixed(1);
    parts.push(`<line class="series-now" x1="${nx}" x2="${nx}" y1="${pad.top}" y2="${pad.top + h}" data-t="${new Date(now).toISOString()}"/>`);
  }
  // Gaps (null values) break the line rather than bridging them.
  let path = "";
  let pen = false;
  series.values.forEach((v, i) => {
    if (v === null) {
      pen = false;
      return;
    }
    path += `${pen ? "L" : "M"}${x(series.times[i] ?? t0).toFixed(2)},${y(v).toFixed(2)}`;
    pen = true;
  });
  parts.push(`<path class="series-line" d="${path}" fill="none"/>`);
  series.values.forEach((v, i) => {
    if (v === null) return;
    const t = series.times[i] ?? t0;
    parts.push(`<circle class="series-point" cx="${x(t).toFixed(2)}" cy="${y(v).toFixed(2)}" r="2.5" data-t="${new Date(t).toISOString()}" data-v="${v}"><title>${esc(new Date(t).toISOString())} ${esc(fmt(v))}</title></circle>`);
  });
  parts.push("</svg>");
  return parts.join("");
}
