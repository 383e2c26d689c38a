import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ConfigError, configKeys, defaultGitRepoUrl, defaultNoddTopics, parseStackConfig } from "./config.js";
import { repoURL } from "../clusters/environments.js";
import { planSubnets } from "./network.js";
import { infraDir } from "./test/harness.js";

const parseWith = (raw: Record<string, unknown>, stack = "dev") => parseStackConfig(raw, stack, "us-east-1");

describe("parseStackConfig", () => {
  it("fills documented defaults for an empty stack", () => {
    const cfg = parseWith({});
    expect(cfg.noddTopics).toEqual(defaultNoddTopics);
    expect(cfg.noddTopics.ofs).toBe("arn:aws:sns:us-east-1:123901341784:NewOFSObject");
    expect(cfg.noddTopics.rtofs).toBe("arn:aws:sns:us-east-1:709902155096:NewRTOFSObject");
    expect(cfg.gitRepoUrl).toBe(defaultGitRepoUrl);
    // ArgoCD must sync the repository the rendered tree names.
    expect(defaultGitRepoUrl).toBe(repoURL);
    expect(cfg.gitRevision).toBe("main");
    expect(cfg.availabilityZones).toEqual(["us-east-1a", "us-east-1b"]);
    expect(cfg.dataLake).toEqual({ publicRead: false, modelRunPrefix: "model-runs/", modelRunExpirationDays: 29, forceDestroy: false });
    expect(cfg.allowWildcardIamActions).toBe(false);
    expect(cfg.nebari.enabled).toBe(false);
  });

  it("decodes structured values passed as JSON text and keeps version strings as strings", () => {
    const cfg = parseWith({ kubernetesVersion: "1.30", daskWorkerNodes: JSON.stringify({ minSize: 1, maxSize: 8, desiredSize: 2 }), allowWildcardIamActions: "true" });
    expect(cfg.kubernetesVersion).toBe("1.30");
    expect(cfg.daskWorkerNodes).toMatchObject({ minSize: 1, maxSize: 8, desiredSize: 2 });
    expect(cfg.allowWildcardIamActions).toBe(true);
  });

  it.each([
    [{ vpcCidr: "8.8.0.0/16" }, "dmac:vpcCidr"],
    [{ availabilityZones: ["us-east-1a"] }, "dmac:availabilityZones"],
    [{ availabilityZones: ["us-east-1a", "us-west-2b"] }, "dmac:availabilityZones"],
    [{ daskWorkerNodes: { minSize: 5, maxSize: 2 } }, "dmac:daskWorkerNodes.minSize"],
    [{ systemNodes: { minSize: 1, maxSize: 2, desiredSize: 3 } }, "dmac:systemNodes.desiredSize"],
    [{ systemNodes: { instanceTypes: [] } }, "dmac:systemNodes.instanceTypes"],
    [{ systemNodes: { size: 3 } }, "dmac:systemNodes.size"],
    [{ noddTopics: { ofs: "not-an-arn" } }, "dmac:noddTopics.ofs"],
    [{ dataLake: { modelRunExpirationDays: 0 } }, "dmac:dataLake.modelRunExpirationDays"],
    [{ dataLake: { publicRead: "yes" } }, "dmac:dataLake.publicRead"],
    [{ argocdChartVersion: "^8.6.0" }, "dmac:argocdChartVersion"],
    [{ gitRepoUrl: "ftp://example.org/repo" }, "dmac:gitRepoUrl"],
    [{ adminPrincipalArns: ["arn:aws:iam::1:role/x"] }, "dmac:adminPrincipalArns"],
    [{ nebari: { enabled: true } }, "dmac:nebari.domain"],
    [{ nebari: { projectName: "a" } }, "dmac:nebari.projectName"],
    [{ nebari: { projectName: "dmac-much-too-long-name" } }, "dmac:nebari.projectName"],
    [{ nebari: { authentication: "GitHub" } }, "dmac:nebari.githubClientId"],
    [{ nebari: { daskWorkerProfiles: [{ name: "a", cores: 1, memoryGb: 2 }, { name: "a", cores: 2, memoryGb: 4 }] } }, "dmac:nebari.daskWorkerProfiles"],
    [{ regionalDomains: [{ association: "secoora", domain: "Not A Domain" }] }, "dmac:regionalDomains[0].domain"],
    [{ natGateway: "single" }, "dmac:natGateway"],
    [{ clusterApiCidrs: ["10.0.0.0/33"] }, "dmac:clusterApiCidrs"],
    [{ clusterApiCidrs: [] }, "dmac:clusterApiCidrs"],
  ])("rejects %j naming %s", (raw, key) => {
    expect(() => parseWith(raw)).toThrow(ConfigError);
    expect(() => parseWith(raw)).toThrow(`config ${key}`);
  });

  it("rejects a bad stack name and region", () => {
    expect(() => parseStackConfig({}, "Dev Stack", "us-east-1")).toThrow(/stack name/);
    expect(() => parseStackConfig({}, "dev", "useast")).toThrow(/aws:region/);
  });

  it.each(["dev", "prod"])("accepts Pulumi.%s.yaml, which sets every key the program reads", (stack) => {
    const doc = parse(readFileSync(join(infraDir, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
    const dmacKeys = Object.keys(doc.config).filter((k) => k.startsWith("dmac:")).map((k) => k.slice(5));
    expect(dmacKeys.sort()).toEqual([...configKeys].sort());
    const raw = Object.fromEntries(dmacKeys.map((k) => [k, doc.config[`dmac:${k}`]]));
    const cfg = parseStackConfig(raw, stack, String(doc.config["aws:region"]));
    expect(cfg.stack).toBe(stack);
    expect(cfg.nebari.enabled).toBe(true);
  });
});

describe("planSubnets", () => {
  it("gives each zone a private /18 and a public /20 without overlap", () => {
    const plan = planSubnets("10.20.0.0/16", ["us-east-1a", "us-east-1b"]);
    expect(plan).toEqual([
      { az: "us-east-1a", privateCidr: "10.20.0.0/18", publicCidr: "10.20.128.0/20" },
      { az: "us-east-1b", privateCidr: "10.20.64.0/18", publicCidr: "10.20.144.0/20" },
    ]);
  });
});
