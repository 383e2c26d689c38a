// Sample custom resources for NOS OFS models, rendered into clusters/<env>/domains/<domain>/.
// They are typed against the API, so a schema change that breaks them fails the type-check.
import type { CatalogEntry, Dataset, IngestJob } from "./api/index.js";
import { pinnedImage } from "../images/lock.js";

export type SampleEnvironment = "local" | "dev" | "prod";

export interface SampleDomain {
  /** Domain (regional association) name; also its namespace. */
  readonly name: string;
  readonly title: string;
  readonly objects: (IngestJob | Dataset | CatalogEntry)[];
}

const noaaProvider = { name: "NOAA National Ocean Service", roles: ["producer" as const], url: "https://tidesandcurrents.noaa.gov/models.html" };

/** Locally file:// URLs resolve under the operator's storage root (the data volume); elsewhere the environment's bucket. */
function storageUrl(env: SampleEnvironment, bucket: string, name: string): string {
  return env === "local" ? `file:///${name}.zarr` : `s3://${bucket}/zarr/${name}.zarr`;
}

function cbofs(env: SampleEnvironment, bucket: string): SampleDomain["objects"] {
  const labels = { "app.kubernetes.io/part-of": "dmac", "dmac.ioos.us/model": "cbofs" };
  const dataset: Dataset = {
    apiVersion: "dmac.ioos.us/v1alpha1",
    kind: "Dataset",
    metadata: { name: "cbofs-best-forecast", labels },
    spec: {
      storage: { url: storageUrl(env, bucket, "cbofs-best-forecast"), format: "zarr-v2" },
      model: "roms",
      dimensions: [
        { name: "ocean_time", chunk: 24 },
        { name: "s_rho", chunk: 20 },
        { name: "eta_rho", chunk: 291 },
        { name: "xi_rho", chunk: 332 },
      ],
      aggregation: { type: "best-forecast", concatDim: "ocean_time", identicalDims: ["eta_rho", "xi_rho", "s_rho", "eta_u", "xi_u", "eta_v", "xi_v", "s_w"] },
      encoding: { codec: "blosc-lz4", level: 5 },
      attributes: { title: "Chesapeake Bay Operational Forecast System (CBOFS): best forecast", institution: "NOAA/NOS/CO-OPS" },
      // Published through the CatalogEntry below, which this domain manages in Git.
      catalog: { enabled: false },
      deletionPolicy: "Retain",
    },
  };
  const ingest: IngestJob = {
    apiVersion: "dmac.ioos.us/v1alpha1",
    kind: "IngestJob",
    metadata: { name: "cbofs-forecast", labels },
    spec: {
      source: env === "local"
        ? { prefix: { url: "file:///samples/cbofs/", keyPattern: "nos\\.cbofs\\.fields\\.f\\d{3}\\.\\d{8}\\.t\\d{2}z\\.nc$", recursive: true }, credentials: { anonymous: true } }
        : {
            prefix: { url: "s3://noaa-nos-ofs-pds/cbofs/netcdf/", keyPattern: "cbofs\\.t\\d{2}z\\.\\d{8}\\.fields\\.f\\d{3}\\.nc$", recursive: true },
            region: "us-east-1",
            credentials: { anonymous: true },
          },
      format: "auto",
      variables: { include: ["temp", "salt", "zeta", "u", "v", "mask_rho"] },
      qualityControl: {
        enabled: true,
        onFailure: "flag",
        cfChecks: true,
        variables: [
          { variable: "temp", grossRange: { failMin: -5, failMax: 40, suspectMin: -2, suspectMax: 35 }, spike: { suspectThreshold: 3, failThreshold: 8 } },
          { variable: "salt", grossRange: { failMin: 0, failMax: 45 }, flatLine: { tolerance: 0.0001, suspectCount: 6, failCount: 12 } },
          { variable: "zeta", grossRange: { failMin: -5, failMax: 5 }, rateOfChange: { threshold: 1.5 } },
        ],
      },
      datasetRef: { name: "cbofs-best-forecast" },
      executor: env === "local"
        ? { type: "local" }
        : { type: "dask", dask: { image: pinnedImage("ingest-worker"), workers: env === "prod" ? 8 : 2, workerResources: { cpu: "1", memory: "4Gi" } } },
      parallelism: env === "local" ? 2 : 8,
      retryLimit: 3,
      ...(env === "local" ? {} : { schedule: "15 */6 * * *" }),
      suspend: false,
    },
  };
  const catalogEntry: CatalogEntry = {
    apiVersion: "dmac.ioos.us/v1alpha1",
    kind: "CatalogEntry",
    metadata: { name: "cbofs-best-forecast", labels },
    spec: {
      datasetRef: { name: "cbofs-best-forecast" },
      collection: {
        id: "cbofs-best-forecast",
        title: "CBOFS best forecast",
        description: "Chesapeake Bay Operational Forecast System (ROMS), best available forecast: for each valid time the output with the shortest lead time.",
        license: "CC0-1.0",
        keywords: ["ocean", "forecast", "ROMS", "Chesapeake Bay", "CBOFS", "sea_water_temperature", "sea_water_salinity"],
        providers: [noaaProvider, { name: "IOOS MARACOOS", roles: ["host", "processor"], url: "https://maracoos.org" }],
      },
      itemGranularity: "model-cycle",
      links: [{ rel: "about", href: "https://tidesandcurrents.noaa.gov/ofs/cbofs/cbofs.html", type: "text/html", title: "CBOFS at NOAA CO-OPS" }],
    },
  };
  return env === "local" ? [dataset, ingest, catalogEntry, ...zetaDailyMax(env, bucket, labels)] : [dataset, ingest, catalogEntry];
}

