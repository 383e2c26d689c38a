// The kinds served without a CRD. The platform's own kinds (Namespace, ConfigMap, Secret,
// Event, Lease, CRD) get real schemas; workload and policy kinds found in clusters/ are stored
// as given (x-kubernetes-preserve-unknown-fields) so a whole environment can be applied: nothing
// in the embedded control plane runs Pods, Services or ArgoCD Applications.
import type { ResourceType } from "./resource-type.js";
import type { JSONSchemaProps } from "./types.js";

const str = (description: string): JSONSchemaProps => ({ type: "string", description });
const int = (description: string): JSONSchemaProps => ({ type: "integer", description });
const stringMap = (description: string): JSONSchemaProps => ({ type: "object", description, additionalProperties: { type: "string" } });
const free = (description: string): JSONSchemaProps => ({ type: "object", description, "x-kubernetes-preserve-unknown-fields": true });

interface Spec {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  shortNames?: string[];
  schema: JSONSchemaProps;
  status?: boolean;
  generation?: boolean;
  storedOnly?: boolean;
  standIn?: boolean;
  virtual?: boolean;
}

function type(spec: Spec): ResourceType {
  return {
    group: spec.group,
    kind: spec.kind,
    listKind: `${spec.kind}List`,
    plural: spec.plural,
    singular: spec.kind.toLowerCase(),
    namespaced: spec.namespaced,
    shortNames: spec.shortNames ?? [],
    categories: [],
    versions: [{ name: spec.version, served: true, storage: true, schema: spec.schema, statusSubresource: spec.status ?? false, printerColumns: [] }],
    custom: spec.standIn ?? false,
    hasGeneration: spec.generation ?? false,
    storedOnly: spec.storedOnly ?? false,
    ...(spec.standIn ? { standIn: true } : {}),
    ...(spec.virtual ? { virtual: true } : {}),
  };
}

const objectSchema = (description: string, properties: Record<string, JSONSchemaProps>): JSONSchemaProps => ({ type: "object", description, properties });

/** A kind stored verbatim: spec and status kept as sent. */
const storedSchema = (kind: string): JSONSchemaProps => ({
  type: "object",
  description: `${kind} is stored by the embedded control plane so environments can be applied; nothing runs it here.`,
  "x-kubernetes-preserve-unknown-fields": true,
});

const eventCore = objectSchema("Event is a report of an event somewhere in the cluster.", {
  involvedObject: free("The object that this event is about."),
  reason: str("Short, machine understandable string that gives the reason for the transition."),
  message: str("A human-readable description of the status of this operation."),
  type: str("Type of this event (Normal, Warning)."),
  count: int("The number of times this event has occurred."),
  firstTimestamp: { type: "string", format: "date-time", description: "The time at which the event was first recorded.", nullable: true },
  lastTimestamp: { type: "string", format: "date-time", description: "The time at which the most recent occurrence was recorded.", nullable: true },
  eventTime: { type: "string", format: "date-time", description: "Time when this Event was first observed.", nullable: true },
  source: free("The component reporting this event."),
  reportingComponent: str("Name of the controller that emitted this Event."),
  reportingInstance: str("ID of the controller instance."),
  action: str("What action was taken/failed regarding to the Regarding object."),
  related: free("Optional secondary object for more complex actions."),
  series: free("Data about the Event series this event represents."),
});

const eventsV1 = objectSchema("Event is a report of an event somewhere in the cluster (events.k8s.io/v1).", {
  eventTime: { type: "string", format: "date-time", description: "Time when this Event was first observed.", nullable: true },
  regarding: free("The object this Event is about."),
  related: free("Optional secondary object for more complex actions."),
  reason: str("Why the action was taken."),
  note: str("A human-readable description of the status of this operation."),
  type: str("Type of this event (Normal, Warning)."),
  action: str("What action was taken/failed regarding to the regarding object."),
  reportingController: str("The name of the controller that emitted this Event."),
  reportingInstance: str("The ID of the controller instance."),
  series: free("Data about the Event series this event represents."),
  deprecatedCount: int("Deprecated field assuring backward compatibility with core.v1 Event type."),
  deprecatedSource: free("Deprecated field assuring backward compatibility with core.v1 Event type."),
  deprecatedFirstTimestamp: { type: "string", format: "date-time", nullable: true },
  deprecatedLastTimestamp: { type: "string", format: "date-time", nullable: true },
});

const strings = (description: string): JSONSchemaProps => ({ type: "array", description, items: { type: "string" } });

const policyRule = objectSchema("PolicyRule holds information that describes a policy rule.", {
  verbs: strings("Verbs is a list of verbs that apply to ALL the resources and URLs contained in this rule; '*' represents all verbs."),
  apiGroups: strings("APIGroups is the name of the APIGroup that contains the resources; '' is the core group, '*' all groups."),
  resources: strings("Resources is a list of resources this rule applies to; '*' represents all resources, 'res/sub' a subresource."),
  resourceNames: strings("ResourceNames is an optional allow list of names that the rule applies to."),
  nonResourceURLs: strings("NonResourceURLs is a set of partial urls that a user should have access to ('*' allowed as the final segment)."),
});
policyRule.required = ["verbs"];

