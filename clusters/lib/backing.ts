// How the platform's workloads reach what lives outside the cluster: the catalog's PostgreSQL and
// the object store of Zarr stores. One function decides it per environment, so the operator's, the
// catalog API's and the data API's charts cannot disagree.
//
// With a cloud stack (clusters/config/<env>.outputs.json): RDS, whose RDS-managed Secrets Manager
// secret the pods read through IRSA (DMAC_CATALOG_DB_SECRET_ARN; catalog/store/credentials.ts), and
// S3 through the AWS SDK's default credential chain (IRSA).
// Without one (local): Services without a selector, `catalog-db` and `object-store`, that whoever runs
// the cluster points at the servers, and credentials from Secrets that are never in Git (`dmac up
// --runtime podman` creates them at start).
import { k8s } from "cdk8s-plus-27";
import type { Construct } from "constructs";
import { platformNamespace, type StackOutputs } from "../config/stack-outputs.js";
import type { EnvironmentConfig } from "../environments.js";
import { componentLabels } from "./labels.js";
import { anyAddress, type AllowProps } from "./network-policy.js";
import type { ClaimMount, EnvSource } from "./restricted-workload.js";

/** The database RDS creates (infra/database.ts) and the local PostgreSQL is asked for. */
export const catalogDatabaseName = "catalog";
/** Selector-less Services of an environment without a stack, and the Secrets their clients read. */
export const backingServiceNames = { catalogDb: "catalog-db", objectStore: "object-store" } as const;
export const backingSecrets = {
  /** Keys `username`, `password`: the catalog database's login. */
  catalogDb: { name: "catalog-db", usernameKey: "username", passwordKey: "password" },
  /** Keys `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` (the IngestJob CRD's default key names). */
  objectStore: { name: "object-store-credentials", accessKeyIdKey: "AWS_ACCESS_KEY_ID", secretAccessKeyKey: "AWS_SECRET_ACCESS_KEY" },
} as const;

type Egress = NonNullable<AllowProps["egress"]>;
type Env = Readonly<Record<string, EnvSource>>;

export interface Backing {
  /** The catalog location `dmac operator --catalog` and `dmac serve catalog-api --catalog` take. */
  readonly catalogUrl: string;
  /** Environment of a pod that opens the catalog: how it authenticates. */
  readonly catalogEnv: Env;
  readonly catalogEgress: Egress;
  /** Environment of a pod that reads or writes the object store: endpoint and credentials. */
  readonly objectStoreEnv: Env;
  readonly objectStoreEgress: Egress;
  /** The data volume (local only): rw for the operator, ro for the data API. */
  readonly dataVolume: (readOnly: boolean) => ClaimMount[];
}

const https = { port: 443 };
const hostOf = (service: string): string => `${service}.${platformNamespace}.svc.cluster.local`;

export function backingFor(env: EnvironmentConfig, outputs: StackOutputs | undefined): Backing {
  const dataVolume = (readOnly: boolean): ClaimMount[] => (env.dataVolume ? [{ claimName: env.dataVolume.claimName, path: "/data", readOnly }] : []);
  if (outputs) {
    return {
      catalogUrl: `postgres://${outputs.catalogDatabase.endpoint}/${catalogDatabaseName}`,
      catalogEnv: { AWS_REGION: outputs.region, DMAC_CATALOG_DB_SECRET_ARN: outputs.catalogDatabase.secretArn },
      // RDS is outside the cluster (its security group admits the VPC); Secrets Manager and STS (IRSA) over HTTPS.
      catalogEgress: [{ to: [anyAddress], ports: [{ port: 5432 }, https] }],
      objectStoreEnv: { AWS_REGION: outputs.region },
      objectStoreEgress: [{ to: [anyAddress], ports: [https] }],
      dataVolume,
    };
  }
  const { catalogDbPort, objectStorePort } = env.backingServices;
  const db = backingSecrets.catalogDb;
  const store = backingSecrets.objectStore;
  return {
    catalogUrl: `postgres://${hostOf(backingServiceNames.catalogDb)}:${catalogDbPort}/${catalogDatabaseName}`,
    // node-postgres reads PGUSER and PGPASSWORD itself.
    catalogEnv: { PGUSER: { secret: db.name, key: db.usernameKey }, PGPASSWORD: { secret: db.name, key: db.passwordKey } },
    // The Services have no selector, so their endpoints are addresses, not pods.
    catalogEgress: [{ to: [anyAddress], ports: [{ port: catalogDbPort }] }],
    objectStoreEnv: {
      AWS_ENDPOINT_URL_S3: `http://${hostOf(backingServiceNames.objectStore)}:${objectStorePort}`,
      AWS_ACCESS_KEY_ID: { secret: store.name, key: store.accessKeyIdKey },
      AWS_SECRET_ACCESS_KEY: { secret: store.name, key: store.secretAccessKeyKey },
    },
    objectStoreEgress: [{ to: [anyAddress], ports: [{ port: objectStorePort }] }],
    dataVolume,
  };
}

/**
 * The objects an environment without a stack needs in the platform namespace: the two selector-less
 * Services and, where the environment has one, the data volume's claim. The Secrets are not rendered.
 */
export function backingObjects(scope: Construct, env: EnvironmentConfig, outputs: StackOutputs | undefined): void {
  const namespace = platformNamespace;
  if (!outputs) {
    const ports = { [backingServiceNames.catalogDb]: env.backingServices.catalogDbPort, [backingServiceNames.objectStore]: env.backingServices.objectStorePort };
    for (const [name, port] of Object.entries(ports)) {
      new k8s.KubeService(scope, `service-${name}`, {
        metadata: { name, namespace, labels: componentLabels(name, "backing-service") },
        spec: { type: "ClusterIP", ports: [{ name: name === backingServiceNames.catalogDb ? "postgres" : "http", port, targetPort: k8s.IntOrString.fromNumber(port), protocol: "TCP" }] },
      });
    }
  }
  if (env.dataVolume) {
    new k8s.KubePersistentVolumeClaim(scope, "data-volume", {
      metadata: { name: env.dataVolume.claimName, namespace, labels: componentLabels(env.dataVolume.claimName, "data") },
      spec: { accessModes: ["ReadWriteMany"], resources: { requests: { storage: k8s.Quantity.fromString(`${env.dataVolume.sizeGiB}Gi`) } } },
    });
  }
}
