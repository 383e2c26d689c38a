// Stack configuration: one typed, validated object per stack, parsed from the raw `dmac:*` keys of
// Pulumi.<stack>.yaml. Pure (no Pulumi runtime), so every rule here is unit-tested; errors name the key.
import { repoURL } from "../clusters/environments.js";

/** Capacity of one EKS managed node group. */
export interface NodeGroupConfig {
  readonly instanceTypes: readonly string[];
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredSize: number;
  readonly diskSizeGb: number;
}

export interface DaskWorkerProfile {
  readonly name: string;
  readonly cores: number;
  readonly memoryGb: number;
}

export interface NebariConfig {
  readonly enabled: boolean;
  readonly projectName: string;
  readonly namespace: string;
  readonly domain: string;
  readonly authentication: "password" | "GitHub";
  /** OAuth client id (public); the secret comes from the deployer's environment, never from Git. */
  readonly githubClientId: string | undefined;
  readonly acmeEmail: string | undefined;
  readonly daskWorkerProfiles: readonly DaskWorkerProfile[];
}

export interface RegionalDomain {
  /** Short name of the IOOS regional association, e.g. secoora. */
  readonly association: string;
  readonly domain: string;
}

export interface StackConfig {
  readonly stack: string;
  readonly region: string;
  readonly vpcCidr: string;
  readonly availabilityZones: readonly [string, string];
  /** One NAT gateway for the VPC (cheap, dev) or one per availability zone (survives an AZ outage, prod). */
  readonly natGateways: "single" | "perAz";
  readonly kubernetesVersion: string;
  readonly systemNodes: NodeGroupConfig;
  readonly daskWorkerNodes: NodeGroupConfig;
  readonly adminPrincipalArns: readonly string[];
  /** CIDRs allowed to reach the public Kubernetes API endpoint (nodes use the private endpoint). */
  readonly clusterApiCidrs: readonly string[];
  readonly dataLake: {
    readonly publicRead: boolean;
    readonly modelRunPrefix: string;
    readonly modelRunExpirationDays: number;
    readonly forceDestroy: boolean;
  };
  readonly noddTopics: { readonly ofs: string; readonly rtofs: string };
  readonly database: {
    readonly instanceClass: string;
    readonly engineVersion: string;
    readonly allocatedStorageGb: number;
    readonly multiAz: boolean;
    readonly deletionProtection: boolean;
    readonly backupRetentionDays: number;
  };
  readonly gitRepoUrl: string;
  readonly gitRevision: string;
  readonly argocdChartVersion: string;
  readonly nebari: NebariConfig;
  readonly regionalDomains: readonly RegionalDomain[];
  /** Policy opt-in: allow IAM policy documents with wildcard actions (`*` or `service:*`). */
  readonly allowWildcardIamActions: boolean;
}

/** Every `dmac:` key a stack file may set; anything else is a typo and is rejected. */
export const configKeys = [
  "vpcCidr",
  "availabilityZones",
  "natGateways",
  "kubernetesVersion",
  "systemNodes",
  "daskWorkerNodes",
  "adminPrincipalArns",
  "clusterApiCidrs",
  "dataLake",
  "noddTopics",
  "database",
  "gitRepoUrl",
  "gitRevision",
  "argocdChartVersion",
  "nebari",
  "regionalDomains",
  "allowWildcardIamActions",
] as const;
export type ConfigKey = (typeof configKeys)[number];

export const defaultNoddTopics = {
  ofs: "arn:aws:sns:us-east-1:123901341784:NewOFSObject",
  rtofs: "arn:aws:sns:us-east-1:709902155096:NewRTOFSObject",
} as const;
/** The repository ArgoCD syncs: the one the rendered GitOps tree names (clusters/ is the truth). */
export const defaultGitRepoUrl = repoURL;
/** argo-helm `argo-cd` chart, pinned; bump by pull request after reading its changelog. */
export const defaultArgocdChartVersion = "8.6.4";

export class ConfigError extends Error {
  constructor(key: string, message: string) {
    super(`config dmac:${key}: ${message}`);
    this.name = "ConfigError";
  }
}

