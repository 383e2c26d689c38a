// The upstream DaskJob CRD's shape for suites that play the dask-kubernetes operator (its full
// schema comes from Kubernetes' PodSpec; preserve-unknown here).
export const daskJobCrd = {
  apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: "daskjobs.kubernetes.dask.org" },
  spec: {
    group: "kubernetes.dask.org", scope: "Namespaced", names: { kind: "DaskJob", plural: "daskjobs", singular: "daskjob", shortNames: ["daskjob"] },
    versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true }, status: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } } } }],
  },
};
