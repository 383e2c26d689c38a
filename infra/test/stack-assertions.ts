// Assertions over the resource graph of one stack, shared by stack-dev.test.ts and stack-prod.test.ts
// (one file per stack: the Pulumi runtime is process-global and vitest isolates files).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { argocdResourceCustomizations } from "../../clusters/argocd/health.js";
import { platformNamespace, serviceAccounts } from "../../clusters/config/stack-outputs.js";
import { environment } from "../../clusters/environments.js";
import { domainsFor, renderEnvironment } from "../../clusters/render.js";
import { sampleDomains } from "../../crds/samples.js";
import { parseStackConfig, type StackConfig } from "../config.js";
import { maxReceiveCount } from "../messaging.js";
import { nebariUserServiceAccount, notebooksConfigMap, notebooksMountPath } from "../nebari-config.js";
import { notebookFiles, publishedPrefixes } from "../nebari-users.js";
import { nodeRoleLabel } from "../nodegroups.js";
import { checkPolicy, type GraphResource } from "../policy.js";
import { policyOptions } from "../program.js";
import { toStackOutputs } from "../stack-outputs.js";
import { infraDir, json, ofType, one, runStack, stackConfig } from "./harness.js";

const repoRoot = join(infraDir, "..");

function statementsOf(policy: unknown): Record<string, unknown>[] {
  return json(policy).Statement as Record<string, unknown>[];
}

