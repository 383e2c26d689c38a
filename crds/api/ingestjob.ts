// IngestJob: which raw files to read, how to check them, and which Dataset they land in.
import { Type, type Static } from "@sinclair/typebox";
import {
  LocalObjectReference, Resources, dns1123Subdomain, SecretCredentials, Timestamp, ageColumn, cel, cron, netcdfName, object,
  pinnedImage, readyColumn, reasonColumn, statusWith, stringEnum, type KindDefinition,
} from "./common.js";

// OpenAPI 3.0 (what CRDs use) spells "greater than" as minimum + a boolean exclusiveMinimum.
const positive = { minimum: 0, exclusiveMinimum: true } as unknown as { exclusiveMinimum: number };

const VariableNames = Type.Array(Type.String({ pattern: netcdfName, maxLength: 256 }), { maxItems: 512, "x-kubernetes-list-type": "set" });

export const SourcePrefix = object(
  {
    url: Type.String({ pattern: "^(s3|file)://[^\\s]+$", maxLength: 2048, description: "Bucket and prefix (s3://bucket/prefix/) or a local directory (file:///path/) to scan." }),
    keyPattern: Type.String({ maxLength: 1024, default: ".*\\.nc$", description: "Regular expression a key (relative to the prefix) must match to be ingested, e.g. `cbofs\\.t\\d{2}z\\.\\d{8}\\.fields\\.f\\d{3}\\.nc$`." }),
    recursive: Type.Boolean({ default: true, description: "Scan below the prefix, not only directly in it." }),
  },
  { description: "A bucket/prefix (or directory) scanned for keys matching a pattern." },
);

export const Source = object(
  {
    urls: Type.Optional(Type.Array(Type.String({ pattern: "^(s3|https|file)://[^\\s]+$", maxLength: 2048 }), {
      minItems: 1, maxItems: 10000, description: "Explicit list of files (s3://, https:// or file:// URLs).", "x-kubernetes-list-type": "set",
    })),
    prefix: Type.Optional(SourcePrefix),
    datasetRef: Type.Optional(object(
      { name: Type.String({ description: "Name of the source Dataset, in the same namespace.", pattern: dns1123Subdomain, minLength: 1, maxLength: 253 }) },
      { description: "Derive from another Dataset of this namespace instead of files: spec.transform is computed from its store and kept current as the source commits new steps (docs/derived.md)." },
    )),
    region: Type.Optional(Type.String({ pattern: "^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", description: "AWS region of an s3:// source, e.g. us-east-1." })),
    endpoint: Type.Optional(Type.String({ pattern: "^https?://[^\\s]+$", maxLength: 2048, description: "S3-compatible endpoint URL, for sources outside AWS." })),
    credentials: object(
      {
        anonymous: Type.Boolean({ default: true, description: "Read without signing requests (public NOAA NODD buckets)." }),
        secretRef: Type.Optional(SecretCredentials),
      },
      {
        default: {},
        description: "How to authenticate to the source.",
        ...cel(
          { rule: "self.anonymous || has(self.secretRef)", message: "secretRef is required when anonymous is false", fieldPath: ".secretRef", reason: "FieldValueRequired" },
          { rule: "!(self.anonymous && has(self.secretRef))", message: "secretRef must not be set when anonymous is true", fieldPath: ".secretRef", reason: "FieldValueForbidden" },
        ),
      },
    ),
  },
  {
    description: "Where the input is: a list of URLs, a prefix scanned with a key pattern, or another Dataset (datasetRef, with spec.transform).",
    ...cel(
      { rule: "(has(self.urls) ? 1 : 0) + (has(self.prefix) ? 1 : 0) + (has(self.datasetRef) ? 1 : 0) == 1", message: "exactly one of urls, prefix or datasetRef must be set", reason: "FieldValueInvalid" },
      { rule: "!has(self.datasetRef) || (!has(self.region) && !has(self.endpoint) && !has(self.credentials.secretRef))", message: "region, endpoint and credentials apply to file sources, not to datasetRef (the source Dataset's store is read with the operator's own identity)", fieldPath: ".datasetRef", reason: "FieldValueForbidden" },
    ),
  },
);

