// Plain JSON objects (as rendered, or as read from YAML) to @kubernetes/client-node's model classes.
// KubernetesObjectApi serialises known kinds through its models, which map `xKubernetesValidations`
// to `x-kubernetes-validations`: a plain object's `x-kubernetes-*` keys are not model fields and
// would be dropped silently. Deserialising first (loadYaml does) keeps every field.
import { loadYaml, type KubernetesObject } from "@kubernetes/client-node";

export function toClientModel<T extends KubernetesObject = KubernetesObject>(object: unknown): T {
  // JSON is YAML: loadYaml parses it and deserialises into the kind's model.
  return loadYaml<T>(JSON.stringify(object));
}
