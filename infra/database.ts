// The catalog database: RDS PostgreSQL in the private subnets (chosen over an in-cluster operator so
// backups, patching and failover are AWS's job; see docs/operations.md). RDS generates the master
// password and keeps it in AWS Secrets Manager (`manageMasterUserPassword`), rotating it itself: the
// password is never in Git, in Pulumi config or in Pulumi state.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config.js";
import type { Network } from "./network.js";

export interface CatalogDatabase {
  /** host:port */
  readonly endpoint: pulumi.Output<string>;
  readonly secretArn: pulumi.Output<string>;
}

export function createCatalogDatabase(name: string, cfg: StackConfig, network: Network): CatalogDatabase {
  const db = cfg.database;
  const subnets = new aws.rds.SubnetGroup(`${name}-catalog`, { subnetIds: network.privateSubnetIds });
  const securityGroup = new aws.ec2.SecurityGroup(`${name}-catalog`, {
    vpcId: network.vpcId,
    description: "PostgreSQL from inside the VPC only",
    ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: [network.vpcCidr], description: "PostgreSQL from the VPC" }],
    egress: [],
  });
  const instance = new aws.rds.Instance(`${name}-catalog`, {
    engine: "postgres",
    engineVersion: db.engineVersion,
    instanceClass: db.instanceClass,
    allocatedStorage: db.allocatedStorageGb,
    maxAllocatedStorage: db.allocatedStorageGb * 5,
    storageType: "gp3",
    storageEncrypted: true,
    dbName: "catalog",
    username: "dmac_admin",
    manageMasterUserPassword: true,
    dbSubnetGroupName: subnets.name,
    vpcSecurityGroupIds: [securityGroup.id],
    publiclyAccessible: false,
    multiAz: db.multiAz,
    deletionProtection: db.deletionProtection,
    backupRetentionPeriod: db.backupRetentionDays,
    copyTagsToSnapshot: true,
    autoMinorVersionUpgrade: true,
    skipFinalSnapshot: !db.deletionProtection,
    finalSnapshotIdentifier: db.deletionProtection ? `dmac-${cfg.stack}-catalog-final` : undefined,
    tags: { "dmac.ioos.us/stack": cfg.stack },
  });
  const secretArn = instance.masterUserSecrets.apply((secrets) => {
    const arn = secrets?.[0]?.secretArn;
    if (!arn) throw new Error(`database ${name}-catalog: RDS returned no master user secret (manageMasterUserPassword must be on)`);
    return arn;
  });
  return { endpoint: instance.endpoint, secretArn };
}
