// Turns what a user types (local paths, globs, https:// and s3:// URLs) into local files.
// Remote objects are streamed to a temporary directory the caller removes with `cleanup`.
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

function keyPath(url: URL): string {
  // Keep the object key's directory structure: it carries the cycle (cbofs.20231022/...).
  return url.pathname.replace(/^\/+/, "").split("/").filter((p) => p !== "" && p !== "..").join("/");
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

export async function resolveInputs(inputs: string[]): Promise<ResolvedInputs> {
  const files: string[] = [];
  const origins = new Map<string, string>();
  const failures: ResolvedInputs["failures"] = [];
  let dir: string | undefined;
  const tmp = async (): Promise<string> => (dir ??= await mkdtemp(join(tmpdir(), "dmac-inputs-")));
  let s3: S3Client | undefined;
  for (const input of inputs) {
    try {
      if (/^https?:\/\//.test(input)) {
        const url = new URL(input);
        const res = await fetch(url);
        if (!res.ok || res.body === null) throw new Error(`HTTP ${res.status}`);
        const out = join(await tmp(), url.hostname, keyPath(url));
        await mkdir(dirname(out), { recursive: true });
        await pipeline(Readable.fromWeb(res.body as never), createWriteStream(out));
        files.push(out);
        origins.set(out, input);
      } else if (input.startsWith("s3://")) {
        const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(input);
        if (m === null) throw new Error("expected s3://bucket/key");
        const endpoint = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
        // The SDK is loaded on first use: it costs ~0.2 s of start-up that local inputs never need.
        const { GetObjectCommand, S3Client } = await import("@aws-sdk/client-s3");
        s3 ??= new S3Client({ region: process.env.AWS_REGION ?? "us-east-1", ...(endpoint ? { endpoint, forcePathStyle: true } : {}) });
        const res = await s3.send(new GetObjectCommand({ Bucket: m[1], Key: m[2] }));
        const out = join(await tmp(), m[1] ?? "", keyPath(new URL(`s3://x/${m[2] ?? ""}`)));
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
  return {
    files,
    origins,
    failures,
    cleanup: async () => {
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}
