// The data API of bench/api/stations.ts in its own worker thread: the benchmark's HTTP client
// (undici reading ~300 KB answers) then does not share the server's event loop, as no real client does.
import { parentPort, workerData } from "node:worker_threads";
import { serveDataApi } from "../../apps/data-api/server.js";

const { store } = workerData as { store: string };
const server = await serveDataApi({ port: 0, datasets: [{ id: "stations", url: store }], logger: false });
parentPort?.postMessage({ url: server.url });
parentPort?.on("message", (m: unknown) => {
  if (m === "close") void server.close().then(() => process.exit(0));
});
