// The CRD chart: our CustomResourceDefinitions (generated from crds/api) as one ArgoCD component.
import { ApiObject, Chart, type ApiObjectProps } from "cdk8s";
import type { Construct } from "constructs";
import { customResourceDefinitions } from "./index.js";

export class CrdChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { disableResourceNameHashes: true });
    for (const crd of customResourceDefinitions) {
      const props = crd as unknown as ApiObjectProps;
      new ApiObject(this, props.metadata?.name ?? "crd", props);
    }
  }
}
