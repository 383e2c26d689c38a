import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { customResourceDefinitions } from "../../crds/index.js";
import { sampleDomains, type SampleEnvironment } from "../../crds/samples.js";
import { formatPath, validateResource, validateText, type CrdLike, type SchemaNode } from "../../crds/validation/index.js";

const crds = customResourceDefinitions as unknown as CrdLike[];
const groups = new Set(["dmac.ioos.us"]);
type Obj = Record<string, any>;

function sample(kind: string, name?: string): Obj {
  const all = sampleDomains("dev").flatMap((d) => d.objects);
  const found = all.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) throw new Error(`no sample ${kind}/${name}`);
  return structuredClone(found) as Obj;
}

/** The dev CBOFS IngestJob turned into a derived job: a daily maximum of zeta from the best forecast. */
function derivedJob(): Obj {
  const job = sample("IngestJob");
  job.spec.source = { datasetRef: { name: "cbofs-best-forecast" } };
  job.spec.datasetRef = { name: "cbofs-zeta-daily-max" };
  delete job.spec.variables;
  job.spec.transform = { select: { variables: ["zeta"] }, resample: { period: "1d", statistic: "max" } };
  return job;
}

function errorsOf(object: Obj) {
  return validateResource(object, crds).errors.map((e) => ({ field: formatPath(e.path), type: e.type, message: e.message }));
}

describe("samples", () => {
  for (const env of ["local", "dev", "prod"] as SampleEnvironment[]) {
    it(`every ${env} sample validates without errors`, () => {
      for (const domain of sampleDomains(env)) for (const object of domain.objects) expect(errorsOf(object as Obj), `${env}/${object.kind}/${object.metadata.name}`).toEqual([]);
    });
  }
});

