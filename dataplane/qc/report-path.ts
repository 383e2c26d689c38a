// Where a file's QC report lives: beside the Zarr store, in a sibling "<store>.qc/" prefix, so
// Zarr readers never see it and one listing shows every file's report:
//   s3://bucket/cbofs.zarr + .../nos.cbofs.fields.f001.20240101.t00z.nc
//   → s3://bucket/cbofs.zarr.qc/nos.cbofs.fields.f001.20240101.t00z.nc.qc.json
// Works for s3://, file:// and https:// URLs and for plain paths.

/** The last path segment of a file path or URL, made safe to use as one object name. */
export function reportName(sourceFile: string): string {
  const withoutQuery = sourceFile.replace(/[?#].*$/, "");
  const base = withoutQuery.split(/[\\/]/).pop() ?? "";
  let decoded = base;
  try {
    decoded = decodeURIComponent(base);
  } catch {
    // keep it as written
  }
  const safe = decoded.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_");
  if (safe === "" || safe === "_") throw new Error(`sourceFile: ${JSON.stringify(sourceFile)} has no file name to name its QC report after`);
  return `${safe}.qc.json`;
}

/**
 * The report's location split for a key-value store client: open `prefix` as a store of its own
 * and write `key` in it (e.g. `openWritableStore(prefix).set(key, bytes)`).
 */
export function reportLocationFor(storeUrl: string, sourceFile: string): { prefix: string; key: string } {
  const store = storeUrl.replace(/[\\/]+$/, "");
  if (store === "" || /^[a-z][a-z0-9+.-]*:\/*$/i.test(store)) throw new Error(`storeUrl: ${JSON.stringify(storeUrl)} does not name a store`);
  return { prefix: `${store}.qc`, key: `/${reportName(sourceFile)}` };
}

/** The report's location for a source file ingested into the store at `storeUrl`. */
export function reportPathFor(storeUrl: string, sourceFile: string): string {
  const { prefix, key } = reportLocationFor(storeUrl, sourceFile);
  return `${prefix}${key}`;
}
