// nebari-config.yaml generated from the stack config: provider `existing` on our EKS cluster, node
// selectors onto our node groups, Dask worker profiles that tolerate the worker taint, a Terraform
// state backend in S3 so `nebari destroy` works from any machine, the users' pinned conda
// environment, and JupyterLab and Dask profiles running as the users' service account (read-only
// data lake, nebari-users.ts) with the notebooks mounted. Pure; checked against the rules of
// Nebari's schema that hold without the nebari package.
import { stringify } from "yaml";
import { domainPattern, nebariEmailPattern, nebariNamespacePattern, nebariProjectNamePattern, type StackConfig } from "./config.js";
import { checkEnvironment, nebariEnvironmentKey, type CondaEnvironment } from "./nebari-environment.js";
import { daskWorkerTaint, kubernetesEffect, nodeRoleLabel } from "./nodegroups.js";

/** The service account Nebari users' JupyterLab pods and Dask workers run as (its IRSA role: nebari-users.ts). */
export const nebariUserServiceAccount = "dmac-nebari-user";
/** The ConfigMap holding notebooks/ (nebari-users.ts), and where JupyterLab pods see it. */
export const notebooksConfigMap = "dmac-notebooks";
export const notebooksMountPath = "/shared/dmac-notebooks";

/** JupyterLab server sizes offered at login: name, cores (limit), memory in GB (limit). */
const JUPYTERLAB_PROFILES = [
  { name: "DMAC small", cores: 2, memoryGb: 8, description: "2 cores, 8 GB: the notebooks, one model run" },
  { name: "DMAC medium", cores: 4, memoryGb: 16, description: "4 cores, 16 GB: several runs in memory; Dask workers for more" },
] as const;

export interface NebariInputs {
  readonly cfg: StackConfig;
  /** kubeconfig context name Nebari deploys into. */
  readonly kubeContext: string;
  readonly stateBucket: string;
  /** The users' conda environment (notebooks/environment.yml, nebari-environment.ts). */
  readonly environment: CondaEnvironment;
}

export type NebariDocument = Record<string, unknown>;

export function nebariDocument({ cfg, kubeContext, stateBucket, environment }: NebariInputs): NebariDocument {
  const n = cfg.nebari;
  const toleration = { key: daskWorkerTaint.key, operator: "Equal", value: daskWorkerTaint.value, effect: kubernetesEffect(daskWorkerTaint.effect) };
  const selector = (role: string) => ({ key: nodeRoleLabel, value: role });
  const gb = (x: number) => `${Number.isInteger(x) ? x : x.toFixed(1)}G`;
  return {
    project_name: n.projectName,
    namespace: n.namespace,
    provider: "existing",
    domain: n.domain,
    ci_cd: { type: "none" },
    terraform_state: {
      type: "existing",
      backend: "s3",
      config: { bucket: stateBucket, key: `nebari/${n.projectName}.tfstate`, region: cfg.region, encrypt: "true" },
    },
    certificate: n.acmeEmail ? { type: "lets-encrypt", acme_email: n.acmeEmail } : { type: "self-signed" },
    security: {
      authentication:
        n.authentication === "GitHub"
          ? // The client secret is not here: `nebari deploy` reads it from NEBARI_SECRET__… in its environment.
            { type: "GitHub", config: { client_id: n.githubClientId } }
          : { type: "password" },
    },
    existing: {
      kube_context: kubeContext,
      node_selectors: { general: selector("system"), user: selector("system"), worker: selector("dask-worker") },
    },
    // conda-store builds it; users pick "dmac" as their kernel and for Dask Gateway clusters.
    environments: { [nebariEnvironmentKey]: { name: environment.name, channels: [...environment.channels], dependencies: [...environment.dependencies] } },
    profiles: {
      // KubeSpawner overrides, which Nebari merges with its own (home and shared volumes): the
      // pods run as the service account with read-only access to the data lake (IRSA), and see
      // the repository's notebooks read-only in the shared folder (the ConfigMap each deploy updates).
      jupyterlab: JUPYTERLAB_PROFILES.map((p, i) => ({
        display_name: p.name,
        description: p.description,
        ...(i === 0 ? { default: true } : {}),
        kubespawner_override: {
          cpu_limit: p.cores,
          cpu_guarantee: p.cores * 0.75,
          mem_limit: gb(p.memoryGb),
          mem_guarantee: gb(p.memoryGb * 0.75),
          service_account: nebariUserServiceAccount,
          volumes: [{ name: notebooksConfigMap, configMap: { name: notebooksConfigMap } }],
          volume_mounts: [{ name: notebooksConfigMap, mountPath: notebooksMountPath, readOnly: true }],
        },
      })),
      dask_worker: Object.fromEntries(
        n.daskWorkerProfiles.map((p) => [
          p.name,
          {
            worker_cores_limit: p.cores,
            worker_cores: p.cores,
            worker_memory_limit: gb(p.memoryGb),
            worker_memory: gb(p.memoryGb * 0.85),
            worker_threads: Math.max(1, Math.floor(p.cores)),
            // Passed through to Dask Gateway's KubeClusterConfig: lets workers onto the tainted spot
            // nodes, and gives them the users' read-only data-lake role (IRSA), as the notebook's pod has.
            worker_extra_pod_config: { tolerations: [toleration], serviceAccountName: nebariUserServiceAccount },
          },
        ]),
      ),
    },
  };
}

