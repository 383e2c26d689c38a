// Station observations (featureType timeSeries): the public API of dataplane/observations/.
//   ingestObservations(options)   what ingest() runs for a timeSeries Dataset (docs/observations.md).
//   readTable(store)              the whole station x time table of a committed store.
//   readStations(store, h), isStationHierarchy(h), observedVariables(h)   for readers (data API).
//   stationSummaries(store)       per-station position, variables and time range (the catalog).
export { ingestObservations } from "./ingest.js";
export { readTable, readStations, isStationHierarchy, observedVariables, NotAStationStore, TIME_UNITS } from "./store.js";
export type { ObservationsLedger, OpenedStations } from "./store.js";
export { stationSummaries } from "./summary.js";
export type { StationSummary } from "./summary.js";
export { readDsg } from "./read-dsg.js";
export { readErddapCsv, parseCsv } from "./read-csv.js";
export { seriesFlags, FLAG_MEANINGS, FLAG_VALUES } from "./qc.js";
export type { Station, StationTable, ObsVariable, ObservationFile, StationSeries } from "./table.js";
