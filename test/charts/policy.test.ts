// Policy checks over everything rendered for every environment: what kube-score, Polaris or a
// Pod Security admission dry run would flag, asserted directly (none of those tools runs here).
import { describe, expect, it } from "vitest";
import { operatorClusterRules, operatorDomainClusterRole, operatorDomainRules, operatorLeaderElectionRules } from "../../operators/rbac.js";
import { assertPinnedImage } from "../../clusters/lib/restricted-workload.js";
import { helmComponents } from "../../clusters/third-party.js";
import { envNames, envOf, podSpecs, rendered, type Obj } from "./rendered.js";

const { objects } = rendered();
const pods = podSpecs(objects);
const all = <T>(xs: T[] | undefined): T[] => xs ?? [];

describe("rendered workloads", () => {
  it("exist for every platform app in every environment", () => {
    for (const env of envNames) {
      const names = pods.filter((p) => envOf(p.path) === env).map((p) => p.name).sort();
      expect(names, env).toEqual(["dmac-system/catalog-api", "dmac-system/data-api", "dmac-system/dmac-operator", "dmac-system/event-bridge", "dmac-system/viewer"]);
    }
  });
});

describe.each(pods.map((p) => [`${p.path} ${p.name}`, p] as const))("Pod Security restricted: %s", (_label, { spec }) => {
  const containers = [...spec.containers, ...all(spec.initContainers)] as Record<string, any>[];
  const podSc = (spec.securityContext ?? {}) as Record<string, any>;

  it("runs as non-root with RuntimeDefault seccomp", () => {
    expect(podSc.runAsNonRoot).toBe(true);
    expect(podSc.runAsUser ?? 1).not.toBe(0);
    for (const c of containers) {
      const seccomp = c.securityContext?.seccompProfile?.type ?? podSc.seccompProfile?.type;
      expect(seccomp, c.name).toBe("RuntimeDefault");
      expect(c.securityContext?.runAsUser ?? podSc.runAsUser, c.name).not.toBe(0);
    }
  });

  it("has no privilege escalation, drops ALL capabilities, read-only root filesystem", () => {
    for (const c of containers) {
      expect(c.securityContext?.allowPrivilegeEscalation, c.name).toBe(false);
      expect(c.securityContext?.privileged ?? false, c.name).toBe(false);
      expect(c.securityContext?.capabilities?.drop, c.name).toContain("ALL");
      expect(all<string>(c.securityContext?.capabilities?.add).filter((cap) => cap !== "NET_BIND_SERVICE"), c.name).toEqual([]);
      expect(c.securityContext?.readOnlyRootFilesystem, c.name).toBe(true);
    }
  });

  it("uses no host namespaces or host paths", () => {
    const s = spec as Record<string, any>;
    expect(s.hostNetwork ?? false).toBe(false);
    expect(s.hostPID ?? false).toBe(false);
    expect(s.hostIPC ?? false).toBe(false);
    expect(all(s.volumes as Record<string, unknown>[]).filter((v) => "hostPath" in v)).toEqual([]);
  });

  it("sets CPU and memory requests and limits", () => {
    for (const c of containers) {
      for (const kind of ["requests", "limits"]) {
        expect(c.resources?.[kind]?.cpu, `${c.name} ${kind}.cpu`).toBeTruthy();
        expect(c.resources?.[kind]?.memory, `${c.name} ${kind}.memory`).toBeTruthy();
      }
    }
  });

  it("has liveness and readiness probes", () => {
    for (const c of spec.containers as Record<string, any>[]) {
      expect(c.livenessProbe, c.name).toBeDefined();
      expect(c.readinessProbe, c.name).toBeDefined();
    }
  });

  it("pins its image", () => {
    for (const c of containers) expect(() => assertPinnedImage(String(c.image), String(c.name))).not.toThrow();
  });
});

describe("availability", () => {
  it("gives every Deployment with more than one replica a PodDisruptionBudget", () => {
    const deployments = objects.filter((o) => o.obj.kind === "Deployment");
    const multi = deployments.filter((d) => ((d.obj.spec as { replicas?: number }).replicas ?? 1) > 1);
    expect(multi.length).toBeGreaterThan(0);
    for (const d of multi) {
      const pdb = objects.find((o) => o.path === d.path && o.obj.kind === "PodDisruptionBudget" && o.obj.metadata.name === d.obj.metadata.name);
      const selector = (d.obj.spec as { selector: unknown }).selector;
      expect((pdb?.obj.spec as { selector?: unknown } | undefined)?.selector, `${d.path} ${d.obj.metadata.name}`).toEqual(selector);
    }
  });
});