// One case per CEL rule in our CRDs: a valid sample, broken so that exactly that rule fails.
const celCases: { rule: string; kind: string; name?: string; mutate: (o: Obj) => void; field: string }[] = [
  { rule: "self.anonymous || has(self.secretRef)", kind: "IngestJob", mutate: (o) => { o.spec.source.credentials = { anonymous: false }; }, field: "spec.source.credentials.secretRef" },
  { rule: "!(self.anonymous && has(self.secretRef))", kind: "IngestJob", mutate: (o) => { o.spec.source.credentials = { anonymous: true, secretRef: { name: "s3" } }; }, field: "spec.source.credentials.secretRef" },
  { rule: "(has(self.urls) ? 1 : 0) + (has(self.prefix) ? 1 : 0) + (has(self.datasetRef) ? 1 : 0) == 1", kind: "IngestJob", mutate: (o) => { o.spec.source.urls = ["s3://b/k.nc"]; }, field: "spec.source" },
  { rule: "!has(self.datasetRef) || (!has(self.region) && !has(self.endpoint) && !has(self.credentials.secretRef))", kind: "derived", mutate: (o) => { o.spec.source.region = "us-east-1"; }, field: "spec.source.datasetRef" },
  { rule: "has(self.transform) == has(self.source.datasetRef)", kind: "derived", mutate: (o) => { delete o.spec.transform; }, field: "spec.transform" },
  { rule: "!has(self.source.datasetRef) || !has(self.variables)", kind: "derived", mutate: (o) => { o.spec.variables = { include: ["zeta"] }; }, field: "spec.variables" },
  { rule: "!has(self.source.datasetRef) || self.source.datasetRef.name != self.datasetRef.name", kind: "derived", mutate: (o) => { o.spec.datasetRef.name = "cbofs-best-forecast"; }, field: "spec.source.datasetRef.name" },
  { rule: "!has(self.level) || (type(self.level) == string ? self.level in ['surface', 'bottom'] : int(self.level) >= 0)", kind: "derived", mutate: (o) => { o.spec.transform.select.level = "top"; }, field: "spec.transform.select.level" },
  { rule: "self.period.matches('^((1|2|3|4|6|8|12|24)h|1d)$')", kind: "derived", mutate: (o) => { o.spec.transform.resample.period = "5h"; }, field: "spec.transform.resample.period" },
  { rule: "has(self.select) || has(self.resample) || has(self.rechunk)", kind: "derived", mutate: (o) => { o.spec.transform = {}; }, field: "spec.transform" },
  { rule: "self.failMin < self.failMax", kind: "IngestJob", mutate: (o) => { o.spec.qualityControl.variables[0].grossRange = { failMin: 40, failMax: -5 }; }, field: "spec.qualityControl.variables[0].grossRange.failMin" },
  { rule: "!has(self.suspectMin) || (self.suspectMin >= self.failMin && self.suspectMin <= self.failMax)", kind: "IngestJob", mutate: (o) => { o.spec.qualityControl.variables[0].grossRange.suspectMin = -10; }, field: "spec.qualityControl.variables[0].grossRange.suspectMin" },
  { rule: "!has(self.suspectMax) || (self.suspectMax >= self.failMin && self.suspectMax <= self.failMax)", kind: "IngestJob", mutate: (o) => { o.spec.qualityControl.variables[0].grossRange.suspectMax = 50; }, field: "spec.qualityControl.variables[0].grossRange.suspectMax" },
  { rule: "!has(self.suspectMin) || !has(self.suspectMax) || self.suspectMin < self.suspectMax", kind: "IngestJob", mutate: (o) => { o.spec.qualityControl.variables[0].grossRange = { failMin: -5, failMax: 40, suspectMin: 30, suspectMax: 10 }; }, field: "spec.qualityControl.variables[0].grossRange.suspectMin" },
  { rule: "self.suspectThreshold <= self.failThreshold", kind: "IngestJob", mutate: (o) => { o.spec.qualityControl.variables[0].spike = { suspectThreshold: 9, failThreshold: 3 }; }, field: "spec.qualityControl.variables[0].spike.suspectThreshold" },
  { rule: "self.suspectCount < self.failCount", kind: "IngestJob", mutate: (o) => { o.spec.qualityControl.variables[1].flatLine = { tolerance: 0, suspectCount: 12, failCount: 6 }; }, field: "spec.qualityControl.variables[1].flatLine.suspectCount" },
  { rule: "has(self.grossRange) || has(self.spike) || has(self.rateOfChange) || has(self.flatLine)", kind: "IngestJob", mutate: (o) => { o.spec.qualityControl.variables.push({ variable: "u" }); }, field: "spec.qualityControl.variables[3]" },
  { rule: "!self.image.endsWith(':latest')", kind: "IngestJob", mutate: (o) => { o.spec.executor.dask.image = "ghcr.io/ioos/dmac-ingest-worker:latest"; }, field: "spec.executor.dask.image" },
  { rule: "self.type != 'dask' || has(self.dask)", kind: "IngestJob", mutate: (o) => { delete o.spec.executor.dask; }, field: "spec.executor.dask" },
  { rule: "self.type == 'dask' || !has(self.dask)", kind: "IngestJob", mutate: (o) => { o.spec.executor.type = "local"; }, field: "spec.executor.dask" },
  { rule: "!(has(self.include) && has(self.exclude))", kind: "IngestJob", mutate: (o) => { o.spec.variables.exclude = ["u"]; }, field: "spec.variables" },
  { rule: "!self.enabled || has(self.license)", kind: "Dataset", name: "ngofs2-nowcast", mutate: (o) => { delete o.spec.catalog.license; }, field: "spec.catalog.license" },
  { rule: "self.type == 'model-run' || (!has(self.cycle) && !has(self.runType))", kind: "Dataset", mutate: (o) => { o.spec.aggregation.runType = "forecast"; }, field: "spec.aggregation.cycle" },
  { rule: "self.type != 'model-run' || has(self.cycle)", kind: "Dataset", mutate: (o) => { o.spec.aggregation.type = "model-run"; }, field: "spec.aggregation.cycle" },
  { rule: "!has(self.identicalDims) || !(self.concatDim in self.identicalDims)", kind: "Dataset", mutate: (o) => { o.spec.aggregation.identicalDims.push("ocean_time"); }, field: "spec.aggregation.identicalDims" },
  { rule: "self.featureType != 'trajectory'", kind: "Dataset", mutate: (o) => { o.spec.featureType = "trajectory"; }, field: "spec.featureType" },
  { rule: "self.featureType != 'timeSeries' || self.aggregation.type == 'append'", kind: "Dataset", mutate: (o) => { o.spec.featureType = "timeSeries"; delete o.spec.dimensions; o.spec.aggregation = { type: "best-forecast", concatDim: "time" }; }, field: "spec.aggregation.type" },
  { rule: "self.featureType != 'timeSeries' || self.storage.format == 'zarr-v2'", kind: "Dataset", mutate: (o) => { o.spec.featureType = "timeSeries"; o.spec.aggregation = { type: "append", concatDim: "time" }; delete o.spec.dimensions; o.spec.storage.format = "zarr-v3"; }, field: "spec.storage.format" },
  { rule: "self.featureType != 'timeSeries' || !has(self.dimensions)", kind: "Dataset", mutate: (o) => { o.spec.featureType = "timeSeries"; o.spec.aggregation = { type: "append", concatDim: "time" }; o.spec.dimensions = [{ name: "time", chunk: 24 }]; }, field: "spec.dimensions" },
  { rule: "self.codec == 'zstd' || self.level <= 9", kind: "Dataset", mutate: (o) => { o.spec.encoding = { codec: "zlib", level: 12 }; }, field: "spec.encoding.level" },
  { rule: "self.all(key, key.matches('^[A-Za-z0-9_.-]+$'))", kind: "CatalogEntry", mutate: (o) => { o.spec.assets = { "bad key!": { href: "https://example.org/x" } }; }, field: "spec.assets" },
];

