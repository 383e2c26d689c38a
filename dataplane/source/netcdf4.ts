// NetCDF-4 (HDF5) reader over h5wasm. h5wasm keeps its heap under 2 GiB, so data is read by
// hyperslab and the caller decides how much to hold at once.
import h5wasm from "h5wasm/node";
import type { Dataset as H5Dataset } from "h5wasm";
import { cleanAttributes, normaliseAttr } from "./attrs.js";
import { allocate, dtypeFromHdf5 } from "../dtype.js";
import { SourceError, type SourceDataset, type SourceDimension, type SourceVariable, type TypedArray } from "./types.js";

const PURE_DIMENSION = "This is a netCDF dimension but not a netCDF variable";
const UNLIMITED = 2 ** 63;

let ready: Promise<unknown> | undefined;

function rawAttrs(ds: { attrs: Record<string, { value: unknown }> }, skipRefs: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, attr] of Object.entries(ds.attrs)) {
    if (skipRefs && (name === "DIMENSION_LIST" || name === "REFERENCE_LIST")) continue;
    try {
      out[name] = attr.value;
    } catch {
      // Attributes of types JSON cannot hold (references, compounds) are not part of the data model we carry.
    }
  }
  return out;
}

export async function openNetcdf4(path: string): Promise<SourceDataset> {
  ready ??= h5wasm.ready;
  await ready;
  let file: InstanceType<typeof h5wasm.File>;
  try {
    file = new h5wasm.File(path, "r");
  } catch (err) {
    throw new SourceError(path, `not a readable NetCDF-4/HDF5 file (${(err as Error).message})`);
  }
  try {
    const dims = new Map<string, SourceDimension>();
    const variables: SourceVariable[] = [];
    const datasets = new Map<string, H5Dataset>();
    for (const key of file.keys()) {
      const entity = file.get(key);
      if (!(entity instanceof h5wasm.Dataset)) continue;
      const attrs = rawAttrs(entity, true);
      const shape = entity.shape ?? [];
      const maxshape = entity.metadata.maxshape ?? shape;
      const isDimScale = attrs.CLASS === "DIMENSION_SCALE";
      if (isDimScale) dims.set(key, { name: key, length: shape[0] ?? 0, unlimited: (maxshape[0] ?? 0) >= UNLIMITED });
      if (typeof attrs.NAME === "string" && attrs.NAME.startsWith(PURE_DIMENSION)) continue;
      const dtype = dtypeFromHdf5(String(entity.dtype));
      if (dtype === undefined) throw new SourceError(path, `variable ${key}: unsupported data type ${JSON.stringify(entity.dtype)}`);
      const dimNames = shape.map((_, i) => {
        const scales = isDimScale && i === 0 ? [`/${key}`] : entity.get_attached_scales(i);
        return (scales[0] ?? `phony_dim_${i}`).replace(/^\//, "");
      });
      const fill = normaliseAttr(attrs._FillValue);
      variables.push({ name: key, dtype, dims: dimNames, shape, attrs: cleanAttributes(attrs), fillValue: typeof fill === "number" ? fill : null });
      datasets.set(key, entity);
    }
    for (const v of variables)
      v.dims.forEach((d, i) => {
        if (!dims.has(d)) dims.set(d, { name: d, length: v.shape[i] ?? 0, unlimited: false });
      });
    const globalAttrs = cleanAttributes(rawAttrs(file, true));
    return {
      path,
      format: "netcdf4",
      dims: [...dims.values()],
      variables,
      attrs: globalAttrs,
      async read(name, start, count): Promise<TypedArray> {
        const ds = datasets.get(name);
        if (ds === undefined) throw new SourceError(path, `no variable ${name}`);
        const ranges = start.map((s, i) => [s, s + (count[i] ?? 0)] as [number, number]);
        const out = ranges.length === 0 ? ds.value : ds.slice(ranges);
        if (typeof out === "number" || typeof out === "bigint") {
          const one = allocate(variables.find((v) => v.name === name)?.dtype ?? "<f8", 1);
          one[0] = out as never;
          return one;
        }
        if (!ArrayBuffer.isView(out)) throw new SourceError(path, `variable ${name}: not numeric data`);
        return out as TypedArray;
      },
      close() {
        file.close();
      },
    };
  } catch (err) {
    file.close();
    throw err;
  }
}
