// Embedded only (against a real cluster this would deploy the platform): the whole local
// environment under clusters/local applies, including kinds nothing here runs (Deployments,
// Services, RBAC, NetworkPolicies, ArgoCD Applications).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startControlPlane } from "../../apps/control-plane/index.js";
import { startTarget, type Target } from "./harness.js";

const REPO = join(import.meta.dirname, "..", "..");
let target: Target;

beforeAll(async () => {
  // Always embedded, whatever DMAC_CONFORMANCE_KUBECONFIG says: see the header.
  const dir = mkdtempSync(join(tmpdir(), "dmac-cp-env-"));
  const cp = await startControlPlane({ inMemory: true, kubeconfigPath: join(dir, "kubeconfig") });
  target = await startTarget({}, {
    kubeconfigPath: cp.kubeconfigPath!,
    stop: async () => {
      await cp.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  });
});

afterAll(async () => {
  await target?.stop();
});

describe("clusters/local", () => {
  it("applies as a whole with kubectl (client-side and server-side)", async () => {
    await target.kubectl(["create", "namespace", "argocd"]); // created by the ArgoCD install in a real cluster
    const tree = join(REPO, "clusters", "local");
    await target.kubectl(["apply", "-R", "-f", tree], { allowFail: true, timeoutMs: 120_000 }); // namespaces sort after their contents
    const second = await target.kubectl(["apply", "-R", "-f", tree], { timeoutMs: 120_000 });
    expect(second.stderr).toBe("");
    const ssa = await target.kubectl(["apply", "--server-side", "-R", "-f", tree], { timeoutMs: 120_000 });
    expect(ssa.stdout).toContain("serverside-applied");
    const kinds = (await target.kubectl(["get", "deployments,services,networkpolicies,applications", "-A", "-o", "jsonpath={range .items[*]}{.kind}{\"\\n\"}{end}"])).stdout.split("\n").filter(Boolean);
    expect(new Set(kinds)).toEqual(new Set(["Deployment", "Service", "NetworkPolicy", "Application"]));
    const everything = (await target.kubectl(["get", "all", "-A", "-o", "name"])).stdout;
    expect(everything).toMatch(/^deployment\.apps\//m);
    expect(everything).toMatch(/^service\//m);
  });
});