export function describeStack(stack: string): void {
  describe(`stack ${stack}`, () => {
    let graph: GraphResource[];
    let outputs: Record<string, unknown>;
    let cfg: StackConfig;
    const prefix = `dmac-${stack}`;

    beforeAll(async () => {
      const raw = stackConfig(stack);
      cfg = parseStackConfig(
        Object.fromEntries(Object.entries(raw).filter(([k]) => k.startsWith("dmac:")).map(([k, v]) => [k.slice(5), v])),
        stack,
        raw["aws:region"] ?? "",
      );
      ({ graph, outputs } = await runStack(stack));
    });

    it("exports the StackOutputs contract that clusters/config reads", () => {
      const contract = toStackOutputs(outputs, `stack ${stack}`);
      expect(contract.region).toBe(cfg.region);
      expect(contract.dataBucket).toBe(one(graph, "aws:s3/bucket:Bucket", `${prefix}-data`).name);
      expect(contract.queueUrls.ofs).toMatch(new RegExp(`/${prefix}-ofs$`));
      expect(contract.queueUrls.rtofs).toMatch(new RegExp(`/${prefix}-rtofs$`));
      expect(contract.catalogDatabase.secretArn).toMatch(/^arn:aws:secretsmanager:/);
    });

    it("feeds the GitOps tree: each rendered service account carries the role whose trust policy names it", () => {
      const contract = toStackOutputs(outputs, `stack ${stack}`);
      const env = environment(stack);
      const files = renderEnvironment({ env, outputs: contract, domains: domainsFor(env, sampleDomains(env.name, contract.dataBucket)) });
      const objects = files.flatMap((f) => parseAllDocuments(f.text).map((d) => d.toJS() as { kind?: string; metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> } }));
      const accounts = objects.filter((o) => o.kind === "ServiceAccount" && o.metadata?.namespace === platformNamespace);
      const trusted = new Map(
        ofType(graph, "aws:iam/role:Role").map((r) => [`arn:aws:iam::111122223333:role/${r.name}`, JSON.stringify(statementsOf(r.inputs.assumeRolePolicy)[0]?.Condition ?? {})]),
      );
      // The event bridge's role waits for its workload (issue #17); every rendered account has its role.
      for (const [workload, sa] of Object.entries(serviceAccounts).filter(([w]) => w !== "eventBridge")) {
        const account = accounts.find((a) => a.metadata?.name === sa);
        expect(account, `ServiceAccount ${platformNamespace}/${sa}`).toBeDefined();
        const roleArn = account!.metadata!.annotations?.["eks.amazonaws.com/role-arn"];
        expect(roleArn).toBe(contract.roleArns[workload as keyof typeof serviceAccounts]);
        expect(trusted.get(roleArn!)).toContain(`system:serviceaccount:${platformNamespace}:${sa}`);
      }
      const text = files.map((f) => f.text).join("\n");
      // The sample Datasets' stores are in the stack's bucket; pods log in to RDS with its secret.
      for (const value of [`s3://${contract.dataBucket}/`, `postgres://${contract.catalogDatabase.endpoint}/catalog`, contract.catalogDatabase.secretArn]) {
        expect(text).toContain(value);
      }
    });

    it("spreads the VPC over two zones with private node subnets", () => {
      const subnets = ofType(graph, "aws:ec2/subnet:Subnet");
      const privateSubnets = subnets.filter((s) => s.name.includes("-private-"));
      expect(new Set(privateSubnets.map((s) => s.inputs.availabilityZone))).toEqual(new Set(cfg.availabilityZones));
      for (const s of subnets) expect(s.inputs.mapPublicIpOnLaunch).toBe(false);
      expect(ofType(graph, "aws:ec2/natGateway:NatGateway")).toHaveLength(cfg.natGateways === "perAz" ? 2 : 1);
      expect(one(graph, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", `${prefix}-default`).inputs).toMatchObject({ ingress: [], egress: [] });
      const privateIds = new Set(privateSubnets.map((s) => s.id));
      for (const ng of ofType(graph, "aws:eks/nodeGroup:NodeGroup")) {
        expect((ng.inputs.subnetIds as string[]).every((id) => privateIds.has(id))).toBe(true);
      }
    });

    it("creates the cluster with an OIDC provider, API access entries for the configured admins and no default node group", () => {
      const cluster = one(graph, "eks:index:Cluster", prefix);
      expect(cluster.inputs.createOidcProvider).toBe(true);
      expect(cluster.inputs.skipDefaultNodeGroup).toBe(true);
      expect(cluster.inputs.authenticationMode).toBe("API");
      expect(cluster.inputs.publicAccessCidrs).toEqual(cfg.clusterApiCidrs);
      const entries = Object.values(cluster.inputs.accessEntries as Record<string, { principalArn: string }>);
      expect(entries.map((e) => e.principalArn)).toEqual(cfg.adminPrincipalArns);
    });

    it("sizes, labels and taints the node groups from config", () => {
      const system = one(graph, "aws:eks/nodeGroup:NodeGroup", `${prefix}-system`).inputs;
      const dask = one(graph, "aws:eks/nodeGroup:NodeGroup", `${prefix}-dask-workers`).inputs;
      expect(system.capacityType).toBe("ON_DEMAND");
      expect(system.scalingConfig).toEqual({ minSize: cfg.systemNodes.minSize, maxSize: cfg.systemNodes.maxSize, desiredSize: cfg.systemNodes.desiredSize });
      expect(system.instanceTypes).toEqual(cfg.systemNodes.instanceTypes);
      expect(system.taints ?? []).toEqual([]);
      expect(dask.capacityType).toBe("SPOT");
      expect(dask.scalingConfig).toEqual({ minSize: cfg.daskWorkerNodes.minSize, maxSize: cfg.daskWorkerNodes.maxSize, desiredSize: cfg.daskWorkerNodes.desiredSize });
      expect(dask.instanceTypes).toEqual(cfg.daskWorkerNodes.instanceTypes);
      expect((dask.labels as Record<string, string>)[nodeRoleLabel]).toBe("dask-worker");
      expect(dask.taints).toEqual([{ key: "dmac.ioos.us/dask-worker", value: "true", effect: "NO_SCHEDULE" }]);
    });

    it("runs a cluster autoscaler that may scale only this cluster's groups", () => {
      const release = one(graph, "kubernetes:helm.sh/v3:Release", `${prefix}-cluster-autoscaler`).inputs as { chart: string; version: string; values: Record<string, any> };
      expect(release.chart).toBe("cluster-autoscaler");
      expect(release.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(release.values.autoDiscovery).toEqual({ clusterName: prefix });
      expect(release.values.fullnameOverride).toBe("cluster-autoscaler");
      expect(release.values.image.tag).toBe(`v${cfg.kubernetesVersion}.0`);
      expect(release.values.rbac.serviceAccount.annotations["eks.amazonaws.com/role-arn"]).toBe(`arn:aws:iam::111122223333:role/${prefix}-cluster-autoscaler`);
      const statements = statementsOf(one(graph, "aws:iam/rolePolicy:RolePolicy", `${prefix}-cluster-autoscaler`).inputs.policy);
      const mutating = statements.filter((s) => [s.Action].flat().some((a) => /SetDesiredCapacity|Terminate/.test(String(a))));
      expect(mutating).toHaveLength(1);
      expect(mutating[0]!.Condition).toEqual({ StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${prefix}`]: "owned" } });
      const describeNodegroup = statements.find((s) => [s.Action].flat().includes("eks:DescribeNodegroup"));
      expect(describeNodegroup!.Resource).toEqual([`${prefix}-system`, `${prefix}-dask-workers`].map((ng) => `arn:aws:eks:${cfg.region}:111122223333:nodegroup/${prefix}/${ng.slice(prefix.length + 1)}/0a1b2c`));
    });

    it("installs the EBS CSI driver with its own IRSA role and a default encrypted gp3 class", () => {
      const addon = one(graph, "aws:eks/addon:Addon", `${prefix}-ebs-csi`).inputs;
      expect(addon.addonName).toBe("aws-ebs-csi-driver");
      expect(addon.serviceAccountRoleArn).toBe(`arn:aws:iam::111122223333:role/${prefix}-ebs-csi`);
      const sc = one(graph, "kubernetes:storage.k8s.io/v1:StorageClass", `${prefix}-gp3`).inputs as { metadata: { annotations: Record<string, string> }; parameters: Record<string, string>; provisioner: string };
      expect(sc.metadata.annotations["storageclass.kubernetes.io/is-default-class"]).toBe("true");
      expect(sc.provisioner).toBe("ebs.csi.aws.com");
      expect(sc.parameters).toMatchObject({ type: "gp3", encrypted: "true" });
    });

    it("encrypts and versions every bucket and blocks public access unless the stack opted in", () => {
      const buckets = ofType(graph, "aws:s3/bucket:Bucket");
      expect(buckets.length).toBeGreaterThanOrEqual(1);
      for (const b of buckets) {
        const sse = ofType(graph, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").find((r) => r.inputs.bucket === b.id);
        expect(sse, `${b.name} encryption`).toBeDefined();
        const algorithm = (sse!.inputs.rules as { applyServerSideEncryptionByDefault: { sseAlgorithm: string } }[])[0]!.applyServerSideEncryptionByDefault.sseAlgorithm;
        // Anonymous readers of an open-data bucket cannot decrypt with KMS: it uses SSE-S3.
        expect(algorithm).toBe(cfg.dataLake.publicRead && b.name === `${prefix}-data` ? "AES256" : "aws:kms");
        const versioning = ofType(graph, "aws:s3/bucketVersioning:BucketVersioning").find((r) => r.inputs.bucket === b.id);
        expect(versioning?.inputs.versioningConfiguration).toEqual({ status: "Enabled" });
        const block = ofType(graph, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").find((r) => r.inputs.bucket === b.id);
        expect(block, `${b.name} public access block`).toBeDefined();
        const optedIn = cfg.dataLake.publicRead && b.name === `${prefix}-data`;
        expect(block!.inputs.blockPublicAcls).toBe(true);
        expect(block!.inputs.ignorePublicAcls).toBe(true);
        expect(block!.inputs.blockPublicPolicy).toBe(!optedIn);
        expect(block!.inputs.restrictPublicBuckets).toBe(!optedIn);
      }
      const policy = statementsOf(one(graph, "aws:s3/bucketPolicy:BucketPolicy", `${prefix}-data`).inputs.policy);
      expect(policy.some((s) => s.Sid === "DenyInsecureTransport" && s.Effect === "Deny")).toBe(true);
      expect(policy.some((s) => s.Effect === "Allow" && s.Principal === "*")).toBe(cfg.dataLake.publicRead);
    });

    it("expires model-run objects after the configured days", () => {
      const rules = one(graph, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", `${prefix}-data`).inputs.rules as { id: string; filter?: { prefix?: string }; expiration?: { days?: number } }[];
      const modelRuns = rules.find((r) => r.id === "expire-model-runs");
      expect(modelRuns?.filter?.prefix).toBe(cfg.dataLake.modelRunPrefix);
      expect(modelRuns?.expiration?.days).toBe(cfg.dataLake.modelRunExpirationDays);
    });

    it("gives every NODD queue a dead-letter queue (maxReceiveCount 4) and a policy accepting only its topic", () => {
      const queues = ofType(graph, "aws:sqs/queue:Queue");
      const dlqs = queues.filter((q) => q.name.endsWith("-dlq"));
      const main = queues.filter((q) => !q.name.endsWith("-dlq"));
      expect(main.map((q) => q.name).sort()).toEqual([`${prefix}-ofs`, `${prefix}-rtofs`]);
      for (const q of main) {
        const redrive = json(q.inputs.redrivePolicy);
        expect(redrive.maxReceiveCount).toBe(maxReceiveCount);
        expect(redrive.maxReceiveCount).toBe(4);
        const dlq = dlqs.find((d) => redrive.deadLetterTargetArn === `arn:aws:sqs:${cfg.region}:111122223333:${d.name}`);
        expect(dlq, `${q.name} dead-letter queue`).toBeDefined();
        expect(dlq!.inputs.redrivePolicy).toBeUndefined();
        const feed = q.name.endsWith("-rtofs") ? "rtofs" : "ofs";
        const qp = ofType(graph, "aws:sqs/queuePolicy:QueuePolicy").find((p) => p.name === q.name);
        const [statement, ...rest] = statementsOf(qp?.inputs.policy);
        expect(rest).toEqual([]);
        expect(statement).toMatchObject({
          Effect: "Allow",
          Principal: { Service: "sns.amazonaws.com" },
          Action: "sqs:SendMessage",
          Condition: { ArnEquals: { "aws:SourceArn": cfg.noddTopics[feed] } },
        });
        const sub = one(graph, "aws:sns/topicSubscription:TopicSubscription", q.name).inputs;
        expect(sub).toMatchObject({ topic: cfg.noddTopics[feed], protocol: "sqs", endpoint: `arn:aws:sqs:${cfg.region}:111122223333:${q.name}` });
      }
      expect(dlqs).toHaveLength(main.length);
    });

    it("names exactly one namespace and service account in every IRSA trust policy", () => {
      const irsa = ofType(graph, "aws:iam/role:Role").filter((r) => String(r.inputs.assumeRolePolicy).includes("AssumeRoleWithWebIdentity"));
      expect(irsa.length).toBe(cfg.nebari.enabled ? 7 : 6);
      const subjects = irsa.map((role) => {
        const statements = statementsOf(role.inputs.assumeRolePolicy);
        expect(statements).toHaveLength(1);
        const condition = (statements[0]!.Condition as { StringEquals: Record<string, unknown> }).StringEquals;
        const sub = condition["oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF:sub"];
        expect(typeof sub).toBe("string");
        expect(sub).toMatch(/^system:serviceaccount:[a-z0-9-]+:[a-z0-9.-]+$/);
        expect(condition["oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF:aud"]).toBe("sts.amazonaws.com");
        expect(Object.keys(statements[0]!.Condition as object)).toEqual(["StringEquals"]);
        return sub as string;
      });
      const platform = Object.values(serviceAccounts).map((sa) => `system:serviceaccount:${platformNamespace}:${sa}`);
      expect(subjects.sort()).toEqual(
        [
          ...platform,
          "system:serviceaccount:kube-system:ebs-csi-controller-sa",
          "system:serviceaccount:kube-system:cluster-autoscaler",
          ...(cfg.nebari.enabled ? [`system:serviceaccount:${cfg.nebari.namespace}:${nebariUserServiceAccount}`] : []),
        ].sort(),
      );
    });

    it("scopes each workload's policy to its own resources", () => {
      const policy = (sa: string) => statementsOf(one(graph, "aws:iam/rolePolicy:RolePolicy", `${prefix}-${sa}`).inputs.policy);
      const resources = (sa: string) => policy(sa).flatMap((s) => [s.Resource].flat() as string[]);
      const actions = (sa: string) => policy(sa).flatMap((s) => [s.Action].flat() as string[]);
      const bucketArn = `arn:aws:s3:::${prefix}-data`;
      const secretArn = (outputs.catalogDatabase as { secretArn: string }).secretArn;
      expect(new Set(resources(serviceAccounts.operator))).toEqual(new Set([bucketArn, `${bucketArn}/*`, secretArn]));
      expect(actions(serviceAccounts.operator)).toContain("s3:PutObject");
      // Operator and catalog API log in to the catalog with the RDS-managed secret (catalog/store/credentials.ts), read only.
      expect(actions(serviceAccounts.operator).filter((a) => a.startsWith("secretsmanager:"))).toEqual(["secretsmanager:GetSecretValue"]);
      expect(actions(serviceAccounts.catalogApi)).toEqual(["secretsmanager:GetSecretValue"]);
      expect(new Set(resources(serviceAccounts.dataApi))).toEqual(new Set([bucketArn, `${bucketArn}/*`]));
      expect(actions(serviceAccounts.dataApi).filter((a) => /Put|Delete/.test(a))).toEqual([]);
      // Its two queues, and their dead-letter queues (it sends a message it gives up on there itself, with the reason).
      const queueArn = (name: string) => `arn:aws:sqs:${cfg.region}:111122223333:${prefix}-${name}`;
      expect(new Set(resources(serviceAccounts.eventBridge))).toEqual(new Set(["ofs", "rtofs", "ofs-dlq", "rtofs-dlq"].map(queueArn)));
      const dlqStatement = policy(serviceAccounts.eventBridge).find((st) => [st.Resource].flat().includes(queueArn("ofs-dlq")));
      expect([dlqStatement?.Action].flat().sort()).toEqual(["sqs:GetQueueUrl", "sqs:SendMessage"]);
      expect(actions(serviceAccounts.eventBridge).every((a) => a.startsWith("sqs:"))).toBe(true);
      expect(resources(serviceAccounts.catalogApi)).toEqual([secretArn]);
    });

    it("keeps the database private and encrypted, its password in Secrets Manager only", () => {
      const db = one(graph, "aws:rds/instance:Instance", `${prefix}-catalog`).inputs;
      expect(db).toMatchObject({ engine: "postgres", storageEncrypted: true, manageMasterUserPassword: true, publiclyAccessible: false, multiAz: cfg.database.multiAz, deletionProtection: cfg.database.deletionProtection });
      expect(db.password).toBeUndefined();
      const sg = one(graph, "aws:ec2/securityGroup:SecurityGroup", `${prefix}-catalog`).inputs as { ingress: { cidrBlocks: string[]; fromPort: number }[] };
      expect(sg.ingress.flatMap((r) => r.cidrBlocks)).toEqual([cfg.vpcCidr]);
    });

    it("installs a pinned ArgoCD chart with our health checks and the root app over clusters/<stack>/apps", () => {
      const release = one(graph, "kubernetes:helm.sh/v3:Release", `${prefix}-argocd`).inputs as { chart: string; version: string; repositoryOpts: { repo: string }; values: { configs: { cm: Record<string, unknown> } } };
      expect(release.chart).toBe("argo-cd");
      expect(release.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(release.version).toBe(cfg.argocdChartVersion);
      expect(release.repositoryOpts.repo).toBe("https://argoproj.github.io/argo-helm");
      for (const [key, lua] of Object.entries(argocdResourceCustomizations())) expect(release.values.configs.cm[key]).toBe(lua);

      const app = one(graph, "kubernetes:argoproj.io/v1alpha1:Application", `${prefix}-root-app`).inputs as { metadata: { name: string }; spec: { source: { repoURL: string; targetRevision: string; path: string } } };
      expect(app.spec.source.path).toBe(`clusters/${stack}/apps`);
      expect(app.spec.source.repoURL).toBe(cfg.gitRepoUrl);
      expect(app.spec.source.targetRevision).toBe(cfg.gitRevision);
      // It is the tree's own root Application for this environment, and the stack points it at the same repository.
      const rendered = parse(readFileSync(join(repoRoot, `clusters/${stack}/bootstrap/application-dmac-${stack}.yaml`), "utf8")) as Record<string, unknown>;
      expect(app).toEqual(rendered);
      expect(existsSync(join(repoRoot, app.spec.source.path))).toBe(true);
    });

    it("deploys Nebari from a generated config onto our node groups once the cluster is ready", () => {
      const cmd = one(graph, "command:local:Command", `${prefix}-nebari`).inputs as { create: string; delete: string; environment: Record<string, string> };
      expect(cmd.create).toContain("nebari deploy -c nebari-config.yaml --disable-prompt");
      expect(cmd.delete).toContain("nebari destroy -c nebari-config.yaml --disable-prompt");
      const doc = parse(cmd.environment.NEBARI_CONFIG_YAML!) as Record<string, any>;
      expect(doc).toMatchObject({ project_name: cfg.nebari.projectName, provider: "existing", domain: cfg.nebari.domain });
      expect(doc.existing.node_selectors.worker).toEqual({ key: nodeRoleLabel, value: "dask-worker" });
      expect(doc.existing.node_selectors.general).toEqual({ key: nodeRoleLabel, value: "system" });
      expect(Object.keys(doc.profiles.dask_worker)).toEqual(cfg.nebari.daskWorkerProfiles.map((p) => p.name));
      expect(doc.terraform_state.config.bucket).toBe(`${prefix}-nebari-state`);
      expect(doc.security.authentication.type).toBe(cfg.nebari.authentication);
      expect(cmd.environment.NEBARI_CONFIG_YAML).not.toMatch(/client_secret/);
      expect(outputs.nebariConfig).toBe(cmd.environment.NEBARI_CONFIG_YAML);
    });

    it("gives Nebari's users read-only access to the data lake's published prefixes only, through IRSA on their service account", () => {
      const bucketArn = `arn:aws:s3:::${prefix}-data`;
      const prefixes = publishedPrefixes(cfg);
      expect(prefixes).toEqual(["zarr/", cfg.dataLake.modelRunPrefix]);
      const statements = statementsOf(one(graph, "aws:iam/rolePolicy:RolePolicy", `${prefix}-nebari-user`).inputs.policy);
      // Exactly two permissions: list keys under the published prefixes, get objects below them.
      expect(statements).toEqual([
        { Sid: "ListPublishedPrefixes", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn, Condition: { StringLike: { "s3:prefix": prefixes.flatMap((p) => [p, `${p}*`]) } } },
        { Sid: "ReadPublishedObjects", Effect: "Allow", Action: "s3:GetObject", Resource: prefixes.map((p) => `${bucketArn}/${p}*`) },
      ]);
      expect(ofType(graph, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((r) => r.name.startsWith(`${prefix}-nebari-user`))).toEqual([]);
      const role = one(graph, "aws:iam/role:Role", `${prefix}-nebari-user`);
      expect(statementsOf(role.inputs.assumeRolePolicy)[0]?.Condition).toMatchObject({ StringEquals: { [`oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF:sub`]: `system:serviceaccount:${cfg.nebari.namespace}:${nebariUserServiceAccount}` } });
      const roleArn = `arn:aws:iam::111122223333:role/${prefix}-nebari-user`;
      expect(outputs.nebariUserRoleArn).toBe(roleArn);
      // The service account the pods run as carries the role; the notebooks are in a ConfigMap beside it.
      const sa = one(graph, "kubernetes:core/v1:ServiceAccount", `${prefix}-nebari-user`).inputs as { metadata: { name: string; namespace: string; annotations: Record<string, string> } };
      expect(sa.metadata).toMatchObject({ name: nebariUserServiceAccount, namespace: cfg.nebari.namespace, annotations: { "eks.amazonaws.com/role-arn": roleArn } });
      const notebooks = one(graph, "kubernetes:core/v1:ConfigMap", `${prefix}-notebooks`).inputs as { metadata: { name: string; namespace: string }; data: Record<string, string> };
      expect(notebooks.metadata).toMatchObject({ name: notebooksConfigMap, namespace: cfg.nebari.namespace });
      expect(Object.keys(notebooks.data)).toEqual(Object.keys(notebookFiles()));
      expect(notebooks.data["environment.yml"]).toBe(readFileSync(join(repoRoot, "notebooks", "environment.yml"), "utf8"));
      // JupyterLab pods and Dask workers run as that service account; the pods mount the notebooks.
      const doc = parse(String((one(graph, "command:local:Command", `${prefix}-nebari`).inputs as { environment: Record<string, string> }).environment.NEBARI_CONFIG_YAML)) as Record<string, any>;
      for (const p of doc.profiles.jupyterlab) {
        expect(p.kubespawner_override.service_account).toBe(nebariUserServiceAccount);
        expect(p.kubespawner_override.volume_mounts).toEqual([{ name: notebooksConfigMap, mountPath: notebooksMountPath, readOnly: true }]);
      }
      for (const p of Object.values(doc.profiles.dask_worker) as Array<{ worker_extra_pod_config: { serviceAccountName: string } }>) expect(p.worker_extra_pod_config.serviceAccountName).toBe(nebariUserServiceAccount);
      // What the prefixes publish: every sample Dataset of this environment writes its store below one.
      const stores = sampleDomains(stack as "dev" | "prod", `${prefix}-data`).flatMap((d) => d.objects).flatMap((o) => (o.kind === "Dataset" ? [o.spec.storage.url] : []));
      expect(stores.length).toBeGreaterThan(0);
      for (const url of stores) expect(prefixes.some((p) => url.startsWith(`s3://${prefix}-data/${p}`)), url).toBe(true);
    });

    it("passes the policy check with its own opt-ins", () => {
      expect(checkPolicy(graph, policyOptions(cfg))).toEqual([]);
    });

    it("fails the policy check where an opt-in is taken away", () => {
      const strict = checkPolicy(graph, { publicBuckets: [], allowWildcardIamActions: false });
      if (cfg.dataLake.publicRead) expect(strict.filter((v) => v.rule === "public-bucket").length).toBeGreaterThan(0);
      else expect(strict).toEqual([]);
    });
  });
}