export const GrossRangeTest = object(
  {
    failMin: Type.Number({ description: "Values below are flagged fail." }),
    failMax: Type.Number({ description: "Values above are flagged fail." }),
    suspectMin: Type.Optional(Type.Number({ description: "Values below (but within the fail span) are flagged suspect." })),
    suspectMax: Type.Optional(Type.Number({ description: "Values above (but within the fail span) are flagged suspect." })),
  },
  {
    description: "QARTOD gross range test.",
    ...cel(
      { rule: "self.failMin < self.failMax", message: "failMin must be less than failMax", fieldPath: ".failMin" },
      { rule: "!has(self.suspectMin) || (self.suspectMin >= self.failMin && self.suspectMin <= self.failMax)", message: "suspectMin must lie within [failMin, failMax]", fieldPath: ".suspectMin" },
      { rule: "!has(self.suspectMax) || (self.suspectMax >= self.failMin && self.suspectMax <= self.failMax)", message: "suspectMax must lie within [failMin, failMax]", fieldPath: ".suspectMax" },
      { rule: "!has(self.suspectMin) || !has(self.suspectMax) || self.suspectMin < self.suspectMax", message: "suspectMin must be less than suspectMax", fieldPath: ".suspectMin" },
    ),
  },
);

export const SpikeTest = object(
  {
    suspectThreshold: Type.Number({ ...positive, description: "Spike height flagged suspect." }),
    failThreshold: Type.Number({ ...positive, description: "Spike height flagged fail." }),
  },
  { description: "QARTOD spike test along time.", ...cel({ rule: "self.suspectThreshold <= self.failThreshold", message: "suspectThreshold must not exceed failThreshold", fieldPath: ".suspectThreshold" }) },
);

export const RateOfChangeTest = object(
  { threshold: Type.Number({ ...positive, description: "Largest allowed change between consecutive time steps, in the variable's units." }) },
  { description: "QARTOD rate-of-change test along time." },
);

export const FlatLineTest = object(
  {
    tolerance: Type.Number({ minimum: 0, description: "Changes smaller than this count as flat." }),
    suspectCount: Type.Integer({ minimum: 2, maximum: 10000, description: "Repeated steps flagged suspect." }),
    failCount: Type.Integer({ minimum: 2, maximum: 10000, description: "Repeated steps flagged fail." }),
  },
  { description: "QARTOD flat-line test along time.", ...cel({ rule: "self.suspectCount < self.failCount", message: "suspectCount must be less than failCount", fieldPath: ".suspectCount" }) },
);

export const VariableQc = object(
  {
    variable: Type.String({ pattern: netcdfName, maxLength: 256, description: "Variable the tests apply to." }),
    grossRange: Type.Optional(GrossRangeTest),
    spike: Type.Optional(SpikeTest),
    rateOfChange: Type.Optional(RateOfChangeTest),
    flatLine: Type.Optional(FlatLineTest),
  },
  {
    ...cel({ rule: "has(self.grossRange) || has(self.spike) || has(self.rateOfChange) || has(self.flatLine)", message: "at least one test must be configured for the variable" }),
  },
);

