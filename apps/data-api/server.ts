// Starts the data API on a port (`dmac serve-data-api`, the local platform).
import { buildDataApi, type DataApiOptions } from "./app.js";

export interface RunningDataApi {
  url: string;
  invalidate(datasetId: string): void;
  close(): Promise<void>;
}

export interface DataApiServerOptions extends DataApiOptions {
  port: number;
  host?: string;
}

export async function serveDataApi(options: DataApiServerOptions): Promise<RunningDataApi> {
  const { port, host, ...apiOptions } = options;
  const app = await buildDataApi(apiOptions);
  const url = await app.listen({ port, host: host ?? "127.0.0.1" });
  return { url, invalidate: (id) => app.dataApi.invalidate(id), close: () => app.close() };
}

/** Parses "id=url" store arguments; the error names the argument. */
export function parseStoreArgs(args: readonly string[]): Array<{ id: string; url: string }> {
  if (args.length === 0) throw new Error("--store: give at least one id=url (e.g. cbofs=file:///data/cbofs.zarr)");
  const seen = new Set<string>();
  return args.map((a) => {
    const at = a.indexOf("=");
    if (at <= 0 || at === a.length - 1) throw new Error(`--store ${JSON.stringify(a)}: expected id=url (e.g. cbofs=file:///data/cbofs.zarr)`);
    const id = a.slice(0, at);
    if (seen.has(id)) throw new Error(`--store ${JSON.stringify(a)}: dataset id ${id} given twice`);
    seen.add(id);
    return { id, url: a.slice(at + 1) };
  });
}
