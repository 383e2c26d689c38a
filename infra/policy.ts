// The policy check: a pure function over the resource graph (type, name, id and resolved inputs of every
// resource). It fails on a bucket that is or can be made public, and on an IAM Allow with a wildcard
// action, unless the stack opted in. CI runs it over the graph of every stack (infra/test/).

export interface GraphResource {
  readonly type: string;
  readonly name: string;
  readonly id: string;
  readonly inputs: Readonly<Record<string, unknown>>;
}

export interface PolicyOptions {
  /** Names of bucket resources the stack opted into public read (dmac:dataLake.publicRead). */
  readonly publicBuckets: readonly string[];
  /** dmac:allowWildcardIamActions */
  readonly allowWildcardIamActions: boolean;
}

export interface Violation {
  readonly rule: "public-bucket" | "wildcard-iam-action";
  readonly resource: string;
  readonly message: string;
}

const bucketTypes = new Set(["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"]);
const publicAccessBlockType = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const publicAcls = new Set(["public-read", "public-read-write", "authenticated-read"]);
const policyFields = ["policy", "assumeRolePolicy"] as const;

export function checkPolicy(graph: readonly GraphResource[], opts: PolicyOptions): Violation[] {
  return [...publicBucketViolations(graph, opts), ...wildcardActionViolations(graph, opts)];
}

function publicBucketViolations(graph: readonly GraphResource[], opts: PolicyOptions): Violation[] {
  const out: Violation[] = [];
  const bucketById = new Map<string, GraphResource>();
  for (const r of graph) if (bucketTypes.has(r.type)) bucketById.set(r.id, r);
  const bucketOf = (r: GraphResource): GraphResource | undefined => bucketById.get(String(r.inputs.bucket));
  const allowed = (bucket: GraphResource | undefined) => bucket !== undefined && opts.publicBuckets.includes(bucket.name);

  const blocks = new Map<string, GraphResource>();
  for (const r of graph) {
    if (r.type !== publicAccessBlockType) continue;
    const bucket = bucketOf(r);
    if (bucket) blocks.set(bucket.name, r);
  }
  for (const bucket of bucketById.values()) {
    if (opts.publicBuckets.includes(bucket.name)) continue;
    const block = blocks.get(bucket.name);
    const flags = ["blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets"];
    if (!block) out.push({ rule: "public-bucket", resource: bucket.name, message: "bucket has no public access block" });
    else {
      const open = flags.filter((f) => block.inputs[f] !== true);
      if (open.length > 0) out.push({ rule: "public-bucket", resource: bucket.name, message: `public access block leaves ${open.join(", ")} off` });
    }
    if (typeof bucket.inputs.acl === "string" && publicAcls.has(bucket.inputs.acl)) out.push({ rule: "public-bucket", resource: bucket.name, message: `bucket ACL ${bucket.inputs.acl}` });
  }
  for (const r of graph) {
    if (r.type === "aws:s3/bucketPolicy:BucketPolicy" && !allowed(bucketOf(r))) {
      for (const s of statements(r.inputs.policy)) {
        if (s.Effect === "Allow" && isEveryone(s.Principal)) out.push({ rule: "public-bucket", resource: r.name, message: `bucket policy statement ${s.Sid ?? "(no Sid)"} allows everyone` });
      }
    }
    if ((r.type === "aws:s3/bucketAcl:BucketAcl" || r.type === "aws:s3/bucketAclV2:BucketAclV2") && typeof r.inputs.acl === "string" && publicAcls.has(r.inputs.acl) && !allowed(bucketOf(r))) {
      out.push({ rule: "public-bucket", resource: r.name, message: `bucket ACL ${r.inputs.acl}` });
    }
  }
  return out;
}

function wildcardActionViolations(graph: readonly GraphResource[], opts: PolicyOptions): Violation[] {
  if (opts.allowWildcardIamActions) return [];
  const out: Violation[] = [];
  for (const r of graph) {
    if (!r.type.startsWith("aws:")) continue;
    const docs: unknown[] = policyFields.map((f) => r.inputs[f]);
    const inline = r.inputs.inlinePolicies;
    if (Array.isArray(inline)) for (const p of inline) docs.push((p as { policy?: unknown } | null)?.policy);
    for (const doc of docs) {
      for (const s of statements(doc)) {
        if (s.Effect !== "Allow") continue;
        if (s.NotAction !== undefined) out.push({ rule: "wildcard-iam-action", resource: r.name, message: `statement ${s.Sid ?? "(no Sid)"} allows NotAction (everything else)` });
        for (const action of list(s.Action)) {
          if (action.includes("*")) out.push({ rule: "wildcard-iam-action", resource: r.name, message: `statement ${s.Sid ?? "(no Sid)"} allows wildcard action ${action}` });
        }
      }
    }
  }
  return out;
}

/** Wildcard actions (and NotAction) allowed by a policy document; empty when it has none. */
export function wildcardAllows(doc: unknown): string[] {
  const found: string[] = [];
  for (const s of statements(doc)) {
    if (s.Effect !== "Allow") continue;
    if (s.NotAction !== undefined) found.push(`NotAction in ${s.Sid ?? "(no Sid)"}`);
    for (const action of list(s.Action)) if (action.includes("*")) found.push(action);
  }
  return found;
}

interface Statement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Principal?: unknown;
}

/** Statements of a policy given as JSON text or an object; anything unparsable yields none. */
function statements(doc: unknown): Statement[] {
  let parsed = doc;
  if (typeof doc === "string") {
    try {
      parsed = JSON.parse(doc) as unknown;
    } catch {
      return [];
    }
  }
  if (typeof parsed !== "object" || parsed === null) return [];
  const s = (parsed as { Statement?: unknown }).Statement;
  if (Array.isArray(s)) return s.filter((x): x is Statement => typeof x === "object" && x !== null);
  return typeof s === "object" && s !== null ? [s as Statement] : [];
}

function list(v: unknown): string[] {
  if (typeof v === "string") return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

function isEveryone(principal: unknown): boolean {
  if (principal === "*") return true;
  if (typeof principal === "object" && principal !== null) {
    const aws = (principal as { AWS?: unknown }).AWS;
    return list(aws).includes("*");
  }
  return false;
}

export function formatViolations(violations: readonly Violation[]): string {
  return violations.map((v) => `${v.rule}: ${v.resource}: ${v.message}`).join("\n");
}
