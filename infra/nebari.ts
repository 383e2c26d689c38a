// Nebari (JupyterHub + Dask Gateway) on the same EKS cluster, deployed by the nebari CLI once the cluster
// and its storage exist. Its Terraform state lives in a private S3 bucket, so teardown (`nebari destroy`,
// run by `pulumi destroy` or by hand, see docs/operations.md) does not depend on the deployer's disk.
import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config.js";
import { nebariConfigYaml } from "./nebari-config.js";
import { loadEnvironment } from "./nebari-environment.js";

/** Shell run by the Command resource; the YAML and kubeconfig arrive through the environment. */
export function nebariScript(verb: "deploy" | "destroy"): string {
  return [
    "set -eu",
    'mkdir -p ".nebari/$DMAC_STACK" && cd ".nebari/$DMAC_STACK"',
    "umask 077",
    'printf "%s" "$NEBARI_CONFIG_YAML" > nebari-config.yaml',
    'printf "%s" "$NEBARI_KUBECONFIG" > kubeconfig.json',
    'export KUBECONFIG="$PWD/kubeconfig.json"',
    `nebari ${verb} -c nebari-config.yaml --disable-prompt`,
  ].join("\n");
}

/** The kubeconfig context @pulumi/eks writes (its current-context). */
export function currentContext(kubeconfigJson: string): string {
  const parsed = JSON.parse(kubeconfigJson) as { "current-context"?: unknown };
  const ctx = parsed["current-context"];
  if (typeof ctx !== "string" || ctx === "") throw new Error("nebari: the cluster kubeconfig has no current-context");
  return ctx;
}

export function deployNebari(
  name: string,
  cfg: StackConfig,
  kubeconfigJson: pulumi.Output<string>,
  dependsOn: pulumi.Resource[],
): { configYaml: pulumi.Output<string>; deployed: pulumi.Resource } {
  // forceDestroy: the Command (nebari destroy) depends on this bucket, so it is gone before the bucket is.
  const state = new aws.s3.Bucket(`${name}-nebari-state`, { forceDestroy: true, tags: { "dmac.ioos.us/stack": cfg.stack } });
  new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-nebari-state`, {
    bucket: state.id,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }],
  });
  new aws.s3.BucketVersioning(`${name}-nebari-state`, { bucket: state.id, versioningConfiguration: { status: "Enabled" } });
  new aws.s3.BucketPublicAccessBlock(`${name}-nebari-state`, {
    bucket: state.id,
    blockPublicAcls: true,
    ignorePublicAcls: true,
    blockPublicPolicy: true,
    restrictPublicBuckets: true,
  });

  const environment = loadEnvironment();
  const configYaml = pulumi
    .all([kubeconfigJson, state.bucket])
    .apply(([kubeconfig, stateBucket]) => nebariConfigYaml({ cfg, kubeContext: currentContext(kubeconfig), stateBucket, environment }));
  const deployed = new command.local.Command(
    `${name}-nebari`,
    {
      create: nebariScript("deploy"),
      update: nebariScript("deploy"),
      delete: nebariScript("destroy"),
      environment: { DMAC_STACK: cfg.stack, NEBARI_CONFIG_YAML: configYaml, NEBARI_KUBECONFIG: kubeconfigJson },
      triggers: [configYaml],
    },
    { dependsOn },
  );
  return { configYaml, deployed };
}
