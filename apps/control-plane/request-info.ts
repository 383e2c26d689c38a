// What a request asks to do, in the terms RBAC speaks: verb, API group, resource, subresource,
// namespace and name, or a non-resource path. Parsed from the URL alone, as kube-apiserver's
// RequestInfoFactory does, so a request is authorized before anything looks it up.

export type RequestAttributes = ResourceAttributes | NonResourceAttributes;

export interface ResourceAttributes {
  readonly kind: "resource";
  readonly verb: string;
  readonly apiGroup: string;
  readonly apiVersion: string;
  readonly resource: string;
  readonly subresource: string;
  /** "" for cluster-scoped requests and for lists across all namespaces. */
  readonly namespace: string;
  readonly name: string;
}

export interface NonResourceAttributes {
  readonly kind: "nonResource";
  readonly verb: string;
  readonly path: string;
}

const METHOD_VERBS: Readonly<Record<string, string>> = { POST: "create", GET: "get", HEAD: "get", PUT: "update", PATCH: "patch", DELETE: "delete" };

// Subresources of a namespace that keep /namespaces/{name}/{sub} from being read as a namespaced path.
const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

/** RBAC attributes of a request (`pathname` already split from its query string). */
export function requestAttributes(method: string, pathname: string, query: URLSearchParams): RequestAttributes {
  const methodVerb = METHOD_VERBS[method.toUpperCase()] ?? method.toLowerCase();
  const parts = pathname.split("/").filter((s) => s !== "");
  const nonResource: NonResourceAttributes = { kind: "nonResource", verb: methodVerb, path: pathname === "" ? "/" : pathname };
  const decoded = decodeAll(parts);
  if (!decoded) return nonResource;
  let rest: string[];
  let apiGroup: string;
  let apiVersion: string;
  // /api/{version} and /apis/{group}/{version} are discovery documents: non-resource paths.
  if (decoded[0] === "api" && decoded.length >= 3) [apiGroup, apiVersion, rest] = ["", decoded[1]!, decoded.slice(2)];
  else if (decoded[0] === "apis" && decoded.length >= 4) [apiGroup, apiVersion, rest] = [decoded[1]!, decoded[2]!, decoded.slice(3)];
  else return nonResource;

  let verb = methodVerb;
  if (rest[0] === "watch") {
    verb = "watch";
    rest = rest.slice(1);
  }
  let namespace = "";
  if (rest[0] === "namespaces" && rest.length > 1) {
    namespace = rest[1]!;
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2]!)) rest = rest.slice(2);
  }
  const [resource = "", pathName = "", subresource = ""] = rest;
  let name = pathName;
  if (name === "") {
    // No name: a read is a list or a watch, a delete is a deletecollection.
    if (verb === "get") verb = query.get("watch") === "true" || query.get("watch") === "1" ? "watch" : "list";
    else if (verb === "delete") verb = "deletecollection";
    // A list or watch narrowed to one object by name is authorized for that name (resourceNames).
    if (verb === "list" || verb === "watch") name = nameFromFieldSelector(query.get("fieldSelector")) ?? "";
  }
  return { kind: "resource", verb, apiGroup, apiVersion, resource, subresource, namespace, name };
}

function decodeAll(parts: string[]): string[] | undefined {
  try {
    return parts.map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

function nameFromFieldSelector(selector: string | null): string | undefined {
  if (!selector) return undefined;
  for (const term of selector.split(",")) {
    const match = /^\s*metadata\.name\s*(?:==|=)\s*(.*?)\s*$/.exec(term);
    if (match) return match[1];
  }
  return undefined;
}

/** "ingestjobs/status", or the resource alone: how rules and messages name it. */
export function qualifiedResourceName(attributes: ResourceAttributes): string {
  return attributes.subresource ? `${attributes.resource}/${attributes.subresource}` : attributes.resource;
}
