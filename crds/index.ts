// Public surface of the API package: the CRD objects and their generated files.
import { kinds } from "./api/index.js";
import { crdYaml, renderCrd, type JsonObject } from "./render.js";

export * from "./api/index.js";
export { renderCrd, crdName, structuralSchema } from "./render.js";

/** Our CustomResourceDefinitions as plain apiextensions.k8s.io/v1 objects, in a stable order. */
export const customResourceDefinitions: readonly JsonObject[] = kinds.map(renderCrd);

/** The generated CRD YAML files, paths relative to the repository root. */
export function crdFiles(): { path: string; text: string }[] {
  return kinds.map((kind) => ({
    path: `crds/bases/dmac.ioos.us_${kind.plural}.yaml`,
    text: crdYaml(kind, `crds/api/${kind.kind.toLowerCase()}.ts`),
  }));
}
