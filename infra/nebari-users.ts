// What Nebari's users get from the platform beyond Nebari itself: read-only access to the data
// lake's published prefixes through IRSA on one service account (their JupyterLab pods and Dask
// workers run as it: nebari-config.ts), and the repository's notebooks as a ConfigMap that every
// JupyterLab pod mounts read-only in the shared folder, so each `pulumi up` syncs them (kubelet
// refreshes a mounted ConfigMap within a minute). Both live in Nebari's namespace, so they are
// created after `nebari deploy` has made it.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { Cluster } from "./cluster.js";
import type { StackConfig } from "./config.js";
import { createIrsaRole } from "./irsa.js";
import { nebariUserServiceAccount, notebooksConfigMap } from "./nebari-config.js";
import { notebooksDir } from "./nebari-environment.js";
import { nebariUserPolicy } from "./policy-documents.js";

/** Where the Datasets write their stores in the cloud (crds/samples.ts: s3://<bucket>/zarr/<name>.zarr). */
export const zarrPrefix = "zarr/";

/** The data lake's published prefixes: the Datasets' Zarr stores and the model-run stores. */
export function publishedPrefixes(cfg: StackConfig): string[] {
  return [zarrPrefix, cfg.dataLake.modelRunPrefix];
}

/** A ConfigMap holds at most 1 MiB: the notebooks are kept without outputs in Git (notebooks.test.ts). */
const CONFIGMAP_LIMIT = 1024 * 1024;

/** notebooks/*.ipynb, the helper module they import and the environment file, by file name, as the ConfigMap's data. */
export function notebookFiles(dir = notebooksDir): Record<string, string> {
  const names = readdirSync(dir).filter((f) => f.endsWith(".ipynb") || f.endsWith(".py") || f === "environment.yml").sort();
  const files = Object.fromEntries(names.map((f) => [f, readFileSync(join(dir, f), "utf8")]));
  const size = Object.values(files).reduce((n, text) => n + Buffer.byteLength(text), 0);
  if (size > CONFIGMAP_LIMIT) throw new Error(`notebooks: ${size} bytes in ${dir} exceed a ConfigMap's 1 MiB; strip outputs (see docs/scientists.md)`);
  return files;
}

export interface NebariUserAccess {
  readonly role: { readonly arn: pulumi.Output<string> };
}

export function createNebariUserAccess(
  name: string,
  cfg: StackConfig,
  cluster: Pick<Cluster, "oidc" | "provider">,
  bucketArn: pulumi.Output<string>,
  nebariDeployed: pulumi.Resource[],
): NebariUserAccess {
  const namespace = cfg.nebari.namespace;
  const role = createIrsaRole(`${name}-nebari-user`, {
    oidc: cluster.oidc,
    namespace,
    serviceAccount: nebariUserServiceAccount,
    policy: bucketArn.apply((arn) => nebariUserPolicy(arn, publishedPrefixes(cfg))),
    allowWildcardActions: cfg.allowWildcardIamActions,
  });
  const labels = { "app.kubernetes.io/part-of": "dmac", "app.kubernetes.io/component": "nebari-users" };
  new k8s.core.v1.ServiceAccount(
    `${name}-nebari-user`,
    {
      // IRSA needs only the role annotation: EKS's webhook projects the web-identity token itself.
      metadata: { name: nebariUserServiceAccount, namespace, labels, annotations: { "eks.amazonaws.com/role-arn": role.arn } },
      automountServiceAccountToken: false,
    },
    { provider: cluster.provider, dependsOn: nebariDeployed },
  );
  new k8s.core.v1.ConfigMap(
    `${name}-notebooks`,
    { metadata: { name: notebooksConfigMap, namespace, labels }, data: notebookFiles() },
    { provider: cluster.provider, dependsOn: nebariDeployed },
  );
  return { role };
}
