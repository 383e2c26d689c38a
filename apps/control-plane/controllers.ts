// The built-in controllers kube-controller-manager and apiextensions run for the API itself:
// the garbage collector (ownerReferences with background, foreground and orphan propagation),
// namespace deletion (cascade to contents) and CRD cleanup (remove all instances first).
// Level-based: each task re-reads current state, so a restart resumes any half-done deletion.
import { CRD_CLEANUP, type Api, type Target } from "./api.js";
import { ApiError } from "./errors.js";
import { storageVersion } from "./resource-type.js";
import type { StoreEvent } from "./store.js";
import type { KObject } from "./types.js";

interface Ref {
  bucket: string;
  namespace?: string;
  name: string;
}

type Task = { kind: "owner-gone" | "foreground" | "orphan"; uid: string } | { kind: "namespace"; name: string } | { kind: "crd"; name: string };

const NAMESPACES = "/namespaces";
const CRDS = "apiextensions.k8s.io/customresourcedefinitions";

export class Controllers {
  private readonly byUid = new Map<string, Ref>();
  private readonly dependents = new Map<string, Map<string, Ref>>();
  private readonly queue = new Map<string, Task>();
  private running = false;
  private stopped = false;
  private unsubscribe: () => void = () => {};
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly api: Api) {}

  start(): void {
    for (const [key, object] of this.api.store.entries()) this.index(bucketOfKey(key), object, undefined);
    for (const [key, object] of this.api.store.entries()) this.schedule(bucketOfKey(key), object);
    for (const [uid] of this.dependents) if (!this.byUid.has(uid)) this.enqueue({ kind: "owner-gone", uid });
    this.unsubscribe = this.api.store.subscribe((event) => this.onEvent(event));
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
  }

  /** Resolves when no work is queued (tests use it to wait for cascades). */
  idle(): Promise<void> {
    if (!this.running && this.queue.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private onEvent(event: StoreEvent): void {
    const { object, bucket } = event;
    if (event.type === "DELETED") {
      this.unindex(bucket, object);
      const uid = object.metadata.uid!;
      if (this.dependents.has(uid)) this.enqueue({ kind: "owner-gone", uid });
      for (const ref of object.metadata.ownerReferences ?? []) this.enqueue({ kind: "foreground", uid: ref.uid });
      const ns = object.metadata.namespace;
      if (ns && this.api.store.get(NAMESPACES, undefined, ns)?.metadata.deletionTimestamp) this.enqueue({ kind: "namespace", name: ns });
      const crd = this.crdOfBucket(bucket);
      if (crd?.metadata.deletionTimestamp) this.enqueue({ kind: "crd", name: crd.metadata.name! });
      return;
    }
    this.index(bucket, object, event.previous);
    this.schedule(bucket, object);
  }

  private schedule(bucket: string, object: KObject): void {
    const meta = object.metadata;
    if (!meta.deletionTimestamp) return;
    const finalizers = meta.finalizers ?? [];
    if (finalizers.includes("foregroundDeletion")) this.enqueue({ kind: "foreground", uid: meta.uid! });
    if (finalizers.includes("orphan")) this.enqueue({ kind: "orphan", uid: meta.uid! });
    if (bucket === NAMESPACES) this.enqueue({ kind: "namespace", name: meta.name! });
    if (bucket === CRDS && finalizers.includes(CRD_CLEANUP)) this.enqueue({ kind: "crd", name: meta.name! });
  }

  private index(bucket: string, object: KObject, previous: KObject | undefined): void {
    const ref: Ref = { bucket, name: object.metadata.name! };
    if (object.metadata.namespace) ref.namespace = object.metadata.namespace;
    this.byUid.set(object.metadata.uid!, ref);
    const key = refKey(ref);
    for (const owner of previous?.metadata.ownerReferences ?? []) this.dependents.get(owner.uid)?.delete(key);
    for (const owner of object.metadata.ownerReferences ?? []) {
      let deps = this.dependents.get(owner.uid);
      if (!deps) this.dependents.set(owner.uid, (deps = new Map()));
      deps.set(key, ref);
    }
  }

  private unindex(bucket: string, object: KObject): void {
    this.byUid.delete(object.metadata.uid!);
    const ref: Ref = { bucket, name: object.metadata.name! };
    if (object.metadata.namespace) ref.namespace = object.metadata.namespace;
    const key = refKey(ref);
    for (const owner of object.metadata.ownerReferences ?? []) {
      const deps = this.dependents.get(owner.uid);
      deps?.delete(key);
      if (deps?.size === 0) this.dependents.delete(owner.uid);
    }
  }

  private enqueue(task: Task): void {
    if (this.stopped) return;
    this.queue.set(JSON.stringify(task), task);
    if (!this.running) {
      this.running = true;
      setImmediate(() => void this.drain());
    }
  }

  private async drain(): Promise<void> {
    while (this.queue.size > 0 && !this.stopped) {
      const [key, task] = this.queue.entries().next().value as [string, Task];
      this.queue.delete(key);
      try {
        await this.run(task);
      } catch (err) {
        // Conflicts and vanished objects are normal races: the next event re-queues the work.
        if (!(err instanceof ApiError && (err.code === 409 || err.code === 404))) process.emitWarning(`control-plane controller ${task.kind}: ${(err as Error).message}`);
      }
    }
    this.running = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private async run(task: Task): Promise<void> {
    switch (task.kind) {
      case "owner-gone":
        return this.collectDependents(task.uid);
      case "foreground":
        return this.foreground(task.uid);
      case "orphan":
        return this.orphan(task.uid);
      case "namespace":
        return this.finishNamespace(task.name);
      case "crd":
        return this.finishCrd(task.name);
    }
  }

  /** Owner gone: delete dependents whose owners are all gone; drop the dangling reference otherwise. */
  private async collectDependents(ownerUid: string): Promise<void> {
    if (this.byUid.has(ownerUid)) return;
    for (const ref of [...(this.dependents.get(ownerUid)?.values() ?? [])]) {
      const dependent = this.get(ref);
      if (!dependent) continue;
      const owners = dependent.metadata.ownerReferences ?? [];
      if (owners.every((o) => !this.byUid.has(o.uid))) {
        if (!dependent.metadata.deletionTimestamp) await this.api.delete(this.target(ref), { propagationPolicy: "Background" });
      } else await this.mutate(ref, (o) => (o.metadata.ownerReferences = owners.filter((r) => r.uid !== ownerUid)));
    }
  }

  /** Foreground: delete dependents first; the owner goes once no blocking dependent remains. */
  private async foreground(uid: string): Promise<void> {
    const ref = this.byUid.get(uid);
    const owner = ref && this.get(ref);
    if (!ref || !owner?.metadata.deletionTimestamp || !owner.metadata.finalizers?.includes("foregroundDeletion")) return;
    const deps = [...(this.dependents.get(uid)?.values() ?? [])].map((d) => [d, this.get(d)] as const).filter((d): d is readonly [Ref, KObject] => d[1] !== undefined);
    for (const [depRef, dep] of deps) {
      if (!dep.metadata.deletionTimestamp) await this.api.delete(this.target(depRef), { propagationPolicy: "Foreground" });
    }
    const blocking = deps.filter(([, dep]) => dep.metadata.ownerReferences?.some((o) => o.uid === uid && o.blockOwnerDeletion === true));
    if (blocking.length === 0) await this.mutate(ref, (o) => (o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== "foregroundDeletion")));
  }

  private async orphan(uid: string): Promise<void> {
    const ref = this.byUid.get(uid);
    if (!ref) return;
    for (const depRef of [...(this.dependents.get(uid)?.values() ?? [])]) {
      await this.mutate(depRef, (o) => (o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid)));
    }
    await this.mutate(ref, (o) => (o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== "orphan")));
  }

  private async finishNamespace(name: string): Promise<void> {
    const ns = this.api.store.get(NAMESPACES, undefined, name);
    if (!ns?.metadata.deletionTimestamp) return;
    let remaining = 0;
    for (const type of this.api.registry.all()) {
      if (!type.namespaced) continue;
      const bucket = `${type.group}/${type.plural}`;
      for (const object of this.api.store.list(bucket, name)) {
        remaining += 1;
        if (!object.metadata.deletionTimestamp) await this.api.delete(this.target({ bucket, namespace: name, name: object.metadata.name! }), { propagationPolicy: "Background" });
      }
    }
    if (remaining > 0) return;
    await this.mutate({ bucket: NAMESPACES, name }, (o) => {
      o.spec = { ...(o.spec as object), finalizers: [] };
    });
  }

  private async finishCrd(name: string): Promise<void> {
    const crd = this.api.store.get(CRDS, undefined, name);
    if (!crd?.metadata.deletionTimestamp) return;
    const spec = crd.spec as { group: string; names: { plural: string } };
    const bucket = `${spec.group}/${spec.names.plural}`;
    const instances = this.api.store.list(bucket);
    for (const object of instances) {
      if (!object.metadata.deletionTimestamp) {
        const ref: Ref = { bucket, name: object.metadata.name! };
        if (object.metadata.namespace) ref.namespace = object.metadata.namespace;
        await this.api.delete(this.target(ref), { propagationPolicy: "Background" });
      }
    }
    if (this.api.store.count(bucket) > 0) return;
    await this.mutate({ bucket: CRDS, name }, (o) => (o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== CRD_CLEANUP)));
  }

  private crdOfBucket(bucket: string): KObject | undefined {
    const slash = bucket.indexOf("/");
    return this.api.store.get(CRDS, undefined, `${bucket.slice(slash + 1)}.${bucket.slice(0, slash)}`);
  }

  private get(ref: Ref): KObject | undefined {
    return this.api.store.get(ref.bucket, ref.namespace, ref.name);
  }

  private target(ref: Ref): Target {
    const type = this.api.registry.byBucket(ref.bucket);
    if (!type) throw new ApiError(404, "NotFound", `no resource type serves ${ref.bucket}`);
    const target: Target = { type, version: storageVersion(type), name: ref.name };
    if (ref.namespace) target.namespace = ref.namespace;
    return target;
  }

  /** Read-modify-write through the normal update path, retried on conflicts. */
  private async mutate(ref: Ref, change: (object: KObject) => void): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const current = this.get(ref);
      if (!current) return;
      const next = structuredClone(current);
      change(next);
      try {
        await this.api.update(this.target(ref), next, { fieldManager: "dmac-control-plane" });
        return;
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 409)) throw err;
      }
    }
  }
}

function refKey(ref: Ref): string {
  return `${ref.bucket}|${ref.namespace ?? ""}|${ref.name}`;
}

function bucketOfKey(key: string): string {
  return key.slice(0, key.indexOf("|"));
}
