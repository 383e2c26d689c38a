// Cluster autoscaler: without it the node groups' [minSize, maxSize] bounds are only bounds, and the
// Dask spot group (minSize 0) would never grow. It runs on the system nodes with its own IRSA role that
// may change only Auto Scaling groups tagged as owned by this cluster.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config.js";
import { createIrsaRole, type OidcProvider } from "./irsa.js";
import { nodeRoleLabel } from "./nodegroups.js";
import type { PolicyDocument } from "./policy-documents.js";

export const autoscalerChart = { repo: "https://kubernetes.github.io/autoscaler", chart: "cluster-autoscaler", version: "9.50.1" } as const;
export const autoscalerServiceAccount = { namespace: "kube-system", name: "cluster-autoscaler" } as const;

/**
 * Describe calls (which IAM cannot scope to a resource) on everything; scaling only on groups tagged
 * `k8s.io/cluster-autoscaler/<cluster>=owned` (EKS sets it on managed groups); node-group labels and
 * taints (for scale-from-zero) only of our node groups.
 */
export function autoscalerPolicy(clusterName: string, nodeGroupArns: readonly string[]): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "Discover",
        Effect: "Allow",
        Action: [
          "autoscaling:DescribeAutoScalingGroups",
          "autoscaling:DescribeAutoScalingInstances",
          "autoscaling:DescribeLaunchConfigurations",
          "autoscaling:DescribeScalingActivities",
          "autoscaling:DescribeTags",
          "ec2:DescribeImages",
          "ec2:DescribeInstanceTypes",
          "ec2:DescribeLaunchTemplateVersions",
          "ec2:GetInstanceTypesFromInstanceRequirements",
        ],
        Resource: "*",
      },
      {
        Sid: "ScaleOwnedGroups",
        Effect: "Allow",
        Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
        Resource: "*",
        Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
      },
      { Sid: "ReadNodeGroups", Effect: "Allow", Action: ["eks:DescribeNodegroup"], Resource: [...nodeGroupArns] },
    ],
  };
}

/** Helm values: auto-discovery by cluster name, image matching the Kubernetes minor version. */
export function autoscalerValues(cfg: Pick<StackConfig, "region" | "kubernetesVersion">, clusterName: string, roleArn: string): Record<string, unknown> {
  return {
    // A fixed name for the Deployment (the chart would call it <release>-aws-cluster-autoscaler).
    fullnameOverride: "cluster-autoscaler",
    cloudProvider: "aws",
    awsRegion: cfg.region,
    autoDiscovery: { clusterName },
    image: { tag: `v${cfg.kubernetesVersion}.0` },
    rbac: { serviceAccount: { create: true, name: autoscalerServiceAccount.name, annotations: { "eks.amazonaws.com/role-arn": roleArn } } },
    extraArgs: { "balance-similar-node-groups": true, expander: "least-waste", "skip-nodes-with-system-pods": false },
    nodeSelector: { [nodeRoleLabel]: "system" },
  };
}

export function installAutoscaler(
  name: string,
  cfg: StackConfig,
  cluster: { name: string; oidc: OidcProvider; provider: k8s.Provider; nodeGroupArns: pulumi.Output<string>[] },
  dependsOn: pulumi.Resource[],
): k8s.helm.v3.Release {
  const role = createIrsaRole(`${name}-cluster-autoscaler`, {
    oidc: cluster.oidc,
    namespace: autoscalerServiceAccount.namespace,
    serviceAccount: autoscalerServiceAccount.name,
    policy: pulumi.all(cluster.nodeGroupArns).apply((arns) => autoscalerPolicy(cluster.name, arns)),
    allowWildcardActions: cfg.allowWildcardIamActions,
  });
  return new k8s.helm.v3.Release(
    `${name}-cluster-autoscaler`,
    {
      name: "cluster-autoscaler",
      chart: autoscalerChart.chart,
      version: autoscalerChart.version,
      repositoryOpts: { repo: autoscalerChart.repo },
      namespace: autoscalerServiceAccount.namespace,
      values: role.arn.apply((arn) => autoscalerValues(cfg, cluster.name, arn)),
    },
    { provider: cluster.provider, dependsOn },
  );
}
