// IAM roles for service accounts: one role per workload, trusted only by one namespace/service account,
// with one inline least-privilege policy.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { irsaTrustPolicy, type PolicyDocument } from "./policy-documents.js";
import { wildcardAllows } from "./policy.js";

export interface OidcProvider {
  readonly arn: pulumi.Input<string>;
  /** Issuer URL without `https://`. */
  readonly issuer: pulumi.Input<string>;
}

export interface IrsaRoleArgs {
  readonly oidc: OidcProvider;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Inline policy, built from resolved ARNs. */
  readonly policy?: pulumi.Input<PolicyDocument>;
  /** dmac:allowWildcardIamActions; without it an inline policy with a wildcard action is refused at deploy time. */
  readonly allowWildcardActions?: boolean;
  /** AWS-managed policies to attach instead of (or besides) the inline one, e.g. the EBS CSI driver's. */
  readonly managedPolicyArns?: readonly string[];
}

/** The policy as JSON, or an error naming the role when it allows wildcard actions without the opt-in. */
export function guardedPolicyJson(role: string, doc: PolicyDocument, allowWildcardActions: boolean): string {
  const wildcards = wildcardAllows(doc);
  if (wildcards.length > 0 && !allowWildcardActions) {
    throw new Error(`IAM policy of ${role}: wildcard actions ${wildcards.join(", ")} need dmac:allowWildcardIamActions: true`);
  }
  return JSON.stringify(doc);
}

export function createIrsaRole(name: string, args: IrsaRoleArgs): aws.iam.Role {
  const role = new aws.iam.Role(name, {
    description: `IRSA role for ${args.namespace}/${args.serviceAccount}`,
    assumeRolePolicy: pulumi
      .all([args.oidc.arn, args.oidc.issuer])
      .apply(([arn, issuer]) => JSON.stringify(irsaTrustPolicy(arn, issuer, args.namespace, args.serviceAccount))),
    tags: { "dmac.ioos.us/service-account": `${args.namespace}/${args.serviceAccount}` },
  });
  if (args.policy) {
    // Checked where the document becomes concrete, so `pulumi up` never creates it even if CI was skipped.
    const policy = pulumi.output(args.policy).apply((p) => guardedPolicyJson(name, p, args.allowWildcardActions ?? false));
    new aws.iam.RolePolicy(name, { role: role.name, policy });
  }
  for (const [i, policyArn] of (args.managedPolicyArns ?? []).entries()) {
    new aws.iam.RolePolicyAttachment(`${name}-${i}`, { role: role.name, policyArn });
  }
  return role;
}