type Raw = Readonly<Record<string, unknown>>;

/**
 * Parses the raw config of one stack. `raw` maps keys without the `dmac:` prefix to parsed YAML values
 * (Pulumi hands structured values over as JSON text; strings holding JSON are parsed here).
 */
export function parseStackConfig(raw: Raw, stack: string, region: string): StackConfig {
  for (const key of Object.keys(raw)) {
    if (!(configKeys as readonly string[]).includes(key)) throw new ConfigError(key, `unknown key (known: ${configKeys.join(", ")})`);
  }
  if (!/^[a-z][a-z0-9-]{0,20}$/.test(stack)) throw new ConfigError("<stack>", `stack name ${JSON.stringify(stack)} must be lower-case letters, digits and dashes`);
  if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region)) throw new Error(`config aws:region: ${JSON.stringify(region)} is not an AWS region`);
  // Strings stay as given ("1.30" must not become 1.3); structured values are decoded where expected.
  const get = (key: ConfigKey): unknown => raw[key];

  const azs = optional(get("availabilityZones"), [`${region}a`, `${region}b`], (v) => stringList("availabilityZones", v));
  if (azs.length !== 2) throw new ConfigError("availabilityZones", `needs exactly two zones, got ${azs.length}`);
  for (const az of azs) {
    if (!az.startsWith(region)) throw new ConfigError("availabilityZones", `${az} is not in region ${region}`);
  }
  if (azs[0] === azs[1]) throw new ConfigError("availabilityZones", "the two zones must differ");

  const topics = optional(get("noddTopics"), defaultNoddTopics, (v) => {
    const o = object("noddTopics", v, ["ofs", "rtofs"]);
    return { ofs: snsTopicArn("noddTopics.ofs", o.ofs ?? defaultNoddTopics.ofs), rtofs: snsTopicArn("noddTopics.rtofs", o.rtofs ?? defaultNoddTopics.rtofs) };
  });

  const dataLakeRaw = section("dataLake", get("dataLake"), ["publicRead", "modelRunPrefix", "modelRunExpirationDays", "forceDestroy"]);

  return {
    stack,
    region,
    vpcCidr: optional(get("vpcCidr"), "10.20.0.0/16", (v) => cidr16("vpcCidr", v)),
    availabilityZones: [azs[0]!, azs[1]!],
    natGateways: optional(get("natGateways"), "single", (v) => oneOf("natGateways", v, ["single", "perAz"] as const)),
    kubernetesVersion: optional(get("kubernetesVersion"), "1.33", (v) => pattern("kubernetesVersion", v, /^1\.\d{2}$/, "like 1.33")),
    systemNodes: nodeGroup("systemNodes", get("systemNodes"), { instanceTypes: ["m6i.xlarge"], minSize: 2, maxSize: 4, desiredSize: 2, diskSizeGb: 50 }),
    daskWorkerNodes: nodeGroup("daskWorkerNodes", get("daskWorkerNodes"), { instanceTypes: ["m6i.2xlarge", "m5.2xlarge", "m6a.2xlarge"], minSize: 0, maxSize: 10, desiredSize: 0, diskSizeGb: 100 }),
    adminPrincipalArns: optional(get("adminPrincipalArns"), [], (v) =>
      stringList("adminPrincipalArns", v).map((arn) => pattern("adminPrincipalArns", arn, /^arn:aws(-us-gov)?:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/, "an IAM role or user ARN")),
    ),
    clusterApiCidrs: optional(get("clusterApiCidrs"), ["0.0.0.0/0"], (v) => {
      const cidrs = stringList("clusterApiCidrs", v).map((c) => ipv4Cidr("clusterApiCidrs", c));
      if (cidrs.length === 0) throw new ConfigError("clusterApiCidrs", "needs at least one CIDR (the deployer must reach the API)");
      return cidrs;
    }),
    dataLake: {
      publicRead: optional(dataLakeRaw.publicRead, false, (v) => bool("dataLake.publicRead", v)),
      modelRunPrefix: optional(dataLakeRaw.modelRunPrefix, "model-runs/", (v) => pattern("dataLake.modelRunPrefix", v, /^[a-z0-9][a-z0-9._/-]*\/$/, "a key prefix ending in /")),
      modelRunExpirationDays: optional(dataLakeRaw.modelRunExpirationDays, 29, (v) => integer("dataLake.modelRunExpirationDays", v, 1, 3650)),
      forceDestroy: optional(dataLakeRaw.forceDestroy, false, (v) => bool("dataLake.forceDestroy", v)),
    },
    noddTopics: topics,
    database: databaseConfig(get("database")),
    gitRepoUrl: optional(get("gitRepoUrl"), defaultGitRepoUrl, (v) => pattern("gitRepoUrl", v, /^(https:\/\/[\w.-]+(:\d+)?\/[\w./-]+|git@[\w.-]+:[\w./-]+)$/, "an https:// or git@ repository URL")),
    gitRevision: optional(get("gitRevision"), "main", (v) => pattern("gitRevision", v, /^[\w./-]{1,200}$/, "a branch, tag or commit")),
    argocdChartVersion: optional(get("argocdChartVersion"), defaultArgocdChartVersion, (v) => pattern("argocdChartVersion", v, /^\d+\.\d+\.\d+$/, "an exact chart version (x.y.z), not a range")),
    nebari: nebariConfig(get("nebari"), stack),
    regionalDomains: optional(get("regionalDomains"), [], regionalDomains),
    allowWildcardIamActions: optional(get("allowWildcardIamActions"), false, (v) => bool("allowWildcardIamActions", v)),
  };
}

