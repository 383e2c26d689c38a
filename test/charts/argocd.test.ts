// ArgoCD wiring of each rendered environment, checked the way ArgoCD resolves it: from the root
// Application in bootstrap/ through the Applications and the domain ApplicationSet to every file.
import { describe, expect, it } from "vitest";
import { waves } from "../../clusters/render.js";
import { environment } from "../../clusters/environments.js";
import { envNames, envOf, rendered, type Obj } from "./rendered.js";

const { files, objects } = rendered();

type AppSpec = {
  project: string;
  source: { repoURL: string; path?: string; chart?: string; targetRevision: string };
  destination: { namespace: string };
  syncPolicy: { automated?: { prune: boolean; selfHeal: boolean }; syncOptions: string[] };
};
type App = Obj & { spec: AppSpec };

const wave = (o: Obj): number => Number(o.metadata.annotations?.["argocd.argoproj.io/sync-wave"] ?? 0);

/** Minimal glob for ArgoCD git directory generators: `*` matches one path segment. */
function matchesGlob(glob: string, path: string): boolean {
  const re = new RegExp(`^${glob.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]+")}$`);
  return re.test(path);
}

describe.each(envNames)("ArgoCD wiring of %s", (envName) => {
  const env = environment(envName);
  const inEnv = objects.filter((o) => envOf(o.path) === envName);
  const envFiles = files.filter((f) => envOf(f.path) === envName);
  const dirs = new Set(envFiles.map((f) => f.path.slice(0, f.path.lastIndexOf("/"))));
  const roots = inEnv.filter((o) => o.path.startsWith(`clusters/${envName}/bootstrap/`) && o.obj.kind === "Application");
  const root = roots[0]?.obj as App | undefined;

  /** Objects ArgoCD would sync from a repository path (a directory, non-recursive). */
  const objectsAt = (path: string) => inEnv.filter((o) => o.path.slice(0, o.path.lastIndexOf("/")) === path).map((o) => o.obj);

  it("has exactly one root Application pointing at the apps folder", () => {
    expect(roots).toHaveLength(1);
    expect(root?.spec.source).toMatchObject({ repoURL: env.repoURL, targetRevision: env.targetRevision, path: `clusters/${envName}/apps` });
  });

  const children = root ? (objectsAt(root.spec.source.path!) as App[]) : [];
  const apps = children.filter((o) => o.kind === "Application");
  const appSets = children.filter((o) => o.kind === "ApplicationSet") as (Obj & { spec: Record<string, any> })[];

  it("reaches every rendered file from the root app", () => {
    const reached = new Set<string>([`clusters/${envName}/bootstrap`, root!.spec.source.path!]);
    for (const app of apps) if (app.spec.source.path) reached.add(app.spec.source.path);
    for (const set of appSets) {
      for (const g of set.spec.generators as { git: { directories: { path: string }[] } }[]) {
        for (const d of g.git.directories) for (const dir of dirs) if (matchesGlob(d.path, dir)) reached.add(dir);
      }
    }
    const unreached = envFiles.filter((f) => !reached.has(f.path.slice(0, f.path.lastIndexOf("/")))).map((f) => f.path);
    expect(unreached).toEqual([]);
    // And every git path an Application names exists.
    for (const app of apps) if (app.spec.source.path) expect(dirs.has(app.spec.source.path), app.metadata.name).toBe(true);
  });

  it("has an Application for each platform component and each third-party chart", () => {
    expect(apps.map((a) => a.metadata.name).sort()).toEqual(
      ["catalog-api", "crds", "dask-kubernetes-operator", "data-api", "event-bridge", "operator", "platform", "rabbitmq", "traefik", "viewer"].sort(),
    );
  });

  it("orders sync waves: namespaces < CRDs < operator < APIs < custom resources", () => {
    const w = (name: string) => wave(apps.find((a) => a.metadata.name === name)!);
    expect(w("platform")).toBeLessThan(w("crds"));
    expect(w("crds")).toBeLessThan(w("operator"));
    // The operator needs the DaskJob CRD from the dask-kubernetes-operator chart.
    expect(w("dask-kubernetes-operator")).toBeLessThan(w("operator"));
    for (const api of ["catalog-api", "data-api", "viewer"]) expect(w("operator")).toBeLessThan(w(api));
    const domains = appSets.find((s) => s.metadata.name === "domains")!;
    for (const a of apps) expect(wave(a), a.metadata.name).toBeLessThan(wave(domains));
    expect(wave(domains)).toBe(waves.domains);
    // The project must exist before any Application that uses it.
    const project = children.find((o) => o.kind === "AppProject")!;
    for (const a of apps) expect(wave(project)).toBeLessThan(wave(a));
  });

  it("sets the environment's sync policy on every Application and the domain template", () => {
    const policies = [...apps.map((a) => a.spec.syncPolicy), appSets[0]!.spec.template.spec.syncPolicy as AppSpec["syncPolicy"], root!.spec.syncPolicy];
    for (const p of policies) expect(p.automated).toEqual({ prune: env.sync.prune, selfHeal: env.sync.selfHeal });
  });

  it("uses ServerSideApply for large objects (the DaskJob CRD) and our CRDs", () => {
    for (const name of ["dask-kubernetes-operator", "crds"]) {
      expect(apps.find((a) => a.metadata.name === name)?.spec.syncPolicy.syncOptions, name).toContain("ServerSideApply=true");
    }
  });

  it("pins third-party Helm charts to exact versions from allowed repositories", () => {
    const project = children.find((o) => o.kind === "AppProject") as unknown as Obj & { spec: { sourceRepos: string[]; destinations: { namespace: string }[] } };
    const helm = apps.filter((a) => a.spec.source.chart !== undefined);
    expect(helm.map((a) => a.spec.source.chart).sort()).toEqual(["dask-kubernetes-operator", "rabbitmq", "traefik"]);
    for (const a of helm) {
      expect(a.spec.source.targetRevision, a.metadata.name).toMatch(/^\d+\.\d+\.\d+$/);
      expect(project.spec.sourceRepos).toContain(a.spec.source.repoURL);
    }
    for (const a of [...apps, ...appSets.map((s) => s.spec.template as App)]) {
      expect(a.spec.project).toBe("dmac");
      if (!a.spec.destination.namespace.includes("{{")) expect(project.spec.destinations.map((d) => d.namespace)).toContain(a.spec.destination.namespace);
    }
  });

  it("gives each domain its own folder holding its namespace and only namespaced objects in it", () => {
    const domainDirs = [...dirs].filter((d) => d.startsWith(`clusters/${envName}/domains/`));
    expect(domainDirs.map((d) => d.split("/").pop()).sort()).toEqual([...env.domains].sort());
    for (const dir of domainDirs) {
      const name = dir.split("/").pop()!;
      const objs = objectsAt(dir);
      expect(objs.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name)).toEqual([name]);
      for (const o of objs.filter((x) => x.kind !== "Namespace")) expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe(name);
      expect(objs.some((o) => o.apiVersion === "dmac.ioos.us/v1alpha1"), dir).toBe(true);
    }
    const template = appSets[0]!.spec.template as App;
    expect(template.spec.syncPolicy.syncOptions).toContain("SkipDryRunOnMissingResource=true");
  });

  it("renders argocd-cm with the health customizations where ArgoCD reads them", () => {
    const cm = inEnv.find((o) => o.obj.kind === "ConfigMap" && o.obj.metadata.name === "argocd-cm");
    expect(cm?.obj.metadata.namespace).toBe("argocd");
    expect(Object.keys((cm?.obj.data as Record<string, string>) ?? {})).toEqual(
      expect.arrayContaining(["resource.customizations.health.dmac.ioos.us_IngestJob", "resource.customizations.health.kubernetes.dask.org_DaskJob"]),
    );
  });
});

describe("glob matching used by the wiring test", () => {
  it("matches one path segment per star", () => {
    expect(matchesGlob("clusters/dev/domains/*", "clusters/dev/domains/gcoos")).toBe(true);
    expect(matchesGlob("clusters/dev/domains/*", "clusters/dev/domains/gcoos/x")).toBe(false);
    expect(matchesGlob("clusters/dev/domains/*", "clusters/prod/domains/gcoos")).toBe(false);
  });
});
