// The local environment's S3-compatible object store: fauxqs (an S3/SQS/SNS emulator from npm,
// objects kept as files) behind the rendered `object-store` Service's port. fauxqs takes any dotted
// Host header for a virtual-hosted bucket (`object-store.dmac-system...` would be bucket
// "object-store"), while our clients address it path-style by its Service name; so the Service's
// port is a small proxy, in the role kube-proxy has in a cluster, that forwards each request to
// fauxqs on loopback with a plain Host header. Signatures are not checked by fauxqs, so rewriting
// the header invalidates nothing.
import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ObjectStore {
  /** Where this process (and the pods, on the host network) reach it. */
  readonly url: string;
  stop(): Promise<void>;
}

export async function startObjectStore(options: { port: number; storageDir: string }): Promise<ObjectStore> {
  const { startFauxqs } = await import("fauxqs");
  const fauxqs = await startFauxqs({ port: 0, host: "127.0.0.1", logger: false, s3StorageDir: options.storageDir });
  const upstream = { host: "127.0.0.1", port: fauxqs.port };
  const proxy = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const forwarded = request(
      { ...upstream, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: `${upstream.host}:${upstream.port}` } },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on("error", (error) => {
      if (!outgoing.headersSent) outgoing.writeHead(502, { "content-type": "text/plain" });
      outgoing.end(`object store unavailable: ${error.message}`);
    });
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve, reject) => {
    proxy.once("error", reject);
    proxy.listen(options.port, "127.0.0.1", () => resolve());
  }).catch(async (error: Error) => {
    await fauxqs.stop();
    throw new Error(`object store: cannot listen on 127.0.0.1:${options.port} (the rendered object-store Service's port): ${error.message}`);
  });
  const port = (proxy.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await fauxqs.stop();
    },
  };
}
