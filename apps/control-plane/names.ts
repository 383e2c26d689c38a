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
