// The limits that keep one request from taking the server down, with kube-apiserver's values
// where it has one (docs/operations.md, "Limits").

/** kube-apiserver's request body limit (`--max-request-bytes` default for JSON/YAML bodies). */
export const MAX_REQUEST_BYTES = 3 * 1024 * 1024;

/** Operations in one JSON patch: kube-apiserver's `maxJSONPatchOperations`; more is 413. */
export const MAX_JSON_PATCH_OPERATIONS = 10_000;

/**
 * Bytes a JSON patch's `copy` operations may add to the document, summed as they are applied:
 * kube-apiserver gives its json-patch library the request limit as `AccumulatedCopySizeLimit`,
 * so a small patch of copies doubling a map stops at 3 MiB instead of growing exponentially.
 */
export const MAX_PATCH_COPY_BYTES = MAX_REQUEST_BYTES;

/**
 * Nesting of any JSON or YAML body (objects and arrays), 400 beyond. Go's encoding/json, which
 * kube-apiserver decodes with, stops at 10,000; ours stops far lower because every layer after the
 * decoder (clone, pruning, defaulting, validation, CEL, managedFields paths) walks the object
 * recursively on a JavaScript stack, and a field path's cost grows with its depth. The deepest
 * document in clusters/ and crds/ is 17 levels; a CRD embedding a whole PodSpec schema is about 40.
 */
export const MAX_BODY_DEPTH = 100;
