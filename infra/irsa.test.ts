// createIrsaRole under Pulumi mocks (the mocks stand in for AWS: each resource echoes its inputs).
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { PolicyDocument } from "./policy-documents.js";

const created: { type: string; name: string; inputs: Record<string, unknown> }[] = [];
let createIrsaRole: typeof import("./irsa.js").createIrsaRole;
let guardedPolicyJson: typeof import("./irsa.js").guardedPolicyJson;

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (a) => {
        created.push({ type: a.type, name: a.name, inputs: a.inputs as Record<string, unknown> });
        return { id: `${a.name}-id`, state: { ...a.inputs, name: a.name, arn: `arn:aws:iam::111122223333:role/${a.name}` } };
      },
      call: (a) => a.inputs,
    },
    "dmac",
    "unit",
    false,
  );
  ({ createIrsaRole, guardedPolicyJson } = await import("./irsa.js"));
});

const oidc = { arn: "arn:aws:iam::111122223333:oidc-provider/oidc.example/id/X", issuer: "oidc.example/id/X" };
const wildcard: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] };
const settle = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply((v) => resolve(v)));

describe("createIrsaRole", () => {
  it("refuses a wildcard action at deploy time unless the stack opted in", () => {
    expect(() => guardedPolicyJson("strict", wildcard, false)).toThrow("IAM policy of strict: wildcard actions s3:* need dmac:allowWildcardIamActions: true");
    expect(JSON.parse(guardedPolicyJson("opted-in", wildcard, true))).toEqual(wildcard);
  });

  it("creates the role, its trust policy for one service account and its inline policy", async () => {
    createIrsaRole("opted-in", { oidc, namespace: "ns", serviceAccount: "sa", policy: wildcard, allowWildcardActions: true });
    const role = createIrsaRole("fine", { oidc, namespace: "ns", serviceAccount: "sa", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }] } });
    await settle(role.arn);
    await pulumi.runtime.disconnect();
    const policies = created.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy").map((r) => r.name).sort();
    expect(policies).toEqual(["fine", "opted-in"]);
    const trust = JSON.parse(String(created.find((r) => r.name === "fine" && r.type === "aws:iam/role:Role")!.inputs.assumeRolePolicy)) as PolicyDocument;
    expect(trust.Statement[0]!.Condition).toEqual({ StringEquals: { "oidc.example/id/X:sub": "system:serviceaccount:ns:sa", "oidc.example/id/X:aud": "sts.amazonaws.com" } });
  });
});