export function nebariConfigYaml(inputs: NebariInputs): string {
  const doc = nebariDocument(inputs);
  const problems = checkNebariDocument(doc);
  if (problems.length > 0) throw new Error(`nebari-config.yaml for stack ${inputs.cfg.stack}: ${problems.join("; ")}`);
  return stringify(JSON.parse(JSON.stringify(doc)) as unknown, { lineWidth: 0 });
}

/**
 * The rules of Nebari's schema we can check here (src/nebari/schema.py and the provider stages):
 * project_name and namespace patterns, provider `existing` with general/user/worker node selectors,
 * a domain, an e-mail for Let's Encrypt, GitHub auth with a client id, Dask worker profile fields.
 */
export function checkNebariDocument(doc: NebariDocument): string[] {
  const problems: string[] = [];
  const str = (v: unknown): v is string => typeof v === "string";
  const obj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!str(doc.project_name) || !nebariProjectNamePattern.test(doc.project_name)) problems.push(`project_name ${JSON.stringify(doc.project_name)} does not match ${nebariProjectNamePattern}`);
  if (!str(doc.namespace) || !nebariNamespacePattern.test(doc.namespace)) problems.push(`namespace ${JSON.stringify(doc.namespace)} does not match ${nebariNamespacePattern}`);
  if (doc.provider !== "existing") problems.push(`provider must be existing, got ${JSON.stringify(doc.provider)}`);
  if (!str(doc.domain) || !domainPattern.test(doc.domain)) problems.push(`domain ${JSON.stringify(doc.domain)} is not a DNS name`);
  const cert = doc.certificate;
  if (obj(cert) && cert.type === "lets-encrypt" && !(str(cert.acme_email) && nebariEmailPattern.test(cert.acme_email))) problems.push("certificate.acme_email must be an e-mail for lets-encrypt");
  const auth = obj(doc.security) ? doc.security.authentication : undefined;
  if (!obj(auth) || !["password", "GitHub", "Auth0", "custom"].includes(String(auth.type))) problems.push("security.authentication.type must be password, GitHub, Auth0 or custom");
  else if (auth.type === "GitHub" && !(obj(auth.config) && str(auth.config.client_id))) problems.push("security.authentication.config.client_id is required for GitHub");
  const selectors = obj(doc.existing) ? doc.existing.node_selectors : undefined;
  for (const group of ["general", "user", "worker"]) {
    const s = obj(selectors) ? selectors[group] : undefined;
    if (!obj(s) || !str(s.key) || !str(s.value)) problems.push(`existing.node_selectors.${group} needs key and value`);
  }
  const environments = doc.environments;
  if (!obj(environments) || Object.keys(environments).length === 0) problems.push("environments needs at least one conda environment");
  else for (const [file, env] of Object.entries(environments)) problems.push(...checkEnvironment(env, `environments.${file}`));
  const labs = obj(doc.profiles) ? doc.profiles.jupyterlab : undefined;
  if (labs !== undefined) {
    if (!Array.isArray(labs) || labs.length === 0) problems.push("profiles.jupyterlab must be a non-empty list");
    else
      labs.forEach((p: unknown, i) => {
        if (!obj(p) || !str(p.display_name) || !obj(p.kubespawner_override)) problems.push(`profiles.jupyterlab[${i}] needs display_name and kubespawner_override`);
      });
  }
  const workers = obj(doc.profiles) ? doc.profiles.dask_worker : undefined;
  if (!obj(workers) || Object.keys(workers).length === 0) problems.push("profiles.dask_worker needs at least one profile");
  else {
    for (const [name, p] of Object.entries(workers)) {
      if (!obj(p)) {
        problems.push(`profiles.dask_worker.${name} must be a mapping`);
        continue;
      }
      for (const f of ["worker_cores_limit", "worker_cores"]) if (typeof p[f] !== "number") problems.push(`profiles.dask_worker.${name}.${f} must be a number`);
      for (const f of ["worker_memory_limit", "worker_memory"]) if (!str(p[f]) || !/^\d+(\.\d+)?[KMGT]i?$/.test(p[f])) problems.push(`profiles.dask_worker.${name}.${f} must be a quantity like 4G`);
      if (typeof p.worker_cores === "number" && typeof p.worker_cores_limit === "number" && p.worker_cores > p.worker_cores_limit) problems.push(`profiles.dask_worker.${name}: worker_cores above worker_cores_limit`);
    }
  }
  return problems;
}