function allRules(): { rule: string; message: string }[] {
  const rules: { rule: string; message: string }[] = [];
  const visit = (node: SchemaNode) => {
    for (const r of node["x-kubernetes-validations"] ?? []) rules.push({ rule: r.rule, message: r.message ?? "" });
    for (const child of Object.values(node.properties ?? {})) visit(child);
    if (node.items) visit(node.items);
    if (typeof node.additionalProperties === "object") visit(node.additionalProperties);
  };
  for (const crd of crds) visit(crd.spec.versions[0]!.schema!.openAPIV3Schema);
  return rules;
}

describe("CEL rules", () => {
  it("every rule in the CRDs has a failing case below", () => {
    const covered = new Set(celCases.map((c) => c.rule));
    expect(allRules().map((r) => r.rule).filter((r) => !covered.has(r))).toEqual([]);
  });

  for (const testCase of celCases) {
    it(`fails for the right reason: ${testCase.rule}`, () => {
      const object = testCase.kind === "derived" ? derivedJob() : sample(testCase.kind, testCase.name);
      expect(errorsOf(object)).toEqual([]);
      testCase.mutate(object);
      const message = allRules().find((r) => r.rule === testCase.rule)!.message;
      const errors = errorsOf(object);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.field).toBe(testCase.field);
      expect(errors[0]!.message).toContain(message);
    });
  }
});

