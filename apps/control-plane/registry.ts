// The live table of served resources. CRD writes call register/unregister, so endpoints,
// discovery and OpenAPI follow CRDs without a restart.
import { bucketOf, type ResourceType, type ResourceVersion } from "./resource-type.js";

export interface ResolvedResource {
  type: ResourceType;
  version: ResourceVersion;
}

export class Registry {
  private readonly types = new Map<string, ResourceType>();
  private readonly builtins = new Map<string, ResourceType>();
  private generation = 0;
  private readonly listeners = new Set<() => void>();

  constructor(builtins: ResourceType[]) {
    for (const type of builtins) {
      this.builtins.set(bucketOf(type), type);
      this.types.set(bucketOf(type), type);
    }
  }

  /** Bumped on every change: discovery and OpenAPI caches key on it. */
  get version(): number {
    return this.generation;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  all(): ResourceType[] {
    return [...this.types.values()];
  }

  byBucket(bucket: string): ResourceType | undefined {
    return this.types.get(bucket);
  }

  resolve(group: string, version: string, plural: string): ResolvedResource | undefined {
    const type = this.types.get(`${group}/${plural}`);
    const served = type?.versions.find((v) => v.name === version && v.served);
    return type && served ? { type, version: served } : undefined;
  }

  byKind(group: string, kind: string): ResourceType | undefined {
    for (const type of this.types.values()) if (type.group === group && type.kind === kind) return type;
    return undefined;
  }

  /** The groups and versions being served, preferred (storage) version first. */
  groups(): Map<string, string[]> {
    const groups = new Map<string, string[]>();
    for (const type of this.types.values()) {
      const versions = groups.get(type.group) ?? [];
      for (const v of type.versions) if (v.served && !versions.includes(v.name)) versions.push(v.name);
      groups.set(type.group, versions);
    }
    for (const [group, versions] of groups) groups.set(group, sortVersions(versions));
    return groups;
  }

  isBuiltin(bucket: string): boolean {
    const builtin = this.builtins.get(bucket);
    return builtin !== undefined && !builtin.standIn;
  }

  register(type: ResourceType): void {
    this.types.set(bucketOf(type), type);
    this.changed();
  }

  unregister(bucket: string): void {
    const standIn = this.builtins.get(bucket);
    if (standIn?.standIn) this.types.set(bucket, standIn);
    else this.types.delete(bucket);
    this.changed();
  }

  private changed(): void {
    this.generation += 1;
    for (const listener of this.listeners) listener();
  }
}

/** Kubernetes version priority: GA > beta > alpha, higher numbers first (v1 > v1beta2 > v1alpha1). */
export function sortVersions(versions: string[]): string[] {
  const rank = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0];
    const level = m[2] === undefined ? 3 : m[2] === "beta" ? 2 : 1;
    return [level, Number(m[1]), Number(m[3] ?? 0)];
  };
  return [...versions].sort((a, b) => {
    const [la, ma, na] = rank(a);
    const [lb, mb, nb] = rank(b);
    return lb - la || mb - ma || nb - na || a.localeCompare(b);
  });
}
