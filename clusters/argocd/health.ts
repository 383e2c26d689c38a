// ArgoCD resource health customizations (argocd-cm `resource.customizations.health.<group>_<Kind>`).
// The Lua sources are files beside this module so they can be read, linted and run by tests as they are.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { group } from "../../crds/api/common.js";

const healthDir = join(dirname(fileURLToPath(import.meta.url)), "health");

/** Our kinds share one script: health is the Ready condition at the current generation. */
export const dmacKinds = ["IngestJob", "Dataset", "CatalogEntry"] as const;

/** argocd-cm key → Lua script file (relative to clusters/argocd/health/). */
export const healthScriptFiles: Readonly<Record<string, string>> = {
  ...Object.fromEntries(dmacKinds.map((kind) => [`${group}_${kind}`, "ready-condition.lua"])),
  "kubernetes.dask.org_DaskJob": "kubernetes.dask.org_DaskJob.lua",
  "argoproj.io_Application": "argoproj.io_Application.lua",
};

export const healthKeyPrefix = "resource.customizations.health.";

export function readHealthScript(file: string): string {
  return readFileSync(join(healthDir, file), "utf8");
}

/** argocd-cm data entries: `resource.customizations.health.<group>_<Kind>` → Lua source. */
export function argocdResourceCustomizations(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(healthScriptFiles).map(([groupKind, file]) => [`${healthKeyPrefix}${groupKind}`, readHealthScript(file)]),
  );
}