/**
 * A derived Dataset (docs/derived.md): CORA-style daily maximum water level, computed from the
 * best forecast and kept current as cycles arrive; the newest day is provisional until complete.
 */
function zetaDailyMax(env: SampleEnvironment, bucket: string, labels: Record<string, string>): SampleDomain["objects"] {
  const dataset: Dataset = {
    apiVersion: "dmac.ioos.us/v1alpha1",
    kind: "Dataset",
    metadata: { name: "cbofs-zeta-daily-max", labels },
    spec: {
      storage: { url: storageUrl(env, bucket, "cbofs-zeta-daily-max"), format: "zarr-v2" },
      model: "roms",
      aggregation: { type: "append", concatDim: "ocean_time" },
      encoding: { codec: "blosc-lz4", level: 5 },
      attributes: { title: "CBOFS daily maximum water level (from the best forecast)", institution: "NOAA/NOS/CO-OPS" },
      catalog: {
        enabled: true,
        title: "CBOFS daily maximum water level",
        description: "Daily (UTC) maximum of zeta over the CBOFS best forecast, per grid cell; ocean_time_count says how many hourly steps each day holds and ocean_time_complete whether the day is final or provisional.",
        license: "CC0-1.0",
        keywords: ["ocean", "water level", "daily maximum", "ROMS", "CBOFS"],
        providers: [noaaProvider, { name: "IOOS MARACOOS", roles: ["host", "processor"], url: "https://maracoos.org" }],
      },
      deletionPolicy: "Retain",
    },
  };
  const derive: IngestJob = {
    apiVersion: "dmac.ioos.us/v1alpha1",
    kind: "IngestJob",
    metadata: { name: "cbofs-zeta-daily-max", labels },
    spec: {
      source: { datasetRef: { name: "cbofs-best-forecast" }, credentials: { anonymous: true } },
      // UTC days (utcOffset -05:00 would count them from US Eastern standard midnight).
      transform: { select: { variables: ["zeta"] }, resample: { period: "1d", statistic: "max", utcOffset: "+00:00" } },
      format: "auto",
      qualityControl: { enabled: false, onFailure: "flag", cfChecks: false },
      datasetRef: { name: "cbofs-zeta-daily-max" },
      executor: { type: "local" },
      parallelism: 1,
      retryLimit: 3,
      suspend: false,
    },
  };
  return [dataset, derive];
}

function ngofs2(env: SampleEnvironment, bucket: string): SampleDomain["objects"] {
  const labels = { "app.kubernetes.io/part-of": "dmac", "dmac.ioos.us/model": "ngofs2" };
  const dataset: Dataset = {
    apiVersion: "dmac.ioos.us/v1alpha1",
    kind: "Dataset",
    metadata: { name: "ngofs2-nowcast", labels },
    spec: {
      storage: { url: storageUrl(env, bucket, "ngofs2-nowcast"), format: "zarr-v2" },
      model: "fvcom",
      // All dimensions but time must be identical (the default): FVCOM files also carry three, four, maxnode...
      aggregation: { type: "append", concatDim: "time" },
      encoding: { codec: "zlib", level: 1 },
      // The operator creates and owns the CatalogEntry for this one.
      catalog: {
        enabled: true,
        title: "NGOFS2 nowcast",
        description: "Northern Gulf of Mexico Operational Forecast System (FVCOM), nowcasts appended along time.",
        license: "CC0-1.0",
        keywords: ["ocean", "nowcast", "FVCOM", "Gulf of Mexico", "NGOFS2"],
        providers: [noaaProvider, { name: "IOOS GCOOS", roles: ["host"], url: "https://gcoos.org" }],
      },
      deletionPolicy: "Retain",
    },
  };
  const ingest: IngestJob = {
    apiVersion: "dmac.ioos.us/v1alpha1",
    kind: "IngestJob",
    metadata: { name: "ngofs2-nowcast", labels },
    spec: {
      source: env === "local"
        ? { prefix: { url: "file:///samples/ngofs2/", keyPattern: "\\.n\\d{3}\\.\\d{8}\\.t\\d{2}z\\.nc$", recursive: true }, credentials: { anonymous: true } }
        : { prefix: { url: "s3://noaa-nos-ofs-pds/ngofs2/netcdf/", keyPattern: "ngofs2\\.t\\d{2}z\\.\\d{8}\\.fields\\.n\\d{3}\\.nc$", recursive: true }, region: "us-east-1", credentials: { anonymous: true } },
      format: "auto",
      qualityControl: { enabled: true, onFailure: "flag", cfChecks: true },
      datasetRef: { name: "ngofs2-nowcast" },
      executor: { type: "local" },
      parallelism: 2,
      retryLimit: 3,
      ...(env === "local" ? {} : { schedule: "30 */6 * * *" }),
      suspend: false,
    },
  };
  return [dataset, ingest];
}

