// h5wasm, loaded on first use. Importing it compiles its WASM module and allocates its memory
// (about 30 MiB) in every thread that imports the data plane, and the data API, which serves Zarr
// and never opens HDF5, imports the data plane; so the NetCDF-4 readers load it when they first
// open a file.
type H5wasm = typeof import("h5wasm/node").default;

let loading: Promise<H5wasm> | undefined;

/** h5wasm, ready to open files. */
export function loadH5wasm(): Promise<H5wasm> {
  loading ??= import("h5wasm/node").then(async ({ default: h5wasm }) => {
    await h5wasm.ready;
    return h5wasm;
  });
  return loading;
}
