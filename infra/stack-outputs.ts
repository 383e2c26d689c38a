// From `pulumi stack output --json` to the committed clusters/config/<env>.outputs.json: keep exactly
// the StackOutputs contract (nothing else, e.g. no kubeconfig), check every field, write atomically.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { StackOutputs } from "../clusters/config/stack-outputs.js";

/** Picks and checks the contract fields; errors name the missing or malformed field. */
export function toStackOutputs(raw: unknown, source: string): StackOutputs {
  const str = (path: string): string => {
    let v: unknown = raw;
    for (const part of path.split(".")) v = typeof v === "object" && v !== null ? (v as Record<string, unknown>)[part] : undefined;
    if (typeof v !== "string" || v.trim() === "") throw new Error(`${source}: output ${path} must be a non-empty string, got ${JSON.stringify(v)}`);
    return v;
  };
  const arn = (path: string, service: string): string => {
    const v = str(path);
    if (!v.startsWith("arn:aws") || v.split(":")[2] !== service) throw new Error(`${source}: output ${path} must be an ${service} ARN, got ${v}`);
    return v;
  };
  const url = (path: string): string => {
    const v = str(path);
    if (!/^https:\/\/sqs\.[a-z0-9-]+\.amazonaws\.com\/\d{12}\/[\w-]+$/.test(v)) throw new Error(`${source}: output ${path} must be an SQS queue URL, got ${v}`);
    return v;
  };
  const hostPort = (path: string): string => {
    const v = str(path);
    if (!/^[a-z0-9.-]+:\d{2,5}$/.test(v)) throw new Error(`${source}: output ${path} must be host:port, got ${v}`);
    return v;
  };
  return {
    region: str("region"),
    dataBucket: str("dataBucket"),
    queueUrls: { ofs: url("queueUrls.ofs"), rtofs: url("queueUrls.rtofs") },
    roleArns: {
      operator: arn("roleArns.operator", "iam"),
      eventBridge: arn("roleArns.eventBridge", "iam"),
      dataApi: arn("roleArns.dataApi", "iam"),
      catalogApi: arn("roleArns.catalogApi", "iam"),
    },
    catalogDatabase: { endpoint: hostPort("catalogDatabase.endpoint"), secretArn: arn("catalogDatabase.secretArn", "secretsmanager") },
  };
}

/** Writes the file through a temporary sibling and a rename, so a crash never leaves half a file. */
export function writeStackOutputsFile(path: string, outputs: StackOutputs): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(outputs, null, 2)}\n`, { mode: 0o644 });
  renameSync(tmp, path);
}
