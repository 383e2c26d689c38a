// Name validation as kube-apiserver's apimachinery validation does it.
import type { StatusCause } from "./errors.js";

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function validateName(name: string, kind: "subdomain" | "label" | "path", field = "metadata.name"): StatusCause[] {
  const causes: StatusCause[] = [];
  if (kind === "path") return pathSegmentNameErrors(name, field);
  const max = kind === "label" ? 63 : 253;
  const pattern = kind === "label" ? DNS1123_LABEL : DNS1123_SUBDOMAIN;
  if (name.length > max) causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(name)}: must be no more than ${max} characters`, field });
  if (!pattern.test(name)) {
    const what = kind === "label"
      ? "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
      : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(name)}: ${what}`, field });
  }
  return causes;
}

/** RBAC objects' names (ValidatePathSegmentName): anything that is a safe URL path segment, so "system:discovery" is valid. */
function pathSegmentNameErrors(name: string, field: string): StatusCause[] {
  if (name === "." || name === "..") return [{ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(name)}: may not be '${name}'`, field }];
  const bad = ["/", "%"].find((c) => name.includes(c));
  return bad ? [{ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(name)}: may not contain '${bad}'`, field }] : [];
}

/** Label keys and values on metadata.labels (qualified name / label value rules). */
export function validateLabels(labels: Record<string, unknown> | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    const field = `metadata.labels`;
    if (!/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(key)) {
      causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(key)}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`, field });
    }
    if (typeof value !== "string" || value.length > 63 || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(value)) {
      causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(value)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`, field });
    }
  }
  return causes;
}

/** kube-apiserver's TotalAnnotationSizeLimitB: keys plus values of metadata.annotations. */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;

const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * metadata.annotations as apimachinery's ValidateAnnotations: every key a qualified name (an
 * optional DNS-subdomain prefix of at most 253 characters and "/", then a name of at most 63
 * characters; judged lower-cased, as kube does), string values, and keys plus values at most 256 KiB.
 */
export function validateAnnotations(annotations: unknown): StatusCause[] {
  const field = "metadata.annotations";
  if (annotations === undefined || annotations === null) return [];
  if (typeof annotations !== "object" || Array.isArray(annotations)) return [{ reason: "FieldValueTypeInvalid", message: "Invalid value: must be a map of string keys to string values", field }];
  const causes: StatusCause[] = [];
  let total = 0;
  for (const [key, value] of Object.entries(annotations)) {
    const lower = key.toLowerCase();
    const slash = lower.lastIndexOf("/");
    const [prefix, name] = slash >= 0 ? [lower.slice(0, slash), lower.slice(slash + 1)] : ["", lower];
    if (!QUALIFIED_NAME.test(lower) || name.length > 63 || prefix.length > 253) {
      causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(key.slice(0, 300))}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName'), name part at most 63 characters`, field });
    }
    if (typeof value !== "string") causes.push({ reason: "FieldValueTypeInvalid", message: `Invalid value: the value of ${JSON.stringify(key.slice(0, 300))} must be a string`, field });
    total += Buffer.byteLength(key) + (typeof value === "string" ? Buffer.byteLength(value) : 0);
  }
  if (total > MAX_ANNOTATIONS_BYTES) causes.push({ reason: "FieldValueTooLong", message: `Too long: must have at most ${MAX_ANNOTATIONS_BYTES} bytes`, field });
  return causes;
}