function nodeGroup(key: string, value: unknown, defaults: NodeGroupConfig): NodeGroupConfig {
  const o = section(key, value, ["instanceTypes", "minSize", "maxSize", "desiredSize", "diskSizeGb"]);
  const minSize = optional(o.minSize, defaults.minSize, (v) => integer(`${key}.minSize`, v, 0, 1000));
  const maxSize = optional(o.maxSize, defaults.maxSize, (v) => integer(`${key}.maxSize`, v, 1, 1000));
  const desiredSize = optional(o.desiredSize, Math.max(minSize, Math.min(defaults.desiredSize, maxSize)), (v) => integer(`${key}.desiredSize`, v, 0, 1000));
  if (minSize > maxSize) throw new ConfigError(`${key}.minSize`, `${minSize} is above maxSize ${maxSize}`);
  if (desiredSize < minSize || desiredSize > maxSize) throw new ConfigError(`${key}.desiredSize`, `${desiredSize} is outside [minSize ${minSize}, maxSize ${maxSize}]`);
  const instanceTypes = optional(o.instanceTypes, defaults.instanceTypes, (v) =>
    stringList(`${key}.instanceTypes`, v).map((t) => pattern(`${key}.instanceTypes`, t, /^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "an EC2 instance type like m6i.xlarge")),
  );
  if (instanceTypes.length === 0) throw new ConfigError(`${key}.instanceTypes`, "needs at least one instance type");
  return { instanceTypes, minSize, maxSize, desiredSize, diskSizeGb: optional(o.diskSizeGb, defaults.diskSizeGb, (v) => integer(`${key}.diskSizeGb`, v, 20, 2000)) };
}

function databaseConfig(value: unknown): StackConfig["database"] {
  const o = section("database", value, ["instanceClass", "engineVersion", "allocatedStorageGb", "multiAz", "deletionProtection", "backupRetentionDays"]);
  return {
    instanceClass: optional(o.instanceClass, "db.t4g.medium", (v) => pattern("database.instanceClass", v, /^db\.[a-z0-9]+\.[a-z0-9]+$/, "an RDS class like db.t4g.medium")),
    engineVersion: optional(o.engineVersion, "16", (v) => pattern("database.engineVersion", v, /^\d{2}(\.\d+)?$/, "a PostgreSQL major (16) or major.minor (16.4)")),
    allocatedStorageGb: optional(o.allocatedStorageGb, 20, (v) => integer("database.allocatedStorageGb", v, 20, 65536)),
    multiAz: optional(o.multiAz, false, (v) => bool("database.multiAz", v)),
    deletionProtection: optional(o.deletionProtection, true, (v) => bool("database.deletionProtection", v)),
    backupRetentionDays: optional(o.backupRetentionDays, 7, (v) => integer("database.backupRetentionDays", v, 1, 35)),
  };
}

