// The operator's API clients share one connection pool: client-node 2.0 builds a new undici Agent
// (and so new connections) for every request to a cluster with TLS settings; the shared KubeConfig
// hands every request the same Agent until the cluster or user changes.
import { HttpMethod, KubeConfig, RequestContext } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { withSharedConnections } from "../../operators/runtime/index.js";

const config = (server: string) => ({
  clusters: [{ name: "c", server, skipTLSVerify: true }],
  users: [{ name: "u", token: "t" }],
  contexts: [{ name: "ctx", cluster: "c", user: "u" }],
  currentContext: "ctx",
});

async function dispatcherOf(kubeConfig: KubeConfig): Promise<unknown> {
  const context = new RequestContext("http://127.0.0.1:1/api", HttpMethod.GET);
  await kubeConfig.applySecurityAuthentication(context);
  expect(context.getHeaders().Authorization).toBe("Bearer t");
  return context.getDispatcher();
}

describe("withSharedConnections", () => {
  it("gives every request the same Agent, where client-node alone makes one per request", async () => {
    const plain = new KubeConfig();
    plain.loadFromOptions(config("http://127.0.0.1:1"));
    expect(await dispatcherOf(plain)).not.toBe(await dispatcherOf(plain));

    const shared = withSharedConnections(plain);
    const first = await dispatcherOf(shared);
    expect(first).toBeDefined();
    expect(await dispatcherOf(shared)).toBe(first);
    expect(withSharedConnections(shared)).toBe(shared);
    await shared.closeConnections();
  });

  it("makes a new Agent when the current cluster changes", async () => {
    const plain = new KubeConfig();
    plain.loadFromOptions({ ...config("http://127.0.0.1:1"), clusters: [{ name: "c", server: "http://127.0.0.1:1", skipTLSVerify: true }, { name: "d", server: "http://127.0.0.1:2", skipTLSVerify: true }], contexts: [{ name: "ctx", cluster: "c", user: "u" }, { name: "other", cluster: "d", user: "u" }] });
    const shared = withSharedConnections(plain);
    const first = await dispatcherOf(shared);
    shared.setCurrentContext("other");
    expect(await dispatcherOf(shared)).not.toBe(first);
    await shared.closeConnections();
  });
});