// Schema rules: enums, patterns, bounds, required fields, types, list semantics, unknown fields, metadata.
const schemaCases: { title: string; kind: string; mutate: (o: Obj) => void; field: string; type: string }[] = [
  { title: "enum", kind: "IngestJob", mutate: (o) => { o.spec.format = "grib2"; }, field: "spec.format", type: "FieldValueNotSupported" },
  { title: "nested enum", kind: "Dataset", mutate: (o) => { o.spec.aggregation.type = "mean"; }, field: "spec.aggregation.type", type: "FieldValueNotSupported" },
  { title: "required field", kind: "IngestJob", mutate: (o) => { delete o.spec.datasetRef; }, field: "spec.datasetRef", type: "FieldValueRequired" },
  { title: "required spec", kind: "Dataset", mutate: (o) => { delete o.spec; }, field: "spec", type: "FieldValueRequired" },
  { title: "URL scheme pattern", kind: "IngestJob", mutate: (o) => { o.spec.source.prefix.url = "ftp://example.org/data/"; }, field: "spec.source.prefix.url", type: "FieldValueInvalid" },
  { title: "storage URL pattern", kind: "Dataset", mutate: (o) => { o.spec.storage.url = "https://example.org/x.zarr"; }, field: "spec.storage.url", type: "FieldValueInvalid" },
  { title: "pinned image pattern", kind: "IngestJob", mutate: (o) => { o.spec.executor.dask.image = "ghcr.io/ioos/dmac-ingest-worker"; }, field: "spec.executor.dask.image", type: "FieldValueInvalid" },
  { title: "cron pattern", kind: "IngestJob", mutate: (o) => { o.spec.schedule = "every hour"; }, field: "spec.schedule", type: "FieldValueInvalid" },
  { title: "minimum", kind: "IngestJob", mutate: (o) => { o.spec.parallelism = 0; }, field: "spec.parallelism", type: "FieldValueInvalid" },
  { title: "maximum", kind: "IngestJob", mutate: (o) => { o.spec.retryLimit = 11; }, field: "spec.retryLimit", type: "FieldValueInvalid" },
  { title: "type", kind: "IngestJob", mutate: (o) => { o.spec.suspend = "yes"; }, field: "spec.suspend", type: "FieldValueTypeInvalid" },
  { title: "set duplicates", kind: "IngestJob", mutate: (o) => { o.spec.variables.include.push("temp"); }, field: "spec.variables.include[6]", type: "FieldValueDuplicate" },
  { title: "map-list duplicates", kind: "Dataset", mutate: (o) => { o.spec.dimensions.push({ name: "s_rho" }); }, field: "spec.dimensions[4]", type: "FieldValueDuplicate" },
  { title: "unknown field", kind: "Dataset", mutate: (o) => { o.spec.storage.bucket = "x"; }, field: "spec.storage.bucket", type: "FieldValueUnknown" },
  { title: "DNS-1123 label", kind: "CatalogEntry", mutate: (o) => { o.spec.collection.id = "CBOFS_best"; }, field: "spec.collection.id", type: "FieldValueInvalid" },
  { title: "string length", kind: "CatalogEntry", mutate: (o) => { o.spec.collection.title = "x".repeat(300); }, field: "spec.collection.title", type: "FieldValueTooLong" },
  { title: "date-time format", kind: "Dataset", mutate: (o) => { o.spec.aggregation = { type: "model-run", concatDim: "ocean_time", cycle: "yesterday" }; }, field: "spec.aggregation.cycle", type: "FieldValueInvalid" },
  { title: "metadata.name", kind: "Dataset", mutate: (o) => { o.metadata.name = "CBOFS"; }, field: "metadata.name", type: "FieldValueInvalid" },
  { title: "unknown kind", kind: "Dataset", mutate: (o) => { o.kind = "DataSet"; }, field: "kind", type: "FieldValueNotSupported" },
];

describe("derived jobs", () => {
  it("a derived job (source.datasetRef + transform, level as index or name) validates, with the offset defaulted", () => {
    const job = derivedJob();
    job.spec.transform.select.level = 0;
    expect(errorsOf(job)).toEqual([]);
    job.spec.transform.select.level = "surface";
    job.spec.transform.rechunk = { timeChunk: 720 };
    const result = validateResource(job, crds);
    expect(result.errors).toEqual([]);
    expect((result.defaulted as Obj).spec.transform.resample.utcOffset).toBe("+00:00");
  });

  it("refuses a malformed period, a negative level index and an unknown statistic by the schema", () => {
    const job = derivedJob();
    job.spec.transform.resample = { period: "1 day", statistic: "median", utcOffset: "5" };
    job.spec.transform.select.level = -1;
    const errors = errorsOf(job).map((e) => e.field);
    expect(errors).toEqual(expect.arrayContaining(["spec.transform.resample.period", "spec.transform.resample.statistic", "spec.transform.resample.utcOffset", "spec.transform.select.level"]));
  });
});

