// S3 source credentials: `spec.source.credentials.secretRef` names a Secret in the IngestJob's
// namespace whose keys (`accessKeyIdKey`, `secretAccessKeyKey`; AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY by default) hold static credentials. The operator reads the Secret with
// `get` only (bound per domain namespace, operators/rbac.ts), keeps the values in memory for one
// reconcile or batch, and never writes them to status, Events, logs or a DaskJob: a DaskJob gets
// secretKeyRef references (daskjob.ts).
import type { S3Client } from "@aws-sdk/client-s3";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import type { IngestJobSpec } from "../../crds/index.js";
import { isNotFound } from "../runtime/errors.js";

type Source = IngestJobSpec["source"];
type SecretRef = NonNullable<Source["credentials"]["secretRef"]>;

export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** A Secret's data, base64 as the API returns it; undefined when the Secret does not exist. */
export type SecretReader = (namespace: string, name: string) => Promise<Record<string, string> | undefined>;

/** The Secret or one of its keys is missing: the message names both, never a value. */
export class CredentialsError extends Error {
  override readonly name = "CredentialsError";
}

export function secretReader(kubeConfig: KubeConfig): SecretReader {
  const api = kubeConfig.makeApiClient(CoreV1Api);
  return async (namespace, name) => {
    try {
      return (await api.readNamespacedSecret({ namespace, name })).data ?? {};
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };
}

/** The credentials the source names, or undefined for anonymous reads. */
export async function sourceCredentials(source: Source, namespace: string, read: SecretReader): Promise<S3Credentials | undefined> {
  const ref: SecretRef | undefined = source.credentials.secretRef;
  if (source.credentials.anonymous || !ref) return undefined;
  const data = await read(namespace, ref.name);
  if (!data) throw new CredentialsError(`Secret ${namespace}/${ref.name} (spec.source.credentials.secretRef.name) does not exist`);
  const value = (key: string, field: "accessKeyIdKey" | "secretAccessKeyKey") => {
    const encoded = data[key];
    // Trimmed: a Secret made with --from-file often ends in a newline, which no AWS key contains.
    const decoded = encoded === undefined ? "" : Buffer.from(encoded, "base64").toString("utf8").trim();
    if (decoded === "") throw new CredentialsError(`Secret ${namespace}/${ref.name} has no ${encoded === undefined ? "" : "non-empty "}key ${key} (spec.source.credentials.secretRef.${field})`);
    return decoded;
  };
  return { accessKeyId: value(ref.accessKeyIdKey, "accessKeyIdKey"), secretAccessKey: value(ref.secretAccessKeyKey, "secretAccessKeyKey") };
}

/**
 * An S3 client for the source (the AWS SDK loads on first use: `dmac up` ingests local files and
 * never needs it): its region and endpoint over the platform's (dataplane/s3-client.ts:
 * a source without an endpoint is read where AWS_ENDPOINT_URL_S3 points, S3 itself when unset), and
 * either unsigned requests (anonymous, public NODD buckets) or the Secret's credentials. The caller
 * destroys it when done, which closes its connections.
 */
export async function sourceS3Client(source: Source, credentials: S3Credentials | undefined): Promise<S3Client> {
  const { createS3Client } = await import("../../dataplane/s3-client.js");
  return createS3Client({
    ...(source.region ? { region: source.region } : {}),
    ...(source.endpoint ? { endpoint: source.endpoint } : {}),
    ...(credentials ? { credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey } } : {}),
    // Unsigned; the placeholder identity only keeps the SDK from searching for one it would not use
    // (a pod or machine without AWS credentials could not read a public bucket otherwise).
    ...(!credentials && source.credentials.anonymous ? { signer: { sign: async (request) => request }, credentials: { accessKeyId: "anonymous", secretAccessKey: "anonymous" } } : {}),
  });
}
