// Turns what a user types (local paths, globs, https:// and s3:// URLs) into local files.
// Remote objects are streamed to a temporary directory the caller removes with `cleanup`. The CLI
// reads s3:// with the AWS_* environment; the IngestJob operator passes its source's own client
// (region, endpoint, credentials from a Secret), so both download the same way.
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { S3Client } from "@aws-sdk/client-s3";

export interface ResolvedInputs {
  /** Local paths, in the order given (globs expanded and sorted). */
  files: string[];
  /** Local path -> the URL it was fetched from, for reports. */
  origins: Map<string, string>;
  /** Inputs that could not be resolved, with the reason. */
  failures: Array<{ input: string; reason: string }>;
  cleanup(): Promise<void>;
}

/** How s3:// inputs are read. */
export interface S3Access {
  /** Its region, endpoint and credentials. The caller owns it: `resolveInputs` never destroys it. */
  readonly client: S3Client;
  /** Where the client's credentials come from, named when S3 refuses them (403). */
  readonly credentials: string;
}

export interface ResolveOptions {
  /**
   * Reads s3:// inputs. Without it, a client is made from the environment: AWS_REGION,
   * AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL) and the SDK's default credential chain.
   */
  readonly s3?: S3Access;
}

const ENV_CREDENTIALS = "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE";

/**
 * What an S3 error says, for reports, status and Events: the service's error code
 * (InvalidAccessKeyId, SignatureDoesNotMatch, AccessDenied, NoSuchKey, ...) and HTTP status, and on
 * a 403 where the credentials come from. HEAD answers carry no body, so for them the status is all
 * there is. An error without a status (no connection, no credentials found) is not S3's answer.
 */
export function describeS3Error(error: unknown, credentials: string): string {
  const e = error as { name?: string; message?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const code = e.Code ?? e.name ?? "Error";
  const message = e.message && e.message !== "UnknownError" && e.message !== code ? `: ${e.message}` : "";
  if (status === undefined) return `${code}${message}`;
  const hint = status === 403 ? ` (check the credentials in ${credentials})` : "";
  return `S3 answered ${status} ${code}${message}${hint}`;
}

/** A remote path under the temporary directory, keeping its directory structure (it carries the cycle: cbofs.20231022/...). */
function localKey(path: string): string {
  return path.split("/").filter((p) => p !== "" && p !== "." && p !== "..").join("/");
}

/** `*` and `?` match within one path segment, `**` across segments (Node 20 has no fs glob). */
export function globToRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] ?? "";
    if (ch === "*" && pattern[i + 1] === "*") {
      re += ".*";
      i += pattern[i + 2] === "/" ? 2 : 1;
    } else if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else re += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

async function expandGlob(pattern: string): Promise<string[]> {
  const parts = pattern.split("/");
  const firstWild = parts.findIndex((p) => /[*?[]/.test(p));
  const base = parts.slice(0, firstWild).join("/") || (pattern.startsWith("/") ? "/" : ".");
  const re = globToRegExp(pattern);
  const entries = await readdir(base, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name).split(sep).join("/"))
    .map((p) => (base === "." && !pattern.startsWith("./") ? p.replace(/^\.\//, "") : p))
    .filter((p) => re.test(p));
}

export async function resolveInputs(inputs: readonly string[], options: ResolveOptions = {}): Promise<ResolvedInputs> {
  const files: string[] = [];
  const origins = new Map<string, string>();
  const failures: ResolvedInputs["failures"] = [];
  let dir: string | undefined;
  const tmp = async (): Promise<string> => (dir ??= await mkdtemp(join(tmpdir(), "dmac-inputs-")));
  let s3: S3Access | undefined = options.s3;
  /** The environment's client, made here on first use and so destroyed here (it holds sockets). */
  let own: S3Client | undefined;
  for (const input of inputs) {
    try {
      if (/^https?:\/\//.test(input)) {
        const url = new URL(input);
        const res = await fetch(url);
        if (!res.ok || res.body === null) throw new Error(`HTTP ${res.status}`);
        const out = join(await tmp(), url.hostname, localKey(url.pathname));
        await mkdir(dirname(out), { recursive: true });
        await pipeline(Readable.fromWeb(res.body as never), createWriteStream(out));
        files.push(out);
        origins.set(out, input);
      } else if (input.startsWith("s3://")) {
        const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(input);
        if (m === null) throw new Error("expected s3://bucket/key");
        const [, bucket = "", key = ""] = m;
        // The SDK is loaded on first use: it costs ~0.2 s of start-up that local inputs never need.
        const { GetObjectCommand } = await import("@aws-sdk/client-s3");
        if (s3 === undefined) {
          own = (await import("./s3-client.js")).createS3Client();
          s3 = { client: own, credentials: ENV_CREDENTIALS };
        }
        const { client, credentials } = s3;
        const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key })).catch((error: unknown) => {
          throw new Error(describeS3Error(error, credentials), { cause: error });
        });
        const out = join(await tmp(), bucket, localKey(key));
        await mkdir(dirname(out), { recursive: true });
        await pipeline(res.Body as Readable, createWriteStream(out));
        files.push(out);
        origins.set(out, input);
      } else if (/[*?[]/.test(input)) {
        const matched: string[] = [];
        matched.push(...(await expandGlob(input)));
        if (matched.length === 0) throw new Error("no file matches this pattern");
        files.push(...matched.sort());
      } else {
        await stat(input);
        files.push(input);
      }
    } catch (err) {
      failures.push({ input, reason: `${input}: ${(err as Error).message}` });
    }
  }
  own?.destroy();
  return {
    files,
    origins,
    failures,
    cleanup: async () => {
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}
