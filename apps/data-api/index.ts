// Public API of the data API app.
export { buildDataApi } from "./app.js";
export type { DataApiHandle, DataApiOptions } from "./app.js";
export { serveDataApi, parseStoreArgs } from "./server.js";
export type { RunningDataApi, DataApiServerOptions } from "./server.js";
export { DatasetRegistry } from "./registry.js";
export type { DatasetSource, RegistryOptions } from "./registry.js";
export { invalidateOnDatasetEvents } from "./dataset-events.js";
export { DatasetDiscovery, collectionIdFor, wantedFor } from "./discovery.js";
export type { DiscoveryOptions, DiscoveryLog } from "./discovery.js";
