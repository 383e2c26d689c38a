// IngestJob: which raw files to read, how to check them, and which Dataset they land in.
import { Type, type Static } from "@sinclair/typebox";
import {
  LocalObjectReference, Resources, SecretCredentials, Timestamp, ageColumn, cel, cron, netcdfName, object,
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
    description: "Where the raw files are: a list of URLs, or a prefix scanned with a key pattern.",
    ...cel({ rule: "has(self.urls) != has(self.prefix)", message: "exactly one of urls or prefix must be set", reason: "FieldValueInvalid" }),
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
  { default: {}, description: "Quality control (QARTOD-style) and CF compliance settings." },
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

export const IngestJobSpec = object({
  source: Source,
  format: stringEnum(["auto", "netcdf3", "netcdf4"] as const, { default: "auto", description: "Input format; auto takes NetCDF-3 or NetCDF-4 by the file's magic bytes, otherwise a file whose magic bytes say the other format is refused, naming both." }),
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
