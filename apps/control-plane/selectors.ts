// Label selectors (equality- and set-based, as in `kubectl get -l`) and the field selectors the
// server supports for every kind: metadata.name and metadata.namespace.
import { ownValue } from "../shared/own.js";
import { errors } from "./errors.js";
import type { KObject } from "./types.js";

export type Requirement =
  | { key: string; op: "=" | "!="; value: string }
  | { key: string; op: "in" | "notin"; values: string[] }
  | { key: string; op: "exists" | "!" };

export type Selector = (object: KObject) => boolean;

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Splits on commas outside parentheses: "a in (x,y),b" -> ["a in (x,y)", "b"]. */
function terms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === "(") depth += 1;
    else if (c === ")") depth -= 1;
    else if (c === "," && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((t) => t.trim()).filter((t) => t.length > 0);
}

export function parseLabelSelector(text: string): Requirement[] {
  const bad = (why: string) => errors.badRequest(`unable to parse requirement: ${why}`);
  return terms(text).map((term): Requirement => {
    let m = /^!\s*(\S+)$/.exec(term);
    if (m) return check({ key: m[1]!, op: "!" });
    m = /^(\S+?)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) return check({ key: m[1]!, op: m[2] as "in" | "notin", values: m[3]!.split(",").map((v) => v.trim()).filter((v) => v !== "") });
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (m) return check({ key: m[1]!, op: m[2] === "!=" ? "!=" : "=", value: m[3]! });
    if (/^[^=!\s()]+$/.test(term)) return check({ key: term, op: "exists" });
    throw bad(`invalid label selector term "${term}"`);
  });
  function check(req: Requirement): Requirement {
    if (!LABEL_KEY.test(req.key)) throw bad(`key: Invalid value: "${req.key}": name part must consist of alphanumeric characters, '-', '_' or '.'`);
    const values = "value" in req ? [req.value] : "values" in req ? req.values : [];
    for (const v of values) if (v.length > 63 || !LABEL_VALUE.test(v)) throw bad(`values[0][${req.key}]: Invalid value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'`);
    return req;
  }
}

export function matchesLabels(requirements: Requirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return requirements.every((req) => {
    const has = Object.prototype.hasOwnProperty.call(l, req.key);
    switch (req.op) {
      case "=":
        return has && l[req.key] === req.value;
      case "!=":
        return !has || l[req.key] !== req.value;
      case "in":
        return has && req.values.includes(l[req.key]!);
      case "notin":
        return !has || !req.values.includes(l[req.key]!);
      case "exists":
        return has;
      case "!":
        return !has;
    }
  });
}

const FIELD_GETTERS: Record<string, (o: KObject) => string> = {
  "metadata.name": (o) => o.metadata.name ?? "",
  "metadata.namespace": (o) => o.metadata.namespace ?? "",
};

const pick = (o: KObject, ...path: string[]): string => {
  let v: unknown = o;
  for (const p of path) v = typeof v === "object" && v !== null ? (v as Record<string, unknown>)[p] : undefined;
  return v === undefined || v === null ? "" : String(v);
};

/** The extra field selectors kube-apiserver supports for core/v1 Events (`kubectl describe` uses them). */
const EVENT_FIELDS: Record<string, (o: KObject) => string> = {
  "involvedObject.kind": (o) => pick(o, "involvedObject", "kind"),
  "involvedObject.namespace": (o) => pick(o, "involvedObject", "namespace"),
  "involvedObject.name": (o) => pick(o, "involvedObject", "name"),
  "involvedObject.uid": (o) => pick(o, "involvedObject", "uid"),
  "involvedObject.apiVersion": (o) => pick(o, "involvedObject", "apiVersion"),
  "involvedObject.resourceVersion": (o) => pick(o, "involvedObject", "resourceVersion"),
  "involvedObject.fieldPath": (o) => pick(o, "involvedObject", "fieldPath"),
  reason: (o) => pick(o, "reason"),
  reportingComponent: (o) => pick(o, "reportingComponent"),
  source: (o) => pick(o, "source", "component"),
  type: (o) => pick(o, "type"),
};

export function parseFieldSelector(text: string, kind: string, group = ""): Selector {
  const getters = kind === "Event" && group === "" ? { ...FIELD_GETTERS, ...EVENT_FIELDS } : FIELD_GETTERS;
  const checks = terms(text).map((term) => {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(term);
    if (!m) throw errors.badRequest(`invalid field selector: "${term}"`);
    const field = m[1]!.trim();
    const getter = ownValue(getters, field);
    if (!getter) throw errors.badRequest(`field label not supported: ${field} (${kind} supports ${Object.keys(getters).map((g) => `"${g}"`).join(", ")})`);
    const value = m[3]!.trim();
    return m[2] === "!=" ? (o: KObject) => getter(o) !== value : (o: KObject) => getter(o) === value;
  });
  return (o) => checks.every((c) => c(o));
}

export function buildSelector(labelSelector: string | undefined, fieldSelector: string | undefined, kind: string, group = ""): Selector {
  const labels = labelSelector ? parseLabelSelector(labelSelector) : [];
  const fields = fieldSelector ? parseFieldSelector(fieldSelector, kind, group) : () => true;
  return (o) => matchesLabels(labels, o.metadata.labels) && fields(o);
}
