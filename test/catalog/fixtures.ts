// Catalog content like what the CatalogEntry reconciler writes: CBOFS (ROMS, curvilinear grid
// over the Chesapeake Bay) and a few cycles of items, built through the public builders.
import { buildCycleItem, buildDatasetCollection } from "../../catalog/index.js";
import type { StacCollection, StacItem } from "../../catalog/index.js";

export const CBOFS_BBOX: [number, number, number, number] = [-77.3, 36.7, -75.5, 39.6];

export function cbofsCollection(id = "cbofs"): StacCollection {
  return buildDatasetCollection({
    id,
    title: "CBOFS: Chesapeake Bay Operational Forecast System",
    description: "ROMS curvilinear-grid forecast of water level, currents, temperature and salinity for the Chesapeake Bay.",
    license: "CC0-1.0",
    keywords: ["ocean", "forecast", "ROMS", "Chesapeake Bay"],
    providers: [{ name: "NOAA CO-OPS", roles: ["producer", "licensor"], url: "https://tidesandcurrents.noaa.gov/" }, { name: "IOOS", roles: ["processor", "host"] }],
    bbox: CBOFS_BBOX,
    timeInterval: ["2026-11-01T00:00:00Z", null],
    dimensions: [
      { name: "ocean_time", kind: "time", extent: ["2026-11-01T00:00:00Z", null], step: "PT1H" },
      { name: "s_rho", kind: "z", extent: [-1, 0], unit: "1", description: "S-coordinate at RHO-points" },
      { name: "eta_rho", kind: "other", extent: [0, 290], description: "grid row index" },
      { name: "xi_rho", kind: "other", extent: [0, 331], description: "grid column index" },
    ],
    variables: [
      { name: "temp", dimensions: ["ocean_time", "s_rho", "eta_rho", "xi_rho"], unit: "Celsius", description: "time-averaged potential temperature" },
      { name: "salt", dimensions: ["ocean_time", "s_rho", "eta_rho", "xi_rho"], unit: "1e-3", description: "salinity" },
      { name: "zeta", dimensions: ["ocean_time", "eta_rho", "xi_rho"], unit: "m", description: "free-surface" },
      { name: "lat_rho", dimensions: ["eta_rho", "xi_rho"], role: "auxiliary", unit: "degree_north" },
      { name: "lon_rho", dimensions: ["eta_rho", "xi_rho"], role: "auxiliary", unit: "degree_east" },
      { name: "mask_rho", dimensions: ["eta_rho", "xi_rho"], role: "auxiliary" },
    ],
    storeUrl: `s3://ioos-dmac/${id}/${id}.zarr`,
  });
}

/** Cycles every 6 hours from 2026-11-01; each covers 48 forecast hours. */
export function cycleItems(collectionId: string, count: number, opts: { bbox?: [number, number, number, number]; model?: string } = {}): StacItem[] {
  const items: StacItem[] = [];
  const t0 = Date.parse("2026-11-01T00:00:00Z");
  for (let k = 0; k < count; k++) {
    const cycle = t0 + k * 6 * 3600_000;
    items.push(
      buildCycleItem({
        collectionId,
        cycleTime: new Date(cycle).toISOString(),
        timeInterval: [new Date(cycle).toISOString(), new Date(cycle + 48 * 3600_000).toISOString()],
        bbox: opts.bbox ?? CBOFS_BBOX,
        storeUrl: `s3://ioos-dmac/${collectionId}/cycles/${k}.zarr`,
        properties: { "dmac:model": opts.model ?? "ROMS", "dmac:cycle": k, "dmac:hour": new Date(cycle).getUTCHours(), "dmac:nowcast": k % 2 === 0 },
      }),
    );
  }
  return items;
}
