// The four servers the hostile-input suite attacks (control plane, STAC API, EDR API, viewer), in
// ONE child process as `dmac up` ran them until issue #22: a crash, an exhausted heap or a polluted
// Object.prototype anywhere shows as this process exiting. Prints one JSON line with the URLs, then
// serves until SIGTERM. A watchdog exits with code 70 the moment Object.prototype gains or loses a
// property (the crash the issue reports came a moment after such a write).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createWriteStream } from "node:fs";
import pino from "pino";
import { startControlPlane } from "../../apps/control-plane/index.js";
import { buildCatalogApi } from "../../apps/catalog-api/app.js";
import { buildDataApi } from "../../apps/data-api/index.js";
import { buildViewer } from "../../apps/viewer/app.js";
import { createCatalogStore, openPgliteClient } from "../../catalog/index.js";
import { ingest } from "../../dataplane/index.js";
import { cbofsCollection, cycleItems } from "../catalog/fixtures.js";
import { cycleAt, romsFile } from "../dataplane/fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "dmac-hostile-"));
const log = pino({ level: "info", base: { component: "hostile-suite" } }, createWriteStream(join(dir, "servers.log")));

const baseline = Object.getOwnPropertyNames(Object.prototype).sort().join(",");
const arrayBaseline = Object.getOwnPropertyNames(Array.prototype).sort().join(",");
setInterval(() => {
  const now = Object.getOwnPropertyNames(Object.prototype).sort().join(",");
  if (now !== baseline || Object.getOwnPropertyNames(Array.prototype).sort().join(",") !== arrayBaseline) {
    process.stderr.write(`Object.prototype changed: ${now}\n`);
    process.exit(70);
  }
}, 20).unref();

const store = join(dir, "roms.zarr");
const cycle = cycleAt("2023-10-22T00:00:00Z");
await ingest({ store, inputs: [1, 2].map((hour) => romsFile(join(dir, "src"), { cycle, kind: "f", hour })), concurrency: 0 });

const controlPlane = await startControlPlane({ inMemory: true, port: 0, kubeconfigPath: join(dir, "kubeconfig"), onError: (err) => log.error({ err }, "control-plane request failed") });
const catalogStore = await createCatalogStore(await openPgliteClient());
await catalogStore.upsertCollection(cbofsCollection("cbofs"));
await catalogStore.upsertItems("cbofs", cycleItems("cbofs", 5));
const catalog = await buildCatalogApi({ store: catalogStore, loggerInstance: log.child({ component: "catalog-api" }) });
const catalogUrl = await catalog.listen({ port: 0, host: "127.0.0.1" });
const data = await buildDataApi({ datasets: [{ id: "cbofs", url: store }], loggerInstance: log.child({ component: "data-api" }) });
const dataUrl = await data.listen({ port: 0, host: "127.0.0.1" });
const viewer = await buildViewer({ dataApiUrl: dataUrl, catalogApiUrl: catalogUrl, loggerInstance: log.child({ component: "viewer" }) });
const viewerUrl = await viewer.listen({ port: 0, host: "127.0.0.1" });

writeFileSync(join(dir, "ready"), "");
process.stdout.write(`${JSON.stringify({ dir, controlPlane: controlPlane.url, caPem: controlPlane.caPem, kubeconfigPath: join(dir, "kubeconfig"), catalog: catalogUrl, data: dataUrl, viewer: viewerUrl })}\n`);

process.on("SIGTERM", () => {
  void Promise.all([viewer.close(), data.close(), catalog.close(), controlPlane.stop()]).finally(() => process.exit(0));
});
