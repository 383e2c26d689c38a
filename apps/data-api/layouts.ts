// Time-series layouts: a Dataset derived from another by a pure rechunk (spec.transform.rechunk
// without resample or a level, docs/derived.md) holds the same values in long time chunks over
// small tiles, and says so in its root attributes (dmac_layout "time-series", dmac_source_store).
// A position query (a point's series) reads it instead of the source when it holds the
// parameters asked for and the source's whole time axis (a layout still catching up is not
// used); area and cube queries keep the source's map-shaped chunks.
import type { OpenedDataset } from "./dataset.js";
import type { DatasetRegistry } from "./registry.js";

/** The response header naming the layout a query was answered from. */
export const LAYOUT_HEADER = "dmac-data-layout";

function sameTimes(a: OpenedDataset, b: OpenedDataset): boolean {
  for (const [dim, times] of a.times) {
    const other = b.times.get(dim);
    if (other === undefined || other.length !== times.length || other[other.length - 1] !== times[times.length - 1]) return false;
  }
  return true;
}

/** The opened layout to answer `ds`'s position query for `parameters` from, or undefined for the original. */
export async function timeSeriesLayout(registry: DatasetRegistry, ds: OpenedDataset, parameters: readonly string[]): Promise<OpenedDataset | undefined> {
  for (const id of registry.ids()) {
    if (id === ds.id || !registry.mayBeLayoutOf(id, ds.url)) continue;
    const layout = await registry.get(id).catch(() => undefined);
    if (layout === undefined || layout.model.attrs["dmac_layout"] !== "time-series") continue;
    if (!registry.sameStoreUrl(String(layout.model.attrs["dmac_source_store"] ?? ""), ds.url)) continue;
    if (!parameters.every((p) => layout.model.parameters.some((q) => q.name === p))) continue;
    if (!sameTimes(ds, layout)) continue;
    return layout;
  }
  return undefined;
}
