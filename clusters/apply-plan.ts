// The order ArgoCD syncs an environment, for applying `clusters/<env>/` without ArgoCD (`npm start`
// on the embedded control plane). Read from the rendered Applications themselves, so the local
// platform follows exactly the waves and folders that ArgoCD would.
import { parseAllDocuments } from "yaml";
import { envPaths } from "./env-paths.js";
import type { GeneratedFile } from "./render.js";

export interface ApplyStep {
  readonly wave: number;
  /** Application name, or `domain-<name>` for folders found by the domain ApplicationSet. */
  readonly name: string;
  /** Repository-relative YAML files to apply, sorted. */
  readonly files: readonly string[];
}

/** Helm-sourced Applications cannot be applied without helm; they are listed so callers can say so. */
export interface ApplyPlan {
  readonly steps: readonly ApplyStep[];
  readonly helmCharts: readonly { readonly name: string; readonly chart: string; readonly version: string; readonly wave: number }[];
}

interface ArgoObject {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec: {
    source?: { path?: string; chart?: string; targetRevision?: string };
    generators?: { git?: { directories?: { path: string }[] } }[];
  };
}

const dirOf = (path: string): string => path.slice(0, path.lastIndexOf("/"));
const waveOf = (o: ArgoObject): number => Number(o.metadata.annotations?.["argocd.argoproj.io/sync-wave"] ?? "0");

export function applyPlan(envName: string, files: readonly GeneratedFile[]): ApplyPlan {
  const paths = envPaths(envName);
  const appFiles = files.filter((f) => dirOf(f.path) === paths.apps);
  if (appFiles.length === 0) throw new Error(`${paths.apps}: no rendered Applications (unknown environment "${envName}"?)`);
  const filesIn = (dir: string): string[] => files.filter((f) => dirOf(f.path) === dir).map((f) => f.path).sort();

  const steps: ApplyStep[] = [];
  const helmCharts: ApplyPlan["helmCharts"][number][] = [];
  for (const file of appFiles) {
    for (const doc of parseAllDocuments(file.text)) {
      const obj = doc.toJS() as ArgoObject;
      const wave = waveOf(obj);
      if (obj.kind === "Application" && obj.spec.source?.path) {
        steps.push({ wave, name: obj.metadata.name, files: filesIn(obj.spec.source.path) });
      } else if (obj.kind === "Application" && obj.spec.source?.chart) {
        helmCharts.push({ name: obj.metadata.name, chart: obj.spec.source.chart, version: obj.spec.source.targetRevision ?? "", wave });
      } else if (obj.kind === "ApplicationSet") {
        for (const g of obj.spec.generators ?? []) {
          for (const d of g.git?.directories ?? []) {
            const parent = d.path.replace(/\/\*$/, "");
            const dirs = [...new Set(files.map((f) => dirOf(f.path)).filter((dir) => dirOf(dir) === parent))].sort();
            for (const dir of dirs) steps.push({ wave, name: `domain-${dir.slice(parent.length + 1)}`, files: filesIn(dir) });
          }
        }
      }
    }
  }
  const byWave = <T extends { wave: number; name: string }>(a: T, b: T): number => a.wave - b.wave || a.name.localeCompare(b.name);
  return { steps: steps.sort(byWave), helmCharts: helmCharts.sort(byWave) };
}