/**
 * Station observations beside CBOFS (local only: the files ship in samples/data/stations; a real
 * deployment points its IngestJob at the RA's ERDDAP or the NCEI archive instead): CO-OPS-like tide
 * gauges (CF DSG NetCDF) and NDBC-like buoys (ERDDAP CSV) in one timeSeries Dataset.
 */
function chesapeakeStations(): SampleDomain["objects"] {
  const labels = { "app.kubernetes.io/part-of": "dmac", "dmac.ioos.us/feature-type": "timeSeries" };
  const dataset: Dataset = {
    apiVersion: "dmac.ioos.us/v1alpha1",
    kind: "Dataset",
    metadata: { name: "chesapeake-stations", labels },
    spec: {
      storage: { url: storageUrl("local", "", "chesapeake-stations"), format: "zarr-v2" },
      featureType: "timeSeries",
      model: "generic",
      aggregation: { type: "append", concatDim: "time" },
      encoding: { codec: "zlib", level: 1 },
      attributes: { title: "Chesapeake Bay tide gauges and buoys (synthetic samples)", institution: "IOOS MARACOOS (sample data)" },
      catalog: {
        enabled: true,
        title: "Chesapeake Bay stations",
        description: "Water level at CO-OPS-like tide gauges and sea temperature at NDBC-like buoys in Chesapeake Bay, one STAC item per station (synthetic samples).",
        license: "CC0-1.0",
        keywords: ["observations", "tide gauge", "buoy", "Chesapeake Bay", "water_surface_height_above_reference_datum", "sea_water_temperature"],
        providers: [{ name: "IOOS MARACOOS", roles: ["host", "processor"], url: "https://maracoos.org" }],
      },
      deletionPolicy: "Retain",
    },
  };
  const ingest: IngestJob = {
    apiVersion: "dmac.ioos.us/v1alpha1",
    kind: "IngestJob",
    metadata: { name: "chesapeake-stations", labels },
    spec: {
      source: { prefix: { url: "file:///samples/stations/", keyPattern: "\\.(nc|csv)$", recursive: true }, credentials: { anonymous: true } },
      format: "auto",
      qualityControl: {
        enabled: true,
        onFailure: "flag",
        cfChecks: false,
        variables: [
          { variable: "water_level", grossRange: { failMin: -3, failMax: 4, suspectMin: -1.5, suspectMax: 2.5 }, spike: { suspectThreshold: 0.3, failThreshold: 0.6 } },
          { variable: "sea_water_temperature", grossRange: { failMin: -2, failMax: 35 }, rateOfChange: { threshold: 3 } },
        ],
      },
      datasetRef: { name: "chesapeake-stations" },
      executor: { type: "local" },
      parallelism: 1,
      retryLimit: 3,
      suspend: false,
    },
  };
  return [dataset, ingest];
}

/** The sample domains of an environment: MARACOOS with CBOFS (ROMS), GCOOS with NGOFS2 (FVCOM). */
/**
 * `dataBucket`: the stack's data-lake bucket (clusters/config/<env>.outputs.json) when the environment
 * has one; without it a bucket of that conventional name on the environment's object store.
 */
export function sampleDomains(env: SampleEnvironment = "local", dataBucket = `dmac-${env}-datalake`): SampleDomain[] {
  return [
    { name: "maracoos", title: "MARACOOS: Mid-Atlantic Regional Association Coastal Ocean Observing System", objects: [...cbofs(env, dataBucket), ...(env === "local" ? chesapeakeStations() : [])] },
    { name: "gcoos", title: "GCOOS: Gulf of Mexico Coastal Ocean Observing System", objects: ngofs2(env, dataBucket) },
  ];
}
