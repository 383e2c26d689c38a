// Regional associations' domains: one DNS-validated ACM certificate per domain. The association owns
// its DNS, so the validation records are exported for them to create; ingresses then use the ARNs.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config.js";

export interface DomainCertificate {
  readonly association: string;
  readonly domain: string;
  readonly certificateArn: pulumi.Output<string>;
  readonly validationRecords: pulumi.Output<{ name: string; type: string; value: string }[]>;
}

export function createDomainCertificates(name: string, cfg: StackConfig): DomainCertificate[] {
  return cfg.regionalDomains.map((d) => {
    const cert = new aws.acm.Certificate(`${name}-${d.association}`, {
      domainName: d.domain,
      subjectAlternativeNames: [`*.${d.domain}`],
      validationMethod: "DNS",
      tags: { "dmac.ioos.us/stack": cfg.stack, "dmac.ioos.us/association": d.association },
    });
    return {
      association: d.association,
      domain: d.domain,
      certificateArn: cert.arn,
      validationRecords: cert.domainValidationOptions.apply((opts) =>
        (opts ?? []).map((o) => ({ name: o.resourceRecordName, type: o.resourceRecordType, value: o.resourceRecordValue })),
      ),
    };
  });
}