// Nebari's own schema rules (nebari/schema.py): project_name and namespace patterns, e-mail shape.
export const nebariProjectNamePattern = /^[A-Za-z][A-Za-z0-9\-_]{1,14}[A-Za-z0-9]$/;
export const nebariNamespacePattern = /^[A-Za-z][A-Za-z\-_]*[A-Za-z]$/;
export const nebariEmailPattern = /^[^ @]+@[^ @]+\.[^ @]+$/;
export const domainPattern = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

function nebariConfig(value: unknown, stack: string): NebariConfig {
  const o = section("nebari", value, ["enabled", "projectName", "namespace", "domain", "authentication", "githubClientId", "acmeEmail", "daskWorkerProfiles"]);
  const enabled = optional(o.enabled, false, (v) => bool("nebari.enabled", v));
  const authentication = optional(o.authentication, "password", (v) => oneOf("nebari.authentication", v, ["password", "GitHub"] as const));
  const githubClientId = optional(o.githubClientId, undefined, (v) => pattern("nebari.githubClientId", v, /^[\w.-]{1,100}$/, "an OAuth client id"));
  if (authentication === "GitHub" && githubClientId === undefined) throw new ConfigError("nebari.githubClientId", "is required when nebari.authentication is GitHub");
  const domain = optional(o.domain, undefined, (v) => pattern("nebari.domain", v, domainPattern, "a lower-case DNS name"));
  if (enabled && domain === undefined) throw new ConfigError("nebari.domain", "is required when nebari.enabled is true");
  const profiles = optional(o.daskWorkerProfiles, [{ name: "Small Worker", cores: 1, memoryGb: 4 }, { name: "Medium Worker", cores: 2, memoryGb: 8 }], (v) => {
    if (!Array.isArray(v) || v.length === 0) throw new ConfigError("nebari.daskWorkerProfiles", "must be a non-empty list");
    return v.map((p: unknown, i) => {
      const at = `nebari.daskWorkerProfiles[${i}]`;
      const po = object(at, p, ["name", "cores", "memoryGb"]);
      return {
        name: pattern(`${at}.name`, po.name, /^[\w .-]{1,40}$/, "a short display name"),
        cores: positiveNumber(`${at}.cores`, po.cores, 64),
        memoryGb: positiveNumber(`${at}.memoryGb`, po.memoryGb, 512),
      };
    });
  });
  const names = profiles.map((p) => p.name);
  if (new Set(names).size !== names.length) throw new ConfigError("nebari.daskWorkerProfiles", "profile names must be unique");
  return {
    enabled,
    projectName: optional(o.projectName, `dmac-${stack}`, (v) => pattern("nebari.projectName", v, nebariProjectNamePattern, "Nebari's project_name pattern: a letter, then 2-16 letters, digits, - or _, ending in a letter or digit")),
    namespace: optional(o.namespace, "nebari", (v) => pattern("nebari.namespace", v, nebariNamespacePattern, "Nebari's namespace pattern: letters, - and _, starting and ending with a letter")),
    domain: domain ?? "",
    authentication,
    githubClientId,
    acmeEmail: optional(o.acmeEmail, undefined, (v) => pattern("nebari.acmeEmail", v, nebariEmailPattern, "an e-mail address")),
    daskWorkerProfiles: profiles,
  };
}

