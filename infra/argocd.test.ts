import { describe, expect, it } from "vitest";
import { argocdValues, readRenderedRootApp, rootApplication } from "./argocd.js";

const cfg = { stack: "dev", gitRepoUrl: "https://git.example.org/ioos/dmac.git", gitRevision: "release-1" };
const app = (name: string, path: string) => ({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Application",
  metadata: { name, namespace: "argocd" },
  spec: { project: "default", source: { repoURL: "https://x/y.git", targetRevision: "main", path }, syncPolicy: { automated: { prune: true } } },
});

describe("rootApplication", () => {
  it("keeps the tree's manifest and takes repository and revision from the stack", () => {
    const out = rootApplication(app("dmac-dev", "clusters/dev/apps"), cfg, "f.yaml");
    expect(out.spec.source).toEqual({ repoURL: cfg.gitRepoUrl, targetRevision: cfg.gitRevision, path: "clusters/dev/apps" });
    expect(out.spec.syncPolicy).toEqual({ automated: { prune: true } });
  });

  it.each([
    [app("dmac-prod", "clusters/dev/apps"), "metadata.name must be dmac-dev"],
    [app("dmac-dev", "clusters/prod/apps"), "spec.source.path must be under clusters/dev/"],
    [app("dmac-dev", "clusters/dev/../prod/apps"), "spec.source.path must be under clusters/dev/"],
    [{ ...app("dmac-dev", "clusters/dev/apps"), kind: "ApplicationSet" }, "is not an argoproj.io/v1alpha1 Application"],
    [null, "is not an argoproj.io/v1alpha1 Application"],
  ])("refuses a manifest for another place (%#)", (manifest, message) => {
    expect(() => rootApplication(manifest, cfg, "f.yaml")).toThrow(`f.yaml: ${message}`);
  });

  it("names the missing file when the tree has no such environment", () => {
    expect(() => readRenderedRootApp("staging")).toThrow("clusters/staging/bootstrap/application-dmac-staging.yaml does not exist");
  });
});

describe("argocdValues", () => {
  it("puts the health customizations into argocd-cm and keeps the UI off the internet", () => {
    const values = argocdValues({ "resource.customizations.health.x_Y": "return {}" }) as { configs: { cm: Record<string, string> }; server: { service: { type: string } } };
    expect(values.configs.cm["resource.customizations.health.x_Y"]).toBe("return {}");
    expect(values.server.service.type).toBe("ClusterIP");
  });
});
