// The catalog's PostgreSQL login from a secret (the RDS-managed Secrets Manager secret in the cloud):
// read once, kept, read again when the server refuses it (rotation); and the environment's choice.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogCredentialsFromEnv, openCatalog, openPostgresClient, secretCredentials } from "../../catalog/index.js";
import { parseRdsSecret } from "../../catalog/store/credentials.js";
import { poolConfig } from "../../catalog/store/postgres.js";
import { startThrowawayPostgres, type ThrowawayPostgres } from "./postgres-server.js";

const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-catalog";
const secret = (username: string, password: string) => JSON.stringify({ username, password });

describe("the RDS secret", () => {
  it("takes username and password, and names the secret (never a value) when they are missing", () => {
    expect(parseRdsSecret(secret("dmac_admin", "s3cr3t"), arn)).toEqual({ user: "dmac_admin", password: "s3cr3t" });
    expect(() => parseRdsSecret("{\"username\":\"x\"}", arn)).toThrow(/rds!db-catalog.*"username" and "password"/);
    expect(() => parseRdsSecret("s3cr3t", arn)).toThrow(/not JSON/);
    expect(() => parseRdsSecret("s3cr3t", arn)).not.toThrow(/s3cr3t/);
  });

  it("is read once, kept, read again after invalidate(), and a failed read is not kept", async () => {
    const reads: string[] = [];
    let fail = true;
    const source = secretCredentials(arn, async (id) => {
      reads.push(id);
      if (fail) throw new Error("throttled");
      return secret("u", `p${reads.length}`);
    });
    await expect(source.login()).rejects.toThrow(/throttled/);
    fail = false;
    expect(await source.login()).toEqual({ user: "u", password: "p2" });
    expect(await source.login()).toEqual({ user: "u", password: "p2" });
    source.invalidate();
    expect(await source.login()).toEqual({ user: "u", password: "p3" });
    expect(reads).toEqual([arn, arn, arn]);
  });
});

describe("the environment's credential source", () => {
  it("is none without DMAC_CATALOG_DB_SECRET_ARN: node-postgres reads PGUSER and PGPASSWORD", async () => {
    expect(await catalogCredentialsFromEnv({})).toBeUndefined();
    expect(await poolConfig("postgres://catalog-db.dmac-system.svc.cluster.local:5432/catalog", undefined)).toEqual({ connectionString: "postgres://catalog-db.dmac-system.svc.cluster.local:5432/catalog" });
  });

  it("is the secret with DMAC_CATALOG_DB_SECRET_ARN, over TLS verified against Amazon RDS's CAs", async () => {
    const source = await catalogCredentialsFromEnv({ DMAC_CATALOG_DB_SECRET_ARN: arn, AWS_REGION: "us-east-1" }, async () => secret("dmac_admin", "pw"));
    expect(source?.describe).toContain(arn);
    expect(source?.ssl?.rejectUnauthorized).toBe(true);
    expect((source?.ssl?.ca as string[]).length).toBeGreaterThan(0);
    const config = await poolConfig("postgres://dmac-prod.abc.us-east-1.rds.amazonaws.com:5432/catalog", source);
    expect(config).toMatchObject({ host: "dmac-prod.abc.us-east-1.rds.amazonaws.com", port: 5432, database: "catalog", user: "dmac_admin", ssl: source!.ssl });
    expect(await (config.password as () => Promise<string>)()).toBe("pw");
    await expect(poolConfig("postgres://someone:pw@host:5432/catalog", source)).rejects.toThrow(/names a user or password/);
  });
});

describe("a rotated password (PostgreSQL with password logins)", () => {
  let server: ThrowawayPostgres | undefined;
  beforeAll(async () => {
    server = await startThrowawayPostgres({ passwordLogins: true });
  });
  afterAll(async () => server?.stop());

  it("is read again when the server refuses the kept one, and queries go on", async () => {
    const admin = await openPostgresClient(server!.url);
    await admin.query("CREATE ROLE catalog_app LOGIN PASSWORD 'first'");
    await admin.query("CREATE DATABASE rotation OWNER catalog_app");
    let current = secret("catalog_app", "first");
    let reads = 0;
    const source = secretCredentials(arn, async () => {
      reads += 1;
      return current;
    });
    const url = new URL(server!.url);
    const store = await openCatalog(`postgres://${url.host}/rotation`, { credentials: source });
    expect((await store.listCollections({ limit: 1, offset: 0 })).records).toEqual([]);
    expect(reads).toBe(1);

    // Rotation as RDS does it: the password changes, then the secret; open connections live on.
    await admin.query("ALTER ROLE catalog_app PASSWORD 'second'");
    current = secret("catalog_app", "second");
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'catalog_app'");
    // The pool notices its closed connections; the next query opens one with the kept (old) password,
    // is refused, reads the secret again and goes on.
    await new Promise((r) => setTimeout(r, 100));
    expect((await store.listCollections({ limit: 1, offset: 0 })).records).toEqual([]);
    expect(reads).toBe(2);
    await store.close();
    await admin.close();
  }, 60_000);
});