function regionalDomains(raw: unknown): readonly RegionalDomain[] {
  const value = decode(raw);
  if (!Array.isArray(value)) throw new ConfigError("regionalDomains", "must be a list of {association, domain}");
  const out = value.map((entry: unknown, i) => {
    const o = object(`regionalDomains[${i}]`, entry, ["association", "domain"]);
    return {
      association: pattern(`regionalDomains[${i}].association`, o.association, /^[a-z][a-z0-9-]{1,30}$/, "a short lower-case name like secoora"),
      domain: pattern(`regionalDomains[${i}].domain`, o.domain, domainPattern, "a lower-case DNS name"),
    };
  });
  const domains = out.map((d) => d.domain);
  if (new Set(domains).size !== domains.length) throw new ConfigError("regionalDomains", "domains must be unique");
  return out;
}

// ---- small validators; each names the key it checks ----

/** Pulumi passes structured config as JSON text; plain strings stay strings. */
function decode(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const t = value.trim();
  if (t.startsWith("{") || t.startsWith("[") || t === "true" || t === "false" || /^-?\d+(\.\d+)?$/.test(t)) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

function optional<T, D>(value: unknown, fallback: D, parse: (v: unknown) => T): T | D {
  return value === undefined || value === null ? fallback : parse(value);
}

function section<K extends string>(key: string, value: unknown, allowed: readonly K[]): Partial<Record<K, unknown>> {
  return value === undefined || value === null ? {} : object(key, value, allowed);
}

function object<K extends string>(key: string, raw: unknown, allowed: readonly K[]): Partial<Record<K, unknown>> {
  const value = decode(raw);
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ConfigError(key, "must be a mapping");
  for (const k of Object.keys(value)) {
    if (!(allowed as readonly string[]).includes(k)) throw new ConfigError(`${key}.${k}`, `unknown field (known: ${allowed.join(", ")})`);
  }
  return value as Partial<Record<K, unknown>>;
}

function stringList(key: string, raw: unknown): string[] {
  const value = decode(raw);
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) throw new ConfigError(key, "must be a list of strings");
  return value as string[];
}

function pattern(key: string, value: unknown, re: RegExp, what: string): string {
  if (typeof value !== "string" || !re.test(value)) throw new ConfigError(key, `${JSON.stringify(value)} is not ${what}`);
  return value;
}

function oneOf<const T extends string>(key: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) throw new ConfigError(key, `must be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`);
  return value as T;
}

function bool(key: string, value: unknown): boolean {
  const v = decode(value);
  if (typeof v !== "boolean") throw new ConfigError(key, `must be true or false, got ${JSON.stringify(value)}`);
  return v;
}

function integer(key: string, value: unknown, min: number, max: number): number {
  const v = decode(value);
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw new ConfigError(key, `must be an integer in [${min}, ${max}], got ${JSON.stringify(value)}`);
  return v;
}

function positiveNumber(key: string, value: unknown, max: number): number {
  const v = decode(value);
  if (typeof v !== "number" || !(v > 0) || v > max) throw new ConfigError(key, `must be a number in (0, ${max}], got ${JSON.stringify(value)}`);
  return v;
}

function cidr16(key: string, value: unknown): string {
  const s = pattern(key, value, /^(\d{1,3})\.(\d{1,3})\.0\.0\/16$/, "a /16 CIDR like 10.20.0.0/16");
  const [a, b] = s.split(/[./]/).map(Number);
  const privateRange = a === 10 || (a === 172 && b! >= 16 && b! <= 31) || (a === 192 && b === 168);
  if (!privateRange || b! > 255) throw new ConfigError(key, `${s} is not a private (RFC 1918) range`);
  return s;
}

function ipv4Cidr(key: string, value: string): string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) throw new ConfigError(key, `${JSON.stringify(value)} is not an IPv4 CIDR`);
  return value;
}

function snsTopicArn(key: string, value: unknown): string {
  return pattern(key, value, /^arn:aws(-us-gov)?:sns:[a-z]{2}(-gov)?-[a-z]+-\d:\d{12}:[\w-]{1,256}$/, "an SNS topic ARN");
}

/** Region of an ARN (`arn:partition:service:region:account:resource`). */
export function arnRegion(arn: string): string {
  const region = arn.split(":")[3];
  if (!region) throw new Error(`ARN ${arn} has no region`);
  return region;
}
