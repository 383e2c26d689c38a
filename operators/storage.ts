// Where a Dataset's store and an IngestJob's file:// inputs live: the rule is the data plane's
// (dataplane/store-location.ts), shared with the data API, which resolves status.storeUrl the same way.
export { storeLocation, StorageError, type StorageRoots } from "../dataplane/store-location.js";
