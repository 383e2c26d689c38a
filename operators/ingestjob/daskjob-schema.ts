// The part of the DaskJob schema (kubernetes.dask.org/v1, dask-kubernetes operator) that our
// DaskJobs rely on, as a structural schema: the upstream CRD is generated from Kubernetes' PodSpec
// and ServiceSpec definitions (about 470 KB), which cannot be vendored here. Required fields and
// enums follow upstream's templates.yaml: job.spec (a PodSpec), cluster.spec.scheduler {spec, service},
// cluster.spec.worker {replicas, spec}; a PodSpec needs containers, each with a name.
import type { SchemaNode } from "../../crds/validation/index.js";

const container: SchemaNode = {
  type: "object",
  required: ["name"],
  "x-kubernetes-preserve-unknown-fields": true,
  properties: {
    name: { type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", maxLength: 63 },
    image: { type: "string", minLength: 1 },
    args: { type: "array", items: { type: "string" } },
    ports: {
      type: "array",
      items: { type: "object", required: ["containerPort"], properties: { name: { type: "string", maxLength: 15 }, containerPort: { type: "integer", minimum: 1, maximum: 65535 }, protocol: { type: "string", enum: ["TCP", "UDP", "SCTP"] } } },
    },
  },
};

const podSpec: SchemaNode = {
  type: "object",
  required: ["containers"],
  "x-kubernetes-preserve-unknown-fields": true,
  properties: {
    restartPolicy: { type: "string", enum: ["Always", "OnFailure", "Never"] },
    containers: { type: "array", minItems: 1, items: container },
  },
};

export const daskJobSchema: SchemaNode = {
  type: "object",
  required: ["apiVersion", "kind", "metadata", "spec"],
  properties: {
    apiVersion: { type: "string", enum: ["kubernetes.dask.org/v1"] },
    kind: { type: "string", enum: ["DaskJob"] },
    metadata: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
    spec: {
      type: "object",
      required: ["job", "cluster"],
      properties: {
        job: { type: "object", required: ["spec"], properties: { spec: podSpec } },
        cluster: {
          type: "object",
          required: ["spec"],
          properties: {
            spec: {
              type: "object",
              required: ["scheduler", "worker"],
              properties: {
                idleTimeout: { type: "integer", minimum: 0 },
                scheduler: { type: "object", required: ["spec", "service"], properties: { spec: podSpec, service: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } },
                worker: { type: "object", required: ["spec"], properties: { replicas: { type: "integer", minimum: 0 }, spec: podSpec } },
              },
            },
          },
        },
      },
    },
    status: { type: "object", properties: { jobStatus: { type: "string", enum: ["JobCreated", "ClusterCreated", "Running", "Successful", "Failed"] } }, "x-kubernetes-preserve-unknown-fields": true },
  },
};
