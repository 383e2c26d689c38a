// The base map under the field: Natural Earth land filled and its coastline stroked on a canvas of
// its own below the field canvas, so land shows through the cells the model masks (mask_rho = 0
// draws nothing) and the field's pixels stay exactly the colour map's. 1:50m when the map shows
// more than a few hundred kilometres, 1:10m when zoomed in; the viewer server serves both
// TopoJSON files from the installed world-atlas package (app.ts), fetched on first need from the
// page's own origin: nothing comes from the internet. Plus the scale bar, drawn on the overlay.
import { landFromTopology, type Land, type LandResolution, type LandTopology } from "./land.js";
import { toLonLat, toScreen, type View } from "./view.js";

/** Land fill and coastline colours (tests find the coastline by them). */
export const LAND_FILL = "#e9e5da";
export const COASTLINE = "#4a5a66";
/** CSS pixels per degree of latitude above which the 1:10m coastline is drawn (about 1.1 km per pixel). */
export const FINE_SCALE = 100;

export function landResolution(view: View, ratio: number): LandResolution {
  return view.scale / ratio > FINE_SCALE ? "10m" : "50m";
}

/**
 * Traces every ring that reaches into the view, once for each 360-degree copy of the world the
 * view shows (the viewer keeps a grid's longitudes continuous, e.g. 0..360). Points closer than
 * half a pixel to the last one drawn are skipped: at small scales most of the 1:10m vertices fall
 * on the same pixel.
 */
export function traceLand(ctx: Pick<CanvasRenderingContext2D, "moveTo" | "lineTo" | "closePath">, land: Land, view: View): number {
  const [lonA, latA] = toLonLat(view, 0, view.height);
  const [lonB, latB] = toLonLat(view, view.width, 0);
  let drawn = 0;
  for (let shift = Math.floor((lonA + 180) / 360) * 360; shift - 180 <= lonB; shift += 360) {
    land.rings.forEach((ring, k) => {
      const b = land.boxes.subarray(k * 4, k * 4 + 4);
      if ((b[0] as number) + shift > lonB || (b[2] as number) + shift < lonA || (b[1] as number) > latB || (b[3] as number) < latA) return;
      let [px, py] = toScreen(view, (ring[0] as number) + shift, ring[1] as number);
      ctx.moveTo(px, py);
      for (let i = 2; i < ring.length; i += 2) {
        const [x, y] = toScreen(view, (ring[i] as number) + shift, ring[i + 1] as number);
        if (Math.abs(x - px) < 0.5 && Math.abs(y - py) < 0.5 && i < ring.length - 2) continue;
        ctx.lineTo(x, y);
        px = x;
        py = y;
      }
      ctx.closePath();
      drawn++;
    });
  }
  return drawn;
}

export class Basemap {
  private readonly lands = new Map<LandResolution, Land>();
  private readonly loading = new Set<LandResolution>();

  /** `onLoaded` is called when a resolution arrives, so the page redraws with it. */
  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly onLoaded: () => void,
  ) {}

  draw(view: View, ratio: number): void {
    const { canvas } = this;
    if (canvas.width !== view.width || canvas.height !== view.height) {
      canvas.width = view.width;
      canvas.height = view.height;
    }
    const ctx = canvas.getContext("2d");
    if (ctx === null) return;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const wanted = landResolution(view, ratio);
    // Until the wanted resolution has loaded, the other one (if any) stands in.
    const land = this.lands.get(wanted) ?? this.lands.get(wanted === "10m" ? "50m" : "10m");
    if (!this.lands.has(wanted)) this.load(wanted);
    if (land === undefined) return;
    ctx.beginPath();
    traceLand(ctx, land, view);
    ctx.fillStyle = LAND_FILL;
    ctx.fill("evenodd");
    ctx.strokeStyle = COASTLINE;
    ctx.lineWidth = ratio;
    ctx.lineJoin = "round";
    ctx.stroke();
    canvas.dataset.resolution = land.resolution;
  }

  private load(resolution: LandResolution): void {
    if (this.loading.has(resolution)) return;
    this.loading.add(resolution);
    loadLand(resolution).then(
      (land) => {
        this.lands.set(resolution, land);
        this.onLoaded();
      },
      (error: unknown) => {
        this.canvas.dataset.error = error instanceof Error ? error.message : String(error);
      },
    );
  }
}

/** world-atlas's land-50m.json or land-10m.json, as the viewer server serves them beside the page. */
async function loadLand(resolution: LandResolution): Promise<Land> {
  const url = new URL(`land-${resolution}.json`, location.href);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`base map: GET ${url.pathname} answered ${response.status}`);
  return landFromTopology((await response.json()) as LandTopology, resolution);
}

const EARTH_M_PER_DEG = 111_320;

/** The scale bar's length: the largest 1, 2 or 5 x 10^n metres that fits in `maxPx` device pixels at the view's centre. */
export function scaleBar(view: View, maxPx: number): { metres: number; px: number; label: string } {
  const metresPerPx = (EARTH_M_PER_DEG * Math.cos((view.lat * Math.PI) / 180)) / (view.scale * view.kx);
  const most = maxPx * metresPerPx;
  const power = 10 ** Math.floor(Math.log10(most));
  const metres = [5, 2, 1].map((m) => m * power).find((m) => m <= most) ?? power;
  return { metres, px: metres / metresPerPx, label: metres >= 1000 ? `${metres / 1000} km` : `${metres} m` };
}

/** Draws the scale bar at the map's bottom right, above the pointer readout. */
export function drawScaleBar(ctx: CanvasRenderingContext2D, view: View, ratio: number): void {
  const bar = scaleBar(view, 120 * ratio);
  if (!Number.isFinite(bar.px) || bar.px <= 0) return;
  const right = view.width - 12 * ratio;
  const y = view.height - 40 * ratio;
  const left = right - bar.px;
  ctx.save();
  ctx.lineCap = "square";
  for (const [style, width] of [["rgba(255, 255, 255, 0.85)", 4], ["#222", 1.5]] as const) {
    ctx.strokeStyle = style;
    ctx.lineWidth = width * ratio;
    ctx.beginPath();
    ctx.moveTo(left, y - 5 * ratio);
    ctx.lineTo(left, y);
    ctx.lineTo(right, y);
    ctx.lineTo(right, y - 5 * ratio);
    ctx.stroke();
  }
  ctx.font = `${11 * ratio}px sans-serif`;
  ctx.textAlign = "center";
  ctx.textBaseline = "bottom";
  ctx.fillStyle = "#222";
  ctx.fillText(bar.label, (left + right) / 2, y - 3 * ratio);
  ctx.restore();
  ctx.canvas.dataset.scaleBar = `${bar.label}:${bar.px.toFixed(1)}`;
}
