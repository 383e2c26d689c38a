// The one place where Pulumi stack outputs reach the rendered cluster configuration.
//
// `infra/` exports these outputs per stack; `npm run infra:outputs -- <stack>` (see docs/operations.md)
// writes them to `clusters/config/<env>.outputs.json`, which is committed. `npm run synth` reads that
// file, so a reviewer sees every cloud identifier that reaches the cluster in a pull request diff.
// Environments without a stack (local) have no file and render without cloud identifiers.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Cloud identifiers that workloads need. Every field is a plain string in the JSON file. */
export interface StackOutputs {
  /** AWS region of the stack, e.g. us-east-1. */
  readonly region: string;
  /** Name of the S3 data-lake bucket the operator writes Zarr stores to. */
  readonly dataBucket: string;
  /** SQS queue URLs the event bridge consumes, by NODD feed. */
  readonly queueUrls: { readonly ofs: string; readonly rtofs: string };
  /** IAM role ARNs for service accounts (IRSA), one per workload. */
  readonly roleArns: {
    readonly operator: string;
    readonly eventBridge: string;
    readonly dataApi: string;
    readonly catalogApi: string;
  };
  /** Catalog database endpoint (host:port) and the Secrets Manager ARN holding its credentials. */
  readonly catalogDatabase: { readonly endpoint: string; readonly secretArn: string };
}

const configDir = dirname(fileURLToPath(import.meta.url));

export function stackOutputsPath(env: string): string {
  return join(configDir, `${env}.outputs.json`);
}

/** Reads the committed outputs for an environment, or undefined when it has no stack. */
export function readStackOutputs(env: string): StackOutputs | undefined {
  const path = stackOutputsPath(env);
  if (!existsSync(path)) return undefined;
  const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
  return assertStackOutputs(parsed, path);
}

function assertStackOutputs(value: unknown, path: string): StackOutputs {
  const need = (obj: unknown, keys: readonly string[], at: string): void => {
    if (typeof obj !== "object" || obj === null) throw new Error(`${path}: ${at || "document"} must be an object`);
    for (const key of keys) {
      const v = (obj as Record<string, unknown>)[key];
      if (v === undefined) throw new Error(`${path}: missing field ${at ? `${at}.` : ""}${key}`);
    }
  };
  need(value, ["region", "dataBucket", "queueUrls", "roleArns", "catalogDatabase"], "");
  const v = value as Record<string, unknown>;
  need(v.queueUrls, ["ofs", "rtofs"], "queueUrls");
  need(v.roleArns, ["operator", "eventBridge", "dataApi", "catalogApi"], "roleArns");
  need(v.catalogDatabase, ["endpoint", "secretArn"], "catalogDatabase");
  return value as StackOutputs;
}

/** Namespaces and service accounts of the platform workloads; IRSA trust policies name exactly these. */
export const platformNamespace = "dmac-system";
export const serviceAccounts = {
  operator: "dmac-operator",
  catalogApi: "catalog-api",
  dataApi: "data-api",
  eventBridge: "event-bridge",
} as const;