export const QualityControl = object(
  {
    enabled: Type.Boolean({ default: true, description: "Run quality control and compliance checks on every file." }),
    onFailure: stringEnum(["refuse", "flag"] as const, { default: "flag", description: "refuse: a failing file is not ingested; flag: it is ingested and the failure reported." }),
    cfChecks: Type.Boolean({ default: true, description: "Run CF compliance checks (units, standard_name, coordinates, time units, fill values)." }),
    variables: Type.Optional(Type.Array(VariableQc, { maxItems: 256, "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["variable"], description: "QARTOD tests per variable." })),
  },
  { default: {}, description: "Quality control (QARTOD-style) and CF compliance settings, applied to each source file before it is ingested (file sources; a derived job reads a Dataset whose files were checked as they were ingested)." },
);

export const DaskExecutor = object(
  {
    image: Type.String({ pattern: pinnedImage, maxLength: 512, description: "Ingest worker image, pinned by tag or digest (never latest)." }),
    workers: Type.Integer({ minimum: 1, maximum: 500, default: 2, description: "Number of Dask workers." }),
    workerResources: Type.Optional(Resources),
    schedulerResources: Type.Optional(Resources),
  },
  { ...cel({ rule: "!self.image.endsWith(':latest')", message: "image must be pinned to a version, not latest", fieldPath: ".image" }) },
);

export const Executor = object(
  {
    type: stringEnum(["local", "dask"] as const, { default: "local", description: "local: worker threads in the operator; dask: a DaskJob on the cluster." }),
    dask: Type.Optional(DaskExecutor),
  },
  {
    default: {},
    description: "Where units of work run.",
    ...cel(
      { rule: "self.type != 'dask' || has(self.dask)", message: "dask settings are required when type is dask", fieldPath: ".dask", reason: "FieldValueRequired" },
      { rule: "self.type == 'dask' || !has(self.dask)", message: "dask settings are only allowed when type is dask", fieldPath: ".dask", reason: "FieldValueForbidden" },
    ),
  },
);

export const Select = object(
  {
    variables: Type.Array(Type.String({ pattern: netcdfName, maxLength: 256 }), {
      minItems: 1, maxItems: 512, "x-kubernetes-list-type": "set",
      description: "Variables of the source Dataset to derive (each must have the source's time dimension). Their coordinates (dimension coordinates and those the coordinates attribute names, without the time dimension) come along. A variable the source lacks makes the job Degraded naming this field; nothing is written.",
    }),
    level: Type.Optional(Type.Unsafe<number | string>({
      "x-kubernetes-int-or-string": true,
      description: "One vertical level, dropping the vertical dimension: an index (0-based, in the store's order) or surface / bottom, resolved from the vertical coordinate (ROMS s_rho / s_w, FVCOM siglay / siglev, or any coordinate with a positive attribute or an ocean_s/sigma standard_name): for s and sigma coordinates the surface is the level whose value is largest (nearest 0), for positive: down depths the smallest. A variable without a vertical dimension makes the job Degraded naming this field.",
    })),
  },
  {
    description: "Which variables, and optionally which vertical level, to take from the source.",
    ...cel({ rule: "!has(self.level) || (type(self.level) == string ? self.level in ['surface', 'bottom'] : int(self.level) >= 0)", message: "level must be a non-negative index, surface or bottom", fieldPath: ".level" }),
  },
);

export const Resample = object(
  {
    period: Type.String({ pattern: "^[1-9][0-9]{0,2}[hd]$", maxLength: 4, description: "Length of a period: 1h, 2h, 3h, 4h, 6h, 8h, 12h, 24h or 1d (periods start at midnight of the utcOffset's clock, so they must divide a day). It must not be shorter than the source's time step (else the job is Degraded naming this field)." }),
    statistic: stringEnum(["max", "min", "mean"] as const, { description: "Statistic over the steps of each period, per grid cell, missing values skipped (xarray's resample(...).max() / min() / mean()). The number of source steps each period holds is written beside the values (<time>_count) with a complete flag (<time>_complete); an incomplete period is written as provisional and rewritten when later steps arrive." }),
    utcOffset: Type.String({ pattern: "^[+-](0[0-9]|1[0-4]):[0-5][0-9]$", default: "+00:00", description: "Fixed offset from UTC of the clock periods are counted in, e.g. -05:00 for days from local standard midnight on the US east coast. Period labels are the periods' starts, in the source's time units (UTC)." }),
  },
  {
    description: "Periodic statistics along the source's time dimension (the derived Dataset's time axis holds one step per period).",
    ...cel({ rule: "self.period.matches('^((1|2|3|4|6|8|12|24)h|1d)$')", message: "period must divide a day: 1h, 2h, 3h, 4h, 6h, 8h, 12h, 24h or 1d", fieldPath: ".period" }),
  },
);

export const Rechunk = object(
  {
    timeChunk: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, description: "Time steps per chunk. Default: the steps of 30 days of the source (720 for hourly output), at most 8760." })),
    tile: Type.Optional(Type.Integer({ minimum: 1, maximum: 4096, description: "Side of the square spatial tile (the last two dimensions; other dimensions are chunked by 1). Default: the side that makes a chunk about 1 MiB uncompressed, floor(sqrt(2^20 / (itemsize x timeChunk))), at least 1." })),
  },
  { description: "A time-series layout: long time chunks over small spatial tiles, so a point's series is one or a few chunks. The data API's position queries read a Dataset's rechunk derivative instead of the Dataset (docs/derived.md)." },
);

