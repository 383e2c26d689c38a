import { describe, expect, it } from "vitest";
import { checkPolicy, type GraphResource } from "./policy.js";
import { bucketPolicy, irsaTrustPolicy, operatorPolicy } from "./policy-documents.js";

const bucket: GraphResource = { type: "aws:s3/bucket:Bucket", name: "lake", id: "lake-id", inputs: {} };
const block = (open: boolean): GraphResource => ({
  type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  name: "lake",
  id: "pab",
  inputs: { bucket: "lake-id", blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: !open, restrictPublicBuckets: !open },
});
const policyOn = (publicRead: boolean): GraphResource => ({
  type: "aws:s3/bucketPolicy:BucketPolicy",
  name: "lake",
  id: "bp",
  inputs: { bucket: "lake-id", policy: JSON.stringify(bucketPolicy("arn:aws:s3:::lake", publicRead)) },
});
const rolePolicy = (actions: unknown, effect = "Allow"): GraphResource => ({
  type: "aws:iam/rolePolicy:RolePolicy",
  name: "role",
  id: "rp",
  inputs: { policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: effect, Action: actions, Resource: "*" }] }) },
});
const strict = { publicBuckets: [], allowWildcardIamActions: false };

describe("checkPolicy", () => {
  it("passes a private, blocked bucket with least-privilege roles", () => {
    const graph = [bucket, block(false), policyOn(false), { ...rolePolicy("x"), inputs: { policy: JSON.stringify(operatorPolicy("arn:aws:s3:::lake", "arn:aws:secretsmanager:us-east-1:111122223333:secret:rds!db-catalog")) } }];
    expect(checkPolicy(graph, strict)).toEqual([]);
  });

  it("fails a bucket without a public access block", () => {
    expect(checkPolicy([bucket], strict)).toEqual([{ rule: "public-bucket", resource: "lake", message: "bucket has no public access block" }]);
  });

  it("fails a public bucket unless the stack opted in for that bucket", () => {
    const graph = [bucket, block(true), policyOn(true)];
    const violations = checkPolicy(graph, strict);
    expect(violations.map((v) => v.rule)).toEqual(["public-bucket", "public-bucket", "public-bucket"]);
    expect(violations[0]!.message).toContain("blockPublicPolicy");
    expect(checkPolicy(graph, { ...strict, publicBuckets: ["lake"] })).toEqual([]);
    expect(checkPolicy(graph, { ...strict, publicBuckets: ["other"] }).length).toBe(3);
  });

  it("fails public ACLs", () => {
    expect(checkPolicy([{ ...bucket, inputs: { acl: "public-read" } }, block(false)], strict).map((v) => v.message)).toEqual(["bucket ACL public-read"]);
  });

  it.each([["*"], ["s3:*"], [["sqs:ReceiveMessage", "sqs:Delete*"]]])("fails the wildcard action %j unless opted in", (actions) => {
    const violations = checkPolicy([rolePolicy(actions)], strict);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ rule: "wildcard-iam-action", resource: "role" });
    expect(checkPolicy([rolePolicy(actions)], { ...strict, allowWildcardIamActions: true })).toEqual([]);
  });

  it("fails NotAction allows, ignores wildcard denies", () => {
    const notAction: GraphResource = { ...rolePolicy("x"), inputs: { policy: JSON.stringify({ Statement: { Effect: "Allow", NotAction: "iam:*", Resource: "*" } }) } };
    expect(checkPolicy([notAction], strict).map((v) => v.rule)).toEqual(["wildcard-iam-action"]);
    expect(checkPolicy([rolePolicy("s3:*", "Deny")], strict)).toEqual([]);
  });

  it("checks trust policies and inline policies of roles too", () => {
    const role: GraphResource = {
      type: "aws:iam/role:Role",
      name: "r",
      id: "r",
      inputs: {
        assumeRolePolicy: JSON.stringify(irsaTrustPolicy("arn:aws:iam::1:oidc-provider/x", "x", "ns", "sa")),
        inlinePolicies: [{ name: "p", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "ec2:*", Resource: "*" }] }) }],
      },
    };
    expect(checkPolicy([role], strict).map((v) => v.message)).toEqual(["statement (no Sid) allows wildcard action ec2:*"]);
  });
});

describe("irsaTrustPolicy", () => {
  it("limits the role to one service account of one namespace", () => {
    const doc = irsaTrustPolicy("arn:aws:iam::111122223333:oidc-provider/oidc.example/id/X", "https://oidc.example/id/X", "dmac-system", "data-api");
    expect(doc.Statement).toHaveLength(1);
    expect(doc.Statement[0]!.Condition).toEqual({
      StringEquals: { "oidc.example/id/X:sub": "system:serviceaccount:dmac-system:data-api", "oidc.example/id/X:aud": "sts.amazonaws.com" },
    });
  });

  it("refuses names that would widen the match", () => {
    expect(() => irsaTrustPolicy("arn", "issuer", "*", "sa")).toThrow(/namespace/);
    expect(() => irsaTrustPolicy("arn", "issuer", "ns", "data-*")).toThrow(/serviceAccount/);
  });
});