describe("schema rules", () => {
  for (const testCase of schemaCases) {
    it(`rejects a bad value: ${testCase.title}`, () => {
      const object = sample(testCase.kind);
      testCase.mutate(object);
      const errors = errorsOf(object);
      expect(errors.map((e) => [e.field, e.type])).toEqual([[testCase.field, testCase.type]]);
    });
  }

  it("applies defaults before CEL rules, as the API server does", () => {
    const job = sample("IngestJob");
    delete job.spec.executor;
    delete job.spec.source.credentials;
    const result = validateResource(job, crds);
    expect(result.errors).toEqual([]);
    const spec = (result.defaulted as Obj).spec;
    expect(spec.executor).toEqual({ type: "local" });
    expect(spec.source.credentials).toEqual({ anonymous: true });
    expect(spec.format).toBe("auto");
  });
});

describe("file locations", () => {
  const text = `# a resource with three problems
apiVersion: dmac.ioos.us/v1alpha1
kind: IngestJob
metadata:
  name: broken
spec:
  source:
    urls: [s3://noaa-nos-ofs-pds/cbofs/a.nc]
  format: grib
  executor:
    type: dask
---
apiVersion: v1
kind: ConfigMap
metadata: {name: other}
`;

  it("reports a wrong enum, a missing required field and a violated CEL rule, each at its line", () => {
    const { diagnostics, validated, skipped } = validateText("job.yaml", text, crds, groups);
    expect(validated).toBe(1);
    expect(skipped).toBe(1);
    expect(diagnostics.map((d) => [d.line, d.field, d.type])).toEqual([
      [6, "spec.datasetRef", "FieldValueRequired"],
      [9, "spec.format", "FieldValueNotSupported"],
      [10, "spec.executor.dask", "FieldValueRequired"],
    ]);
  });

  it("reports YAML syntax errors with their line", () => {
    const { diagnostics } = validateText("x.yaml", "apiVersion: v1\nkind: [unclosed\n", crds, groups);
    expect(diagnostics[0]?.type).toBe("YAMLSyntax");
    expect(diagnostics[0]?.line).toBeGreaterThanOrEqual(2);
  });
});

describe("dmac validate (the CLI)", () => {
  const dir = mkdtempSync(join(tmpdir(), "dmac-validate-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = promisify(execFile);
  const cli = join(import.meta.dirname, "../../bin/dmac.js");

  it("prints three errors with file:line and field path and exits non-zero", async () => {
    const bad = sample("IngestJob");
    bad.spec.format = "hdf";
    delete bad.spec.datasetRef;
    bad.spec.executor.type = "local";
    const file = join(dir, "bad.yaml");
    writeFileSync(file, stringify(bad));
    const failure = await run(process.execPath, [cli, "validate", file], { cwd: dir }).then(
      () => { throw new Error("dmac validate exited 0 on an invalid file"); },
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure.code).toBe(1);
    const lines = failure.stderr.trim().split("\n");
    expect(lines.filter((l) => l.startsWith("bad.yaml:"))).toHaveLength(3);
    expect(failure.stderr).toMatch(/^bad\.yaml:\d+:\d+: IngestJob\/cbofs-forecast: spec\.format: Unsupported value: "hdf"/m);
    expect(failure.stderr).toMatch(/^bad\.yaml:\d+:\d+: IngestJob\/cbofs-forecast: spec\.datasetRef: Required value/m);
    expect(failure.stderr).toMatch(/^bad\.yaml:\d+:\d+: IngestJob\/cbofs-forecast: spec\.executor\.dask: Forbidden: dask settings are only allowed/m);
  });

  it("passes a directory of valid samples with exit code 0", async () => {
    const sub = join(dir, "ok");
    for (const domain of sampleDomains("prod")) {
      const path = join(sub, domain.name);
      await import("node:fs/promises").then((fs) => fs.mkdir(path, { recursive: true }));
      writeFileSync(join(path, "resources.yaml"), domain.objects.map((o) => stringify(o)).join("---\n"));
    }
    const { stdout } = await run(process.execPath, [cli, "validate", sub]);
    expect(stdout).toMatch(/2 files: 5 dmac resources validated, 0 other objects skipped, 0 errors/);
  });
});
