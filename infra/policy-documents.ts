// IAM policy documents as pure functions of ARNs: one least-privilege document per workload, and the
// IRSA trust policy that lets exactly one Kubernetes service account assume a role.

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Principal?: unknown;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

const doc = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: "2012-10-17", Statement });

/**
 * Trust policy for IAM roles for service accounts: the cluster's OIDC provider may assume the role only
 * for a token whose subject is `system:serviceaccount:<namespace>:<serviceAccount>` and audience STS.
 * `oidcIssuer` is the issuer URL without `https://`.
 */
export function irsaTrustPolicy(oidcProviderArn: string, oidcIssuer: string, namespace: string, serviceAccount: string): PolicyDocument {
  const issuer = oidcIssuer.replace(/^https:\/\//, "");
  if (!/^[a-z0-9-]{1,63}$/.test(namespace)) throw new Error(`irsaTrustPolicy: namespace ${JSON.stringify(namespace)} is not a Kubernetes name`);
  if (!/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(serviceAccount)) throw new Error(`irsaTrustPolicy: serviceAccount ${JSON.stringify(serviceAccount)} is not a Kubernetes name`);
  return doc({
    Effect: "Allow",
    Principal: { Federated: oidcProviderArn },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: {
      StringEquals: {
        [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
        [`${issuer}:aud`]: "sts.amazonaws.com",
      },
    },
  });
}

/**
 * Reads the catalog database's login from the one RDS-managed Secrets Manager secret that holds it
 * (catalog/store/credentials.ts; RDS encrypts it with the AWS-managed key, so no KMS grant is needed).
 */
function readCatalogDatabaseSecret(secretArn: string): PolicyStatement {
  return { Sid: "ReadCatalogDatabaseSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArn };
}

/**
 * Operator: lists the data bucket and reads, writes and deletes objects in it (Zarr stores are
 * rewritten), and logs in to the catalog database (CatalogEntries).
 */
export function operatorPolicy(bucketArn: string, catalogSecretArn: string): PolicyDocument {
  return doc(
    { Sid: "ListDataBucket", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: bucketArn },
    {
      Sid: "ReadWriteDataObjects",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
      Resource: `${bucketArn}/*`,
    },
    readCatalogDatabaseSecret(catalogSecretArn),
  );
}

/** Data API: read-only access to the data bucket. */
export function dataApiPolicy(bucketArn: string): PolicyDocument {
  return doc(
    { Sid: "ListDataBucket", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: bucketArn },
    { Sid: "ReadDataObjects", Effect: "Allow", Action: ["s3:GetObject"], Resource: `${bucketArn}/*` },
  );
}

/**
 * Event bridge: consumes (receives and deletes) messages of the NODD queues, and sends a message it
 * gives up on to the queue's dead-letter queue itself, with the reason as a message attribute.
 */
export function eventBridgePolicy(queueArns: readonly string[], deadLetterArns: readonly string[] = []): PolicyDocument {
  return doc(
    {
      Sid: "ConsumeNoddQueues",
      Effect: "Allow",
      Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
      Resource: [...queueArns],
    },
    ...(deadLetterArns.length > 0 ? [{ Sid: "DeadLetterWithReason", Effect: "Allow" as const, Action: ["sqs:SendMessage", "sqs:GetQueueUrl"], Resource: [...deadLetterArns] }] : []),
  );
}

/**
 * Nebari users (their JupyterLab pods and Dask workers): read-only, and only the data lake's
 * published prefixes: list keys under them and get objects below them; no other bucket, prefix or
 * action (no writes, no bucket settings).
 */
export function nebariUserPolicy(bucketArn: string, publishedPrefixes: readonly string[]): PolicyDocument {
  const bad = publishedPrefixes.filter((p) => !/^[a-z0-9][a-z0-9._/-]*\/$/.test(p));
  if (publishedPrefixes.length === 0 || bad.length > 0) throw new Error(`nebariUserPolicy: published prefixes must be key prefixes ending in /, got ${JSON.stringify(publishedPrefixes)}`);
  return doc(
    {
      Sid: "ListPublishedPrefixes",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: bucketArn,
      Condition: { StringLike: { "s3:prefix": publishedPrefixes.flatMap((p) => [p, `${p}*`]) } },
    },
    { Sid: "ReadPublishedObjects", Effect: "Allow", Action: "s3:GetObject", Resource: publishedPrefixes.map((p) => `${bucketArn}/${p}*`) },
  );
}

/** Catalog API: logs in to the catalog database, nothing else. */
export function catalogApiPolicy(secretArn: string): PolicyDocument {
  return doc(readCatalogDatabaseSecret(secretArn));
}

/** SQS queue policy: only SNS, and only for the given topic, may send to the queue. */
export function queueAcceptsTopicPolicy(queueArn: string, topicArn: string): PolicyDocument {
  return doc({
    Sid: "AcceptNoddTopicOnly",
    Effect: "Allow",
    Principal: { Service: "sns.amazonaws.com" },
    Action: "sqs:SendMessage",
    Resource: queueArn,
    Condition: { ArnEquals: { "aws:SourceArn": topicArn } },
  });
}

/**
 * Bucket policy: always deny plain-HTTP access; with `publicRead` (open data), also let anyone list
 * the bucket and read objects, nothing more.
 */
export function bucketPolicy(bucketArn: string, publicRead: boolean): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
  ];
  if (publicRead) {
    statements.push(
      { Sid: "PublicListOpenData", Effect: "Allow", Principal: "*", Action: "s3:ListBucket", Resource: bucketArn },
      { Sid: "PublicReadOpenData", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${bucketArn}/*` },
    );
  }
  return doc(...statements);
}