describe("image pinning rule", () => {
  it.each(["ghcr.io/ioos/dmac-operator", "ghcr.io/ioos/dmac-operator:latest", "dmac-operator:0.1.0", "ghcr.io/ioos/x:"])("rejects %s", (image) => {
    expect(() => assertPinnedImage(image, "test")).toThrow(/must be pinned/);
  });
  it.each(["ghcr.io/ioos/dmac-operator:0.1.0", "registry.local:5000/ioos/op:1.2.3-rc.1", `ghcr.io/ioos/op@sha256:${"a".repeat(64)}`])("accepts %s", (image) => {
    expect(() => assertPinnedImage(image, "test")).not.toThrow();
  });
});

describe("namespaces and NetworkPolicies", () => {
  for (const env of envNames) {
    const inEnv = objects.filter((o) => envOf(o.path) === env && o.obj.metadata.namespace !== "argocd").map((o) => o.obj);
    const namespaces = inEnv.filter((o) => o.kind === "Namespace");
    const policies = inEnv.filter((o) => o.kind === "NetworkPolicy") as (Obj & { spec: Record<string, any> })[];
    const used = new Set(inEnv.map((o) => o.metadata.namespace).filter((n): n is string => n !== undefined));

    it(`${env}: every namespace used is rendered and enforces Pod Security restricted`, () => {
      const declared = new Set(namespaces.map((n) => n.metadata.name));
      for (const ns of used) expect(declared.has(ns), `namespace ${ns} is used but not rendered`).toBe(true);
      for (const ns of namespaces) expect(ns.metadata.labels?.["pod-security.kubernetes.io/enforce"], ns.metadata.name).toBe("restricted");
    });

    it(`${env}: every namespace has a default-deny policy for ingress and egress`, () => {
      for (const ns of namespaces) {
        const deny = policies.find(
          (p) => p.metadata.namespace === ns.metadata.name && Object.keys(p.spec.podSelector ?? {}).length === 0 && p.spec.ingress === undefined && p.spec.egress === undefined,
        );
        expect(deny, `default-deny in ${ns.metadata.name}`).toBeDefined();
        expect([...deny!.spec.policyTypes].sort()).toEqual(["Egress", "Ingress"]);
      }
    });

    it(`${env}: every workload has an explicit allow beyond DNS`, () => {
      for (const pod of pods.filter((p) => envOf(p.path) === env)) {
        const [namespace] = pod.name.split("/");
        const allows = policies.filter((p) => {
          if (p.metadata.namespace !== namespace || p.metadata.name === "default-deny" || p.metadata.name === "allow-dns") return false;
          const match = (p.spec.podSelector?.matchLabels ?? {}) as Record<string, string>;
          return Object.entries(match).every(([k, v]) => pod.labels[k] === v);
        });
        expect(allows.length, pod.name).toBeGreaterThan(0);
      }
    });
  }
});