const roleRef = objectSchema("RoleRef contains information that points to the role being used.", {
  apiGroup: { type: "string", description: "APIGroup is the group for the resource being referenced.", enum: ["rbac.authorization.k8s.io"] },
  kind: { type: "string", description: "Kind is the type of resource being referenced.", enum: ["Role", "ClusterRole"] },
  name: str("Name is the name of resource being referenced."),
});
roleRef.required = ["apiGroup", "kind", "name"];

const subject = objectSchema("Subject contains a reference to the object or user identities a role binding applies to.", {
  kind: { type: "string", description: "Kind of object being referenced.", enum: ["User", "Group", "ServiceAccount"] },
  apiGroup: str("APIGroup holds the API group of the referenced subject: '' for ServiceAccount, rbac.authorization.k8s.io for User and Group."),
  name: str("Name of the object being referenced."),
  namespace: str("Namespace of the referenced object (ServiceAccount)."),
});
subject.required = ["kind", "name"];

const rulesSchema = (description: string): JSONSchemaProps => objectSchema(description, {
  rules: { type: "array", description: "Rules holds all the PolicyRules for this role.", items: policyRule },
  aggregationRule: free("AggregationRule (not evaluated by the embedded control plane: rules are what is stored)."),
});
const bindingSchema = (description: string): JSONSchemaProps => {
  const schema = objectSchema(description, {
    roleRef,
    subjects: { type: "array", description: "Subjects holds references to the objects the role applies to.", items: subject },
  });
  schema.required = ["roleRef"];
  return schema;
};

