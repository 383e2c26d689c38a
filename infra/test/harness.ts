// Runs the real program of one stack under `pulumi.runtime.setMocks`, with the stack's real
// Pulumi.<stack>.yaml as config, and returns the resource graph and the outputs. The mocks stand in for
// AWS and the other cloud providers only (no Pulumi CLI, no credentials): each resource echoes its inputs
// and gets the few computed attributes a real provider would fill in (ARNs, URLs, endpoints).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import type { GraphResource } from "../policy.js";

export const infraDir = join(dirname(fileURLToPath(import.meta.url)), "..");
export const account = "111122223333";
export const oidcIssuer = "oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF";

/** The stack file's `config:` as Pulumi hands it to a program: structured values as JSON text. */
export function stackConfig(stack: string, overrides: Record<string, unknown> = {}): Record<string, string> {
  const doc = parse(readFileSync(join(infraDir, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
  const merged = { ...doc.config, ...overrides };
  return Object.fromEntries(
    Object.entries(merged)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}

function computed(type: string, name: string, inputs: Record<string, unknown>, region: string): Record<string, unknown> {
  switch (type) {
    case "eks:index:Cluster":
      return {
        oidcProviderArn: `arn:aws:iam::${account}:oidc-provider/${oidcIssuer}`,
        oidcIssuer,
        oidcProviderUrl: `https://${oidcIssuer}`,
        kubeconfigJson: JSON.stringify({ apiVersion: "v1", kind: "Config", "current-context": "aws", contexts: [{ name: "aws", context: { cluster: "kubernetes", user: "aws" } }] }),
      };
    case "aws:s3/bucket:Bucket":
      return { bucket: name, arn: `arn:aws:s3:::${name}` };
    case "aws:sqs/queue:Queue":
      return { arn: `arn:aws:sqs:${region}:${account}:${name}`, url: `https://sqs.${region}.amazonaws.com/${account}/${name}` };
    case "aws:iam/role:Role":
      return { name, arn: `arn:aws:iam::${account}:role/${name}` };
    case "aws:rds/instance:Instance":
      return {
        endpoint: `${name}.abcdefghijkl.${region}.rds.amazonaws.com:5432`,
        masterUserSecrets: [{ secretArn: `arn:aws:secretsmanager:${region}:${account}:secret:rds!db-${name}-AbCdEf`, kmsKeyId: "", secretStatus: "active" }],
      };
    case "aws:eks/nodeGroup:NodeGroup":
      return { arn: `arn:aws:eks:${region}:${account}:nodegroup/${String(inputs.clusterName)}/${String(inputs.nodeGroupName)}/0a1b2c` };
    case "aws:rds/subnetGroup:SubnetGroup":
      return { name };
    case "aws:acm/certificate:Certificate":
      return {
        arn: `arn:aws:acm:${region}:${account}:certificate/${name}`,
        domainValidationOptions: [{ domainName: inputs.domainName, resourceRecordName: `_x.${String(inputs.domainName)}.`, resourceRecordType: "CNAME", resourceRecordValue: "_y.acm-validations.aws." }],
      };
    default:
      return {};
  }
}

export interface StackRun {
  readonly graph: GraphResource[];
  readonly outputs: Record<string, unknown>;
}

const resolve = <T>(o: pulumi.Input<T>): Promise<T> => new Promise((r) => pulumi.output(o).apply((v) => r(v as T)));

async function resolveDeep(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) return resolveDeep(await resolve(value));
  if (Array.isArray(value)) return Promise.all(value.map(resolveDeep));
  if (value && typeof value === "object") {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolveDeep(v)] as const));
    return Object.fromEntries(entries);
  }
  return value;
}

/** Call once per test file (the Pulumi runtime is process-global; vitest isolates files). */
export async function runStack(stack: string, overrides: Record<string, unknown> = {}): Promise<StackRun> {
  const config = stackConfig(stack, overrides);
  const region = config["aws:region"] ?? "us-east-1";
  const graph: GraphResource[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const id = `${args.name}-id`;
        graph.push({ type: args.type, name: args.name, id, inputs: args.inputs as Record<string, unknown> });
        return { id, state: { ...args.inputs, ...computed(args.type, args.name, args.inputs as Record<string, unknown>, region) } };
      },
      call(args) {
        return args.inputs;
      },
    },
    "dmac",
    stack,
    false,
  );
  pulumi.runtime.setAllConfig(config);
  // The real entry point: its exports are the stack outputs Pulumi would record.
  const entry = (await import("../index.js")) as Record<string, unknown>;
  const outputs = (await resolveDeep({ ...entry })) as Record<string, unknown>;
  // Waits until every resource registration (including leaves no output depends on) has reached the mocks.
  await pulumi.runtime.disconnect();
  return { graph, outputs };
}

export function ofType(graph: readonly GraphResource[], type: string): GraphResource[] {
  return graph.filter((r) => r.type === type);
}

export function one(graph: readonly GraphResource[], type: string, name: string): GraphResource {
  const found = graph.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`no ${type} named ${name} in the graph (have: ${ofType(graph, type).map((r) => r.name).join(", ") || "none"})`);
  return found;
}

export function json(value: unknown): Record<string, unknown> {
  if (typeof value !== "string") throw new Error(`expected JSON text, got ${typeof value}`);
  return JSON.parse(value) as Record<string, unknown>;
}
