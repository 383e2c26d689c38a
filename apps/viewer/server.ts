// Starts the viewer on a port (`dmac serve viewer`, the local platform). The bundle is built in
// the background at start, so the first page load does not wait for esbuild.
import { buildViewer, type ViewerOptions } from "./app.js";

export interface RunningViewer {
  url: string;
  close(): Promise<void>;
}

export interface ViewerServerOptions extends ViewerOptions {
  port: number;
  host?: string;
}

export async function serveViewer(options: ViewerServerOptions): Promise<RunningViewer> {
  const { port, host, ...viewerOptions } = options;
  const app = await buildViewer(viewerOptions);
  const url = await app.listen({ port, host: host ?? "127.0.0.1" });
  app.viewer.bundle().catch((error: unknown) => app.log.error({ err: error }, "viewer bundle failed"));
  return { url, close: () => app.close() };
}
