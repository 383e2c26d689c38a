// An S3-compatible server for tests that checks credentials the way S3 does: every request must
// carry an AWS Signature Version 4 made with the one key pair the server knows, else 403 with
// InvalidAccessKeyId or SignatureDoesNotMatch. Path-style HEAD and GET of objects and
// ListObjectsV2, in memory. (test/dataplane/s3-server.ts ignores signatures; tests of credential
// handling need one that does not.)
import { createHash, createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface SignedS3Server {
  readonly endpoint: string;
  readonly region: string;
  /** Objects by "bucket/key". */
  readonly objects: Map<string, { body: Buffer; lastModified: Date }>;
  /** Requests refused for their credentials, by S3 error code. */
  readonly refused: Map<string, number>;
  put(bucket: string, key: string, body: Buffer): void;
  close(): Promise<void>;
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();
/** RFC 3986 encoding as SigV4 canonicalisation wants it. */
const encode = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const xmlEscape = (value: string) => value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The S3 error code for a request's credentials, or undefined when its signature is valid. */
function checkSignature(req: IncomingMessage, accessKeyId: string, secretAccessKey: string): string | undefined {
  const auth = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(String(req.headers.authorization ?? ""));
  if (!auth) return "AccessDenied";
  const [, keyId, date, region, service, signedHeaders, signature] = auth as unknown as string[];
  if (keyId !== accessKeyId) return "InvalidAccessKeyId";
  const [rawPath = "/", rawQuery = ""] = (req.url ?? "/").split("?", 2);
  const query = rawQuery === "" ? [] : rawQuery.split("&").map((pair) => {
    const [k = "", v = ""] = pair.split("=", 2);
    return [encode(decodeURIComponent(k)), encode(decodeURIComponent(v.replace(/\+/g, " ")))] as const;
  });
  query.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const headers = signedHeaders!.split(";").map((name) => `${name}:${String(req.headers[name] ?? "").trim().replace(/\s+/g, " ")}\n`).join("");
  const canonical = [req.method, rawPath, query.map(([k, v]) => `${k}=${v}`).join("&"), headers, signedHeaders, String(req.headers["x-amz-content-sha256"] ?? "UNSIGNED-PAYLOAD")].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", String(req.headers["x-amz-date"] ?? ""), scope, sha256(canonical)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date!), region!), service!), "aws4_request");
  return createHmac("sha256", key).update(toSign).digest("hex") === signature ? undefined : "SignatureDoesNotMatch";
}

function error(res: ServerResponse, status: number, code: string, head: boolean): void {
  res.writeHead(status, { "Content-Type": "application/xml" });
  res.end(head ? undefined : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code} (test server)</Message></Error>`);
}

export async function startSignedS3(credentials: { accessKeyId: string; secretAccessKey: string }, region = "us-east-1"): Promise<SignedS3Server> {
  const objects: SignedS3Server["objects"] = new Map();
  const refused = new Map<string, number>();
  const server = createServer((req, res) => {
    const head = req.method === "HEAD";
    const refusal = checkSignature(req, credentials.accessKeyId, credentials.secretAccessKey);
    if (refusal) {
      refused.set(refusal, (refused.get(refusal) ?? 0) + 1);
      error(res, 403, refusal, head);
      return;
    }
    const url = new URL(req.url ?? "/", "http://s3");
    const [bucket = "", ...rest] = decodeURIComponent(url.pathname).replace(/^\//, "").split("/");
    const key = rest.join("/");
    if (req.method === "GET" && key === "" && url.searchParams.get("list-type") === "2") {
      const prefix = url.searchParams.get("prefix") ?? "";
      const contents = [...objects].filter(([k]) => k.startsWith(`${bucket}/${prefix}`)).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, o]) =>
        `<Contents><Key>${xmlEscape(k.slice(bucket.length + 1))}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>"${sha256(o.body).slice(0, 32)}"</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`).join("");
      res.writeHead(200, { "Content-Type": "application/xml" });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${contents.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`);
      return;
    }
    if (req.method !== "GET" && !head) {
      error(res, 405, "MethodNotAllowed", false);
      return;
    }
    const object = objects.get(`${bucket}/${key}`);
    if (!object) {
      error(res, 404, "NoSuchKey", head);
      return;
    }
    res.writeHead(200, { "Content-Length": object.body.length, "Content-Type": "application/octet-stream", ETag: `"${sha256(object.body).slice(0, 32)}"`, "Last-Modified": object.lastModified.toUTCString() });
    res.end(head ? undefined : object.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    region,
    objects,
    refused,
    put: (bucket, key, body) => objects.set(`${bucket}/${key}`, { body, lastModified: new Date(Math.floor(Date.now() / 1000) * 1000) }),
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
