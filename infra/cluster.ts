// EKS through @pulumi/eks: private nodes, an OIDC provider for IRSA, access entries for the admins
// named in config, two managed node groups, the EBS CSI driver and a default encrypted gp3 class.
import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config.js";
import { createIrsaRole, type OidcProvider } from "./irsa.js";
import type { Network } from "./network.js";
import { nodeGroupSpecs } from "./nodegroups.js";

export interface Cluster {
  readonly name: string;
  readonly oidc: OidcProvider;
  readonly kubeconfigJson: pulumi.Output<string>;
  readonly provider: k8s.Provider;
  readonly nodeGroupArns: pulumi.Output<string>[];
  /** Resources a workload on the cluster must wait for (node groups, storage). */
  readonly ready: pulumi.Resource[];
}

const clusterAdminPolicy = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
const nodePolicies = [
  "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
  "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
  "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
];
const ebsCsiDriverPolicy = "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy";

/** Access entries for the admin principals from config (cluster-wide admin policy). */
export function adminAccessEntries(principalArns: readonly string[]): Record<string, eks.types.input.AccessEntryArgs> {
  return Object.fromEntries(
    principalArns.map((principalArn, i) => [
      `admin-${i}`,
      { principalArn, accessPolicies: { admin: { policyArn: clusterAdminPolicy, accessScope: { type: "cluster" } } } },
    ]),
  );
}

export function clusterNameFor(stack: string): string {
  return `dmac-${stack}`;
}

export function createCluster(name: string, cfg: StackConfig, network: Network): Cluster {
  const clusterName = clusterNameFor(cfg.stack);
  const cluster = new eks.Cluster(name, {
    name: clusterName,
    version: cfg.kubernetesVersion,
    vpcId: network.vpcId,
    publicSubnetIds: network.publicSubnetIds,
    privateSubnetIds: network.privateSubnetIds,
    nodeAssociatePublicIpAddress: false,
    endpointPrivateAccess: true,
    endpointPublicAccess: true,
    publicAccessCidrs: [...cfg.clusterApiCidrs],
    createOidcProvider: true,
    authenticationMode: eks.AuthenticationMode.Api,
    accessEntries: adminAccessEntries(cfg.adminPrincipalArns),
    // Node groups are managed below, so the component's default self-managed group and its security
    // groups are not created.
    skipDefaultNodeGroup: true,
    skipDefaultSecurityGroups: true,
    enabledClusterLogTypes: ["api", "audit", "authenticator"],
    tags: { "dmac.ioos.us/stack": cfg.stack },
  });
  const oidc: OidcProvider = { arn: cluster.oidcProviderArn, issuer: cluster.oidcIssuer };

  const nodeRole = new aws.iam.Role(`${name}-nodes`, {
    assumeRolePolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
    }),
  });
  const attachments = nodePolicies.map((policyArn, i) => new aws.iam.RolePolicyAttachment(`${name}-nodes-${i}`, { role: nodeRole.name, policyArn }));

  const nodeGroups = nodeGroupSpecs(cfg).map(
    (spec) =>
      new aws.eks.NodeGroup(
        `${name}-${spec.name}`,
        {
          clusterName,
          nodeGroupName: spec.name,
          nodeRoleArn: nodeRole.arn,
          subnetIds: network.privateSubnetIds,
          amiType: "AL2023_x86_64_STANDARD",
          capacityType: spec.capacityType,
          instanceTypes: [...spec.sizes.instanceTypes],
          diskSize: spec.sizes.diskSizeGb,
          scalingConfig: { minSize: spec.sizes.minSize, maxSize: spec.sizes.maxSize, desiredSize: spec.sizes.desiredSize },
          labels: { ...spec.labels },
          taints: spec.taints.map((t) => ({ ...t })),
          updateConfig: { maxUnavailable: 1 },
          // EKS tags a managed group's Auto Scaling group for cluster-autoscaler discovery by itself.
          tags: { "dmac.ioos.us/stack": cfg.stack },
        },
        // The cluster autoscaler (autoscaler.ts) moves desiredSize within [minSize, maxSize].
        { dependsOn: [cluster, ...attachments], ignoreChanges: ["scalingConfig.desiredSize"] },
      ),
  );

  const ebsCsiRole = createIrsaRole(`${name}-ebs-csi`, {
    oidc,
    namespace: "kube-system",
    serviceAccount: "ebs-csi-controller-sa",
    managedPolicyArns: [ebsCsiDriverPolicy],
  });
  const ebsCsi = new aws.eks.Addon(
    `${name}-ebs-csi`,
    { clusterName, addonName: "aws-ebs-csi-driver", serviceAccountRoleArn: ebsCsiRole.arn, resolveConflictsOnUpdate: "OVERWRITE" },
    { dependsOn: nodeGroups },
  );

  const provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: cluster.kubeconfigJson, enableServerSideApply: true });
  const gp3 = new k8s.storage.v1.StorageClass(
    `${name}-gp3`,
    {
      metadata: { name: "gp3", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
      provisioner: "ebs.csi.aws.com",
      parameters: { type: "gp3", encrypted: "true", fsType: "ext4" },
      reclaimPolicy: "Delete",
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
    },
    { provider, dependsOn: [ebsCsi] },
  );

  return { name: clusterName, oidc, kubeconfigJson: cluster.kubeconfigJson, provider, nodeGroupArns: nodeGroups.map((ng) => ng.arn), ready: [...nodeGroups, ebsCsi, gp3] };
}