export const Transform = object(
  {
    select: Type.Optional(Select),
    resample: Type.Optional(Resample),
    rechunk: Type.Optional(Rechunk),
  },
  {
    description: "What to compute from the source Dataset: select, then resample, written in the rechunk layout when given (each optional, at least one). The result is an ordinary Dataset, appended along the period axis, with CF cell_methods and provenance attributes (dmac_source, dmac_transform).",
    ...cel({ rule: "has(self.select) || has(self.resample) || has(self.rechunk)", message: "transform needs at least one of select, resample or rechunk" }),
  },
);

export const IngestJobSpec = object({
  source: Source,
  format: stringEnum(["auto", "netcdf3", "netcdf4"] as const, { default: "auto", description: "Input format of source files (a derived job reads its source Dataset's Zarr store and does not use it); auto takes NetCDF-3 or NetCDF-4 by the file's magic bytes (and, for a Dataset with featureType timeSeries, ERDDAP tabledap CSV when they are not NetCDF's), otherwise a file whose magic bytes say another format is refused, naming both." }),
  variables: Type.Optional(object(
    {
      include: Type.Optional(VariableNames),
      exclude: Type.Optional(VariableNames),
    },
    {
      description: "Which variables to ingest. The coordinates and grid variables they need always come along: the time coordinate, each dimension's coordinate variable, the variables their CF attributes name (coordinates, formula_terms, bounds, grid_mapping, cell_measures, ancillary_variables, UGRID mesh and connectivity) and the model family's grid variables (Dataset spec.model). A variable in include that a file lacks refuses that file, naming it.",
      ...cel({ rule: "!(has(self.include) && has(self.exclude))", message: "include and exclude are mutually exclusive", reason: "FieldValueForbidden" }),
    },
  )),
  qualityControl: QualityControl,
  datasetRef: LocalObjectReference,
  executor: Executor,
  parallelism: Type.Integer({ minimum: 1, maximum: 64, default: 2, description: "Files processed at once." }),
  retryLimit: Type.Integer({ minimum: 0, maximum: 10, default: 3, description: "Retries per file before it is marked Failed." }),
  schedule: Type.Optional(Type.String({ pattern: cron, maxLength: 128, description: "Cron schedule (UTC) on which the source is rescanned for new files." })),
  suspend: Type.Boolean({ default: false, description: "Stop starting new work; running items finish." }),
  transform: Type.Optional(Transform),
}, {
  ...cel(
    { rule: "has(self.transform) == has(self.source.datasetRef)", message: "transform is required with source.datasetRef and allowed only with it", fieldPath: ".transform", reason: "FieldValueInvalid" },
    { rule: "!has(self.source.datasetRef) || !has(self.variables)", message: "variables selects files' variables; a derived job selects with transform.select.variables", fieldPath: ".variables", reason: "FieldValueForbidden" },
    { rule: "!has(self.source.datasetRef) || self.source.datasetRef.name != self.datasetRef.name", message: "a Dataset cannot be derived from itself", fieldPath: ".source.datasetRef.name" },
  ),
});
export type IngestJobSpec = Static<typeof IngestJobSpec>;