const rbacKinds: Spec[] = [
  { group: "rbac.authorization.k8s.io", version: "v1", kind: "Role", plural: "roles", namespaced: true, schema: rulesSchema("Role is a namespaced, logical grouping of PolicyRules.") },
  { group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRole", plural: "clusterroles", namespaced: false, schema: rulesSchema("ClusterRole is a cluster level, logical grouping of PolicyRules.") },
  { group: "rbac.authorization.k8s.io", version: "v1", kind: "RoleBinding", plural: "rolebindings", namespaced: true, schema: bindingSchema("RoleBinding references a role, but does not contain it.") },
  { group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRoleBinding", plural: "clusterrolebindings", namespaced: false, schema: bindingSchema("ClusterRoleBinding references a ClusterRole, but not contain it.") },
];

/** Create-only kinds that are answered, never stored (access reviews, whoami, token review). */
const reviewKinds: Spec[] = [
  ["authorization.k8s.io", "SelfSubjectAccessReview", "selfsubjectaccessreviews", "SelfSubjectAccessReview checks whether the current user can perform an action."],
  ["authorization.k8s.io", "SelfSubjectRulesReview", "selfsubjectrulesreviews", "SelfSubjectRulesReview enumerates the set of actions the current user can perform within a namespace."],
  ["authorization.k8s.io", "SubjectAccessReview", "subjectaccessreviews", "SubjectAccessReview checks whether or not a user or group can perform an action."],
  ["authentication.k8s.io", "SelfSubjectReview", "selfsubjectreviews", "SelfSubjectReview contains the user information that the kube-apiserver has about the user making this request."],
  ["authentication.k8s.io", "TokenReview", "tokenreviews", "TokenReview attempts to authenticate a token to a known user."],
].map(([group, kind, plural, description]) => ({ group: group!, version: "v1", kind: kind!, plural: plural!, namespaced: false, virtual: true, schema: free(description!) }));

export function builtinTypes(): ResourceType[] {
  const platform: Spec[] = [
    {
      group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false, shortNames: ["ns"], status: true,
      schema: objectSchema("Namespace provides a scope for Names.", {
        spec: objectSchema("Spec defines the behavior of the Namespace.", { finalizers: { type: "array", items: { type: "string" }, description: "Finalizers is an opaque list of values that must be empty to permanently remove object from storage." } }),
        status: objectSchema("Status describes the current status of a Namespace.", { phase: { type: "string", description: "Phase is the current lifecycle phase of the namespace.", enum: ["Active", "Terminating"] }, conditions: { type: "array", items: free("Namespace condition") } }),
      }),
    },
    {
      group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true, shortNames: ["cm"],
      schema: objectSchema("ConfigMap holds configuration data for pods to consume.", {
        data: stringMap("Data contains the configuration data."),
        binaryData: { type: "object", description: "BinaryData contains the binary data (base64).", additionalProperties: { type: "string", format: "byte" } },
        immutable: { type: "boolean", description: "Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated." },
      }),
    },
    {
      group: "", version: "v1", kind: "Secret", plural: "secrets", namespaced: true,
      schema: objectSchema("Secret holds secret data of a certain type.", {
        data: { type: "object", description: "Data contains the secret data (base64).", additionalProperties: { type: "string", format: "byte" } },
        stringData: stringMap("stringData allows specifying non-binary secret data in string form; it is merged into data on write."),
        type: str("Used to facilitate programmatic handling of secret data."),
        immutable: { type: "boolean", description: "Immutable, if set to true, ensures that data stored in the Secret cannot be updated." },
      }),
    },
    { group: "", version: "v1", kind: "Event", plural: "events", namespaced: true, shortNames: ["ev"], schema: eventCore },
    { group: "events.k8s.io", version: "v1", kind: "Event", plural: "events", namespaced: true, shortNames: ["ev"], schema: eventsV1 },
    {
      group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases", namespaced: true,
      schema: objectSchema("Lease defines a lease concept.", {
        spec: objectSchema("spec contains the specification of the Lease.", {
          holderIdentity: str("holderIdentity contains the identity of the holder of a current lease."),
          leaseDurationSeconds: int("leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it."),
          acquireTime: { type: "string", format: "date-time", description: "acquireTime is a time when the current lease was acquired." },
          renewTime: { type: "string", format: "date-time", description: "renewTime is a time when the current holder of a lease has last updated the lease." },
          leaseTransitions: int("leaseTransitions is the number of transitions of a lease between holders."),
          strategy: str("Strategy indicates the strategy for picking the leader for coordinated leader election."),
          preferredHolder: str("PreferredHolder signals to a lease holder that the lease has a more optimal holder."),
        }),
      }),
    },
    {
      group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition", plural: "customresourcedefinitions", namespaced: false, shortNames: ["crd", "crds"], status: true, generation: true,
      schema: objectSchema("CustomResourceDefinition represents a resource that should be exposed on the API server.", {
        spec: free("spec describes how the user wants the resources to appear"),
        status: free("status indicates the actual state of the CustomResourceDefinition"),
      }),
    },
    ...rbacKinds,
  ];
  const stored: Array<[string, string, string, string, boolean, string[]?]> = [
    ["", "v1", "Service", "services", true, ["svc"]],
    ["", "v1", "ServiceAccount", "serviceaccounts", true, ["sa"]],
    ["", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, ["pvc"]],
    ["", "v1", "Pod", "pods", true, ["po"]],
    ["", "v1", "ResourceQuota", "resourcequotas", true, ["quota"]],
    ["", "v1", "LimitRange", "limitranges", true, ["limits"]],
    ["apps", "v1", "Deployment", "deployments", true, ["deploy"]],
    ["apps", "v1", "StatefulSet", "statefulsets", true, ["sts"]],
    ["apps", "v1", "DaemonSet", "daemonsets", true, ["ds"]],
    ["apps", "v1", "ReplicaSet", "replicasets", true, ["rs"]],
    ["batch", "v1", "Job", "jobs", true],
    ["batch", "v1", "CronJob", "cronjobs", true, ["cj"]],
    ["networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true, ["netpol"]],
    ["networking.k8s.io", "v1", "Ingress", "ingresses", true, ["ing"]],
    ["policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true, ["pdb"]],
    ["autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, ["hpa"]],
    ["scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", false, ["pc"]],
  ];
  const standIns: Array<[string, string, string, string, boolean, string[]?]> = [
    ["argoproj.io", "v1alpha1", "Application", "applications", true, ["app", "apps"]],
    ["argoproj.io", "v1alpha1", "AppProject", "appprojects", true, ["appproj"]],
    ["argoproj.io", "v1alpha1", "ApplicationSet", "applicationsets", true, ["appset"]],
    ["kubernetes.dask.org", "v1", "DaskJob", "daskjobs", true],
    ["kubernetes.dask.org", "v1", "DaskCluster", "daskclusters", true],
    ["kubernetes.dask.org", "v1", "DaskWorkerGroup", "daskworkergroups", true],
  ];
  const storedSpec = ([group, version, kind, plural, namespaced, shortNames]: (typeof stored)[number], standIn: boolean): Spec => ({
    group, version, kind, plural, namespaced, shortNames: shortNames ?? [], schema: storedSchema(kind), storedOnly: true, generation: true, standIn,
  });
  // kube's "all" category (`kubectl get all`).
  const all = new Set(["pods", "services", "deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs", "horizontalpodautoscalers"]);
  const withCategories = (t: ResourceType): ResourceType => (t.group !== "argoproj.io" && all.has(t.plural) ? { ...t, categories: ["all"] } : t);
  return [...platform.map(type), ...reviewKinds.map(type), ...stored.map((s) => withCategories(type(storedSpec(s, false)))), ...standIns.map((s) => type(storedSpec(s, true)))];
}
