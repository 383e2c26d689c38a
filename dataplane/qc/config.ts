// The QC configuration: exactly the IngestJob's `spec.qualityControl`, validated by the same
// structural schema and CEL rules the API server applies, so a `dmac convert --qc` file and an
// IngestJob mean the same thing and fail the same way.
import type { Static } from "@sinclair/typebox";
import { QualityControl, type VariableQc } from "../../crds/api/ingestjob.js";
import { structuralSchema } from "../../crds/render.js";
import { applyDefaults, validateCel, validateStructural, type FieldError, type SchemaNode } from "../../crds/validation/index.js";

export type QcConfig = Static<typeof QualityControl>;
export type VariableTests = Static<typeof VariableQc>;
export type GrossRangeConfig = NonNullable<VariableTests["grossRange"]>;
export type SpikeConfig = NonNullable<VariableTests["spike"]>;
export type RateOfChangeConfig = NonNullable<VariableTests["rateOfChange"]>;
export type FlatLineConfig = NonNullable<VariableTests["flatLine"]>;

const schema = structuralSchema(QualityControl) as SchemaNode;

export type QcConfigValidation = { ok: true; config: QcConfig } | { ok: false; errors: FieldError[] };

/** Validates a parsed config (YAML/JSON value) and applies the CRD's defaults. Pure. */
export function validateQcConfig(value: unknown): QcConfigValidation {
  const structural = validateStructural(schema, value, { reportUnknownFields: true });
  if (structural.length > 0) return { ok: false, errors: structural };
  const withDefaults = applyDefaults(schema, value);
  const cel = validateCel(schema, withDefaults);
  if (cel.length > 0) return { ok: false, errors: cel };
  return { ok: true, config: withDefaults as QcConfig };
}

/** The config used when none is given: CF checks on, no QARTOD tests, failures flagged. */
export function defaultQcConfig(): QcConfig {
  const result = validateQcConfig({});
  if (!result.ok) throw new Error("qualityControl defaults do not validate (CRD schema changed?)");
  return result.config;
}
