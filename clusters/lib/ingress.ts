// HTTP routing from the ingress controller (Traefik, see clusters/third-party.ts) to a platform API.
import type { Construct } from "constructs";
import { k8s } from "cdk8s-plus-27";
import { componentLabels } from "./labels.js";

export const ingressClassName = "traefik";

export interface ApiIngressProps {
  readonly name: string;
  readonly namespace: string;
  readonly component: string;
  readonly host: string;
  /** URL path prefix the API is served under, e.g. /stac. */
  readonly pathPrefix: string;
  readonly serviceName: string;
}

export function apiIngress(scope: Construct, id: string, props: ApiIngressProps): k8s.KubeIngress {
  return new k8s.KubeIngress(scope, id, {
    metadata: { name: props.name, namespace: props.namespace, labels: componentLabels(props.name, props.component) },
    spec: {
      ingressClassName,
      rules: [
        {
          host: props.host,
          http: {
            paths: [
              {
                path: props.pathPrefix,
                pathType: "Prefix",
                backend: { service: { name: props.serviceName, port: { name: "http" } } },
              },
            ],
          },
        },
      ],
    },
  });
}