describe("RBAC", () => {
  const rbac = objects.map((o) => o.obj).filter((o) => o.apiVersion === "rbac.authorization.k8s.io/v1");

  it("has no wildcards in any rule", () => {
    const rules = rbac.flatMap((o) => all(o.rules as Record<string, string[]>[]));
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) {
      for (const field of ["apiGroups", "resources", "verbs", "resourceNames"]) {
        expect(all(r[field]).filter((v) => v.includes("*")), `${field} of ${JSON.stringify(r)}`).toEqual([]);
      }
    }
  });

  it("binds no built-in superuser roles", () => {
    const bound = rbac.filter((o) => o.kind.endsWith("Binding")).map((o) => (o.roleRef as { name: string }).name);
    for (const forbidden of ["cluster-admin", "admin", "edit"]) expect(bound).not.toContain(forbidden);
  });

  it("never lets a ClusterRoleBinding reach Secrets", () => {
    const clusterBound = new Set(rbac.filter((o) => o.kind === "ClusterRoleBinding").map((o) => (o.roleRef as { name: string }).name));
    const roles = rbac.filter((o) => o.kind === "ClusterRole" && clusterBound.has(o.metadata.name));
    for (const role of roles) {
      for (const r of all(role.rules as { resources: string[] }[])) expect(r.resources, role.metadata.name).not.toContain("secrets");
    }
  });

  it("gives the operator Secrets get only through a RoleBinding in each domain namespace", () => {
    for (const env of envNames) {
      const domains = objects.filter((o) => envOf(o.path) === env && o.path.includes("/domains/") && o.obj.kind === "Namespace").map((o) => o.obj.metadata.name);
      expect(domains.length).toBeGreaterThan(0);
      for (const ns of domains) {
        const binding = objects.find((o) => envOf(o.path) === env && o.obj.kind === "RoleBinding" && o.obj.metadata.namespace === ns)?.obj;
        expect(binding?.roleRef, ns).toMatchObject({ kind: "ClusterRole", name: operatorDomainClusterRole });
      }
    }
    expect(operatorDomainRules).toEqual([{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }]);
  });

  it("declares exactly the operator permissions the issue lists", () => {
    const grants = (rules: typeof operatorClusterRules) =>
      rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.map((res) => `${g || "core"}/${res}: ${[...r.verbs].sort().join(",")}`))).sort();
    expect(grants(operatorClusterRules)).toEqual(
      [
        "core/events: create,patch",
        "events.k8s.io/events: create,patch",
        "kubernetes.dask.org/daskjobs: create,delete,get,list,watch",
        // The Dataset reconciler creates the CatalogEntry of a Dataset with spec.catalog.
        "dmac.ioos.us/catalogentries: create",
        ...["catalogentries", "datasets", "ingestjobs"].flatMap((r) => [
          `dmac.ioos.us/${r}: get,list,patch,watch`,
          `dmac.ioos.us/${r}/finalizers: update`,
          `dmac.ioos.us/${r}/status: get,patch,update`,
        ]),
      ].sort(),
    );
    expect(grants(operatorLeaderElectionRules)).toEqual(["coordination.k8s.io/leases: create,get,update"]);
  });

  it("names only resources our CRDs serve", async () => {
    const { customResourceDefinitions } = await import("../../crds/index.js");
    const plurals = customResourceDefinitions.map((c) => (c as { spec: { names: { plural: string } } }).spec.names.plural).sort();
    const ours = operatorClusterRules.filter((r) => r.apiGroups.includes("dmac.ioos.us")).flatMap((r) => r.resources.map((x) => x.split("/")[0]));
    expect([...new Set(ours)].sort()).toEqual(plurals);
  });
});

describe("service accounts", () => {
  it("mount API tokens only where the workload calls the API, and carry no IRSA role without stack outputs", () => {
    const accounts = objects.map((o) => o.obj).filter((o) => o.kind === "ServiceAccount");
    expect(accounts.length).toBeGreaterThan(0);
    for (const sa of accounts) expect(sa.automountServiceAccountToken, sa.metadata.name).toBe(false);
    const catalog = pods.filter((p) => p.name === "dmac-system/catalog-api");
    for (const p of catalog) expect(p.spec.automountServiceAccountToken).toBe(false);
  });

  it("give the viewer no token and no role binding: it calls nothing in the cluster but the two APIs", () => {
    const viewers = pods.filter((p) => p.name === "dmac-system/viewer");
    expect(viewers.length).toBe(envNames.length);
    for (const p of viewers) expect(p.spec.automountServiceAccountToken, p.path).toBe(false);
    const bindings = objects.map((o) => o.obj).filter((o) => o.kind.endsWith("RoleBinding"));
    const subjects = bindings.flatMap((b) => all(b.subjects as { kind: string; name: string }[]));
    expect(subjects.filter((s) => s.kind === "ServiceAccount" && s.name === "viewer")).toEqual([]);
  });
});

/** Whether one of the policies lets `port` through in `direction` for pods `self`, from or to pods `peer` of the same namespace. */
function admits(policies: (Obj & { spec: Record<string, any> })[], direction: "ingress" | "egress", self: Record<string, string>, peer: Record<string, string>, port: number): boolean {
  const selects = (selector: { matchLabels?: Record<string, string> } | undefined, labels: Record<string, string>) =>
    selector !== undefined && Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return policies.some(
    (p) =>
      selects(p.spec.podSelector, self) &&
      all(p.spec[direction] as Record<string, any>[]).some(
        (rule) =>
          all(rule[direction === "ingress" ? "from" : "to"] as Record<string, any>[]).some((x) => x.namespaceSelector === undefined && x.ipBlock === undefined && selects(x.podSelector, peer)) &&
          (rule.ports === undefined || all(rule.ports as { port: number }[]).some((x) => x.port === port)),
      ),
  );
}

