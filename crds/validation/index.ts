export { validateFiles, validateText, formatDiagnostic, type Diagnostic, type ValidationReport } from "./files.js";
export { validateResource, validateMetadata, findCrd, type CrdLike, type ResourceResult } from "./resource.js";
export { validateStructural } from "./structural.js";
export { validateCel } from "./cel.js";
export { applyDefaults, pruneUnknown } from "./defaults.js";
export { formatPath, type FieldError, type FieldErrorType, type PathSegment, type SchemaNode } from "./types.js";
