// The whole environment, composed from the modules; returns the outputs in the shape of
// clusters/config/stack-outputs.ts (the contract with the GitOps tree) plus operator-facing extras.
import * as pulumi from "@pulumi/pulumi";
import { argocdResourceCustomizations } from "../clusters/argocd/health.js";
import { platformNamespace, serviceAccounts } from "../clusters/config/stack-outputs.js";
import { installArgocd } from "./argocd.js";
import { installAutoscaler } from "./autoscaler.js";
import { clusterNameFor, createCluster } from "./cluster.js";
import type { StackConfig } from "./config.js";
import { createCatalogDatabase } from "./database.js";
import { createDataLake, dataBucketResourceName } from "./datalake.js";
import { createDomainCertificates, type DomainCertificate } from "./domains.js";
import { createIrsaRole } from "./irsa.js";
import { createMessaging } from "./messaging.js";
import { createNetwork } from "./network.js";
import type { PolicyOptions } from "./policy.js";
import { deployNebari } from "./nebari.js";
import { createNebariUserAccess } from "./nebari-users.js";
import { catalogApiPolicy, dataApiPolicy, eventBridgePolicy, operatorPolicy, type PolicyDocument } from "./policy-documents.js";

type Out<T> = { readonly [K in keyof T]: T[K] extends string ? pulumi.Output<string> : Out<T[K]> };

export interface ProgramOutputs {
  readonly region: string;
  readonly dataBucket: pulumi.Output<string>;
  readonly queueUrls: { readonly ofs: pulumi.Output<string>; readonly rtofs: pulumi.Output<string> };
  readonly roleArns: Out<{ operator: string; eventBridge: string; dataApi: string; catalogApi: string }>;
  readonly catalogDatabase: Out<{ endpoint: string; secretArn: string }>;
  readonly clusterName: string;
  readonly kubeconfig: pulumi.Output<string>;
  readonly nebariConfig: pulumi.Output<string> | undefined;
  /** The read-only data-lake role of Nebari's users (their service account's IRSA role). */
  readonly nebariUserRoleArn: pulumi.Output<string> | undefined;
  readonly certificates: readonly DomainCertificate[];
}

/** What the stack opted into, for the policy check: the data bucket's public read, wildcard actions. */
export function policyOptions(cfg: StackConfig): PolicyOptions {
  return { publicBuckets: cfg.dataLake.publicRead ? [dataBucketResourceName(`dmac-${cfg.stack}`)] : [], allowWildcardIamActions: cfg.allowWildcardIamActions };
}

export function runProgram(cfg: StackConfig): ProgramOutputs {
  const name = `dmac-${cfg.stack}`;
  const network = createNetwork(name, cfg, clusterNameFor(cfg.stack));
  const lake = createDataLake(name, cfg);
  const queues = createMessaging(name, cfg);
  const database = createCatalogDatabase(name, cfg, network);
  const cluster = createCluster(name, cfg, network);

  const role = (workload: keyof typeof serviceAccounts, policy: pulumi.Input<PolicyDocument>) =>
    createIrsaRole(`${name}-${serviceAccounts[workload]}`, {
      oidc: cluster.oidc,
      namespace: platformNamespace,
      serviceAccount: serviceAccounts[workload],
      policy,
      allowWildcardActions: cfg.allowWildcardIamActions,
    });
  const operator = role("operator", pulumi.all([lake.bucketArn, database.secretArn]).apply(([bucket, secret]) => operatorPolicy(bucket, secret)));
  const dataApi = role("dataApi", lake.bucketArn.apply(dataApiPolicy));
  const eventBridge = role("eventBridge", pulumi.all([queues.ofs.arn, queues.rtofs.arn, queues.ofs.deadLetterArn, queues.rtofs.deadLetterArn]).apply(([ofs, rtofs, ofsDlq, rtofsDlq]) => eventBridgePolicy([ofs, rtofs], [ofsDlq, rtofsDlq])));
  const catalogApi = role("catalogApi", database.secretArn.apply(catalogApiPolicy));

  installAutoscaler(name, cfg, cluster, cluster.ready);
  installArgocd(name, cfg, cluster.provider, cluster.ready, argocdResourceCustomizations());
  const nebari = cfg.nebari.enabled ? deployNebari(name, cfg, cluster.kubeconfigJson, cluster.ready) : undefined;
  const nebariUsers = nebari !== undefined ? createNebariUserAccess(name, cfg, cluster, lake.bucketArn, [nebari.deployed]) : undefined;

  return {
    region: cfg.region,
    dataBucket: lake.bucketName,
    queueUrls: { ofs: queues.ofs.url, rtofs: queues.rtofs.url },
    roleArns: { operator: operator.arn, eventBridge: eventBridge.arn, dataApi: dataApi.arn, catalogApi: catalogApi.arn },
    catalogDatabase: database,
    clusterName: cluster.name,
    kubeconfig: cluster.kubeconfigJson,
    nebariConfig: nebari?.configYaml,
    nebariUserRoleArn: nebariUsers?.role.arn,
    certificates: createDomainCertificates(name, cfg),
  };
}