export const ingestPhases = ["Pending", "Running", "Succeeded", "Failed", "Suspended"] as const;

export const IngestJobStatus = statusWith({
  phase: Type.Optional(stringEnum(ingestPhases, { description: "Summary of the job's progress." })),
  items: Type.Optional(object({
    total: Type.Integer({ minimum: 0 }),
    pending: Type.Integer({ minimum: 0 }),
    running: Type.Integer({ minimum: 0 }),
    succeeded: Type.Integer({ minimum: 0 }),
    failed: Type.Integer({ minimum: 0 }),
    skipped: Type.Optional(Type.Integer({ minimum: 0, description: "Of the succeeded, files that wrote nothing by design: another cycle or run type than the Dataset's, or steps already in the store." })),
  }, { description: "Counts of work items (one per source file)." })),
  recentFailures: Type.Optional(Type.Array(object({
    url: Type.String({ maxLength: 2048 }),
    reason: Type.String({ maxLength: 256 }),
    message: Type.String({ maxLength: 4096 }),
    attempts: Type.Integer({ minimum: 0 }),
    time: Timestamp,
  }), { maxItems: 20, description: "The most recent failed items (the full ledger is kept beside the data)." })),
  ledgerUrl: Type.Optional(Type.String({ maxLength: 2048, description: "Where the per-item ledger is stored." })),
  daskJobName: Type.Optional(Type.String({ maxLength: 253, description: "The DaskJob running the current batch, when the executor is dask." })),
  derived: Type.Optional(object({
    sourceCommitTime: Type.Optional(Timestamp),
    steps: Type.Integer({ minimum: 0, description: "Length of the derived Dataset's time axis (periods with resample, else steps)." }),
    complete: Type.Integer({ minimum: 0, description: "Periods holding every step they should (all steps without resample)." }),
    provisional: Type.Integer({ minimum: 0, description: "Periods written from part of their steps, rewritten when the rest arrives." }),
    recomputed: Type.Integer({ minimum: 0, description: "Time steps (periods) recomputed by the last update." }),
    chunksRewritten: Type.Integer({ minimum: 0, description: "Chunks written by the last update." }),
    lastUpdateTime: Type.Optional(Timestamp),
  }, { description: "A derived job (source.datasetRef): what the derived Dataset holds and what the last update recomputed." })),
  startTime: Type.Optional(Timestamp),
  completionTime: Type.Optional(Timestamp),
  lastScheduleTime: Type.Optional(Timestamp),
});
export type IngestJobStatus = Static<typeof IngestJobStatus>;

export const ingestJobKind: KindDefinition = {
  kind: "IngestJob",
  plural: "ingestjobs",
  singular: "ingestjob",
  shortNames: ["ij"],
  description: "IngestJob reads raw model output (NetCDF) from a source, checks it, and writes it into a Dataset.",
  spec: IngestJobSpec,
  status: IngestJobStatus,
  printerColumns: [
    { name: "Phase", type: "string", jsonPath: ".status.phase" },
    readyColumn,
    { name: "Dataset", type: "string", jsonPath: ".spec.datasetRef.name" },
    { name: "Executor", type: "string", jsonPath: ".spec.executor.type" },
    { name: "Succeeded", type: "integer", jsonPath: ".status.items.succeeded" },
    { name: "Failed", type: "integer", jsonPath: ".status.items.failed" },
    { name: "Total", type: "integer", jsonPath: ".status.items.total" },
    reasonColumn,
    ageColumn,
  ],
};
