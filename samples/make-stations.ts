// Generates the sample station observations the local platform ingests on its first run (`npm
// start`) into the Dataset chesapeake-stations (crds/samples.ts): CO-OPS-like water level at four
// Chesapeake Bay tide gauges as a CF DSG timeSeries file (orthogonal multidimensional, NetCDF-4),
// and NDBC/CBIBS-like sea temperature at three buoys as ERDDAP tabledap CSV, hourly over the CBOFS
// sample's days (2023-10-21 12:00 to 2023-10-23 00:00 UTC). Synthetic values (samples/stations.ts).
// Run by hand when they change (needs ncgen from Debian's netcdf-bin):
//   npx tsx samples/make-stations.ts
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CHESAPEAKE_STATIONS, stationFixture, writeCsv, writeDsg } from "./stations.js";

const out = join(dirname(fileURLToPath(import.meta.url)), "data", "stations");
const window = { start: Date.UTC(2023, 9, 21, 12), hours: 37 };
const gauges = CHESAPEAKE_STATIONS.filter((s) => s.variable === "water_level");
const buoys = CHESAPEAKE_STATIONS.filter((s) => s.variable === "sea_water_temperature");
console.log(writeDsg(join(out, "coops", "water_level.20231021-20231023.nc"), stationFixture({ ...window, stations: gauges }), "orthogonal", "nc4"));
console.log(writeCsv(join(out, "ndbc", "sea_water_temperature.20231021-20231023.csv"), stationFixture({ ...window, stations: buoys })));