describe("the viewer's proxied flows", () => {
  for (const env of envNames) {
    const inEnv = objects.filter((o) => envOf(o.path) === env).map((o) => o.obj) as (Obj & { spec: Record<string, any> })[];
    const policies = inEnv.filter((o) => o.kind === "NetworkPolicy");
    const viewer = pods.find((p) => envOf(p.path) === env && p.name === "dmac-system/viewer");
    const args = all(viewer?.spec.containers[0]?.args as string[] | undefined);

    it.each([
      ["--data-api", "data-api"],
      ["--catalog-api", "catalog-api"],
    ])(`${env}: %s names the %s Service, whose pods admit the viewer and the viewer may reach`, (flag, name) => {
      const value = args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
      expect(value, `${flag} in ${JSON.stringify(args)}`).toBeDefined();
      const url = new URL(value!);
      expect(url.hostname).toBe(`${name}.dmac-system.svc.cluster.local`);
      const service = inEnv.find((o) => o.kind === "Service" && o.metadata.name === name && o.metadata.namespace === "dmac-system");
      const servicePort = all(service?.spec.ports as { port: number; targetPort: number | string }[]).find((p) => p.port === Number(url.port || 80));
      expect(servicePort, `Service ${name} port ${url.port || 80}`).toBeDefined();
      // Policies see the pod's port, after the Service's translation.
      const backend = pods.find((p) => envOf(p.path) === env && p.name === `dmac-system/${name}`)!;
      const containerPorts = (backend.spec.containers[0]?.ports ?? []) as { name: string; containerPort: number }[];
      const podPort = typeof servicePort!.targetPort === "number" ? servicePort!.targetPort : containerPorts.find((p) => p.name === servicePort!.targetPort)?.containerPort;
      expect(containerPorts.map((p) => p.containerPort)).toContain(podPort);
      expect(Object.entries(service!.spec.selector as Record<string, string>).every(([k, v]) => backend.labels[k] === v)).toBe(true);

      expect(admits(policies, "egress", viewer!.labels, backend.labels, podPort!), "viewer egress").toBe(true);
      expect(admits(policies, "ingress", backend.labels, viewer!.labels, podPort!), `${name} ingress from the viewer`).toBe(true);
      // The wrong port is not open: the check above can fail.
      expect(admits(policies, "ingress", backend.labels, viewer!.labels, podPort! + 1)).toBe(false);
    });

    it(`${env}: the viewer may connect to nothing else (DNS aside), and serves on its own host`, () => {
      const own = policies.filter((p) => p.metadata.namespace === "dmac-system" && (p.spec.podSelector?.matchLabels ?? {})["app.kubernetes.io/name"] === "viewer");
      const peers = own.flatMap((p) => all(p.spec.egress as Record<string, any>[]).flatMap((r) => all(r.to as Record<string, any>[])));
      expect(peers.map((x) => x.podSelector?.matchLabels?.["app.kubernetes.io/name"]).sort()).toEqual(["catalog-api", "data-api"]);
      expect(peers.filter((x) => x.ipBlock !== undefined || x.namespaceSelector !== undefined)).toEqual([]);
      const ingress = inEnv.find((o) => o.kind === "Ingress" && o.metadata.name === "viewer");
      const apiHost = (inEnv.find((o) => o.kind === "Ingress" && o.metadata.name === "data-api")?.spec.rules[0].host as string).replace(/^edr\./, "");
      expect(ingress?.spec.rules[0].host).toBe(`viewer.${apiHost}`);
    });
  }
});

describe("third-party Helm values", () => {
  it.each(helmComponents.map((h) => [h.name, h] as const))("%s asks for restricted containers", (_name, h) => {
    const text = JSON.stringify(h.values);
    expect(text).toContain('"allowPrivilegeEscalation":false');
    expect(text).toContain('"drop":["ALL"]');
    expect(text).toContain('"type":"RuntimeDefault"');
    expect(text).toMatch(/"limits":\{/);
  });
});
