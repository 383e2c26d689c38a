// A minimal S3-compatible server for tests (path-style GET/PUT/HEAD object, in memory).
// It stands in for AWS S3 itself - the one service our tests may mock - and ignores signatures.
// Handles the SDK's aws-chunked uploads (streaming checksum trailers) as well as plain bodies.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface S3TestServer {
  endpoint: string;
  objects: Map<string, Buffer>;
  requests: { get: number; put: number };
  close(): Promise<void>;
}

function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf("\r\n", at);
    if (eol < 0) break;
    const size = parseInt(body.subarray(at, eol).toString("latin1").split(";")[0] ?? "0", 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  const chunked = String(req.headers["content-encoding"] ?? "").includes("aws-chunked") || String(req.headers["x-amz-content-sha256"] ?? "").startsWith("STREAMING-");
  return chunked ? decodeAwsChunked(raw) : raw;
}

export async function startS3(): Promise<S3TestServer> {
  const objects = new Map<string, Buffer>();
  const requests = { get: 0, put: 0 };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname).replace(/^\//, "");
      if (req.method === "PUT") {
        requests.put += 1;
        objects.set(path, await readBody(req));
        res.writeHead(200, { ETag: '"x"' }).end();
        return;
      }
      if (req.method === "GET" || req.method === "HEAD") {
        requests.get += 1;
        const obj = objects.get(path);
        if (obj === undefined) {
          res.writeHead(404, { "Content-Type": "application/xml" }).end(`<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>not found</Message><Key>${path}</Key></Error>`);
          return;
        }
        res.writeHead(200, { "Content-Length": obj.length, "Content-Type": "application/octet-stream", ETag: '"x"' });
        res.end(req.method === "GET" ? obj : undefined);
        return;
      }
      res.writeHead(405).end();
    })().catch((err: unknown) => res.writeHead(500).end(String(err)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
