// Child process for native-codecs.test.ts, started with DMAC_NATIVE_CODECS=off: the pure-Node
// codec path (node:zlib, lz4-napi, numcodecs' WebAssembly blosc) does the same work as the
// native one in the parent, which compares. argv[2] is a JSON job; stdout gets one JSON answer.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { ingest, type IngestOptions } from "../../dataplane/index.js";
import { nativeCodecs } from "../../dataplane/native-codecs.js";
import { decodeChunk, type V2Compressor } from "../../dataplane/zarr/codecs.js";

export interface ChildJob {
  /** Files holding one encoded chunk each, decoded with decodeChunk(compressor). */
  decode?: Array<{ path: string; compressor: V2Compressor }>;
  ingest?: Array<Pick<IngestOptions, "store" | "inputs" | "encoding" | "format">>;
}

export interface ChildAnswer {
  /** Whether this process loaded the addon (it must not have). */
  native: boolean;
  /** sha256 (hex) of each decoded chunk, or "error: <message>". */
  decoded: string[];
}

const arg = process.argv[2];
if (arg === undefined) throw new Error("usage: native-codecs-child '<json job>'");
const job = JSON.parse(arg) as ChildJob;
const decoded: string[] = [];
for (const d of job.decode ?? []) {
  try {
    decoded.push(createHash("sha256").update(await decodeChunk(d.compressor, readFileSync(d.path))).digest("hex"));
  } catch (err) {
    decoded.push(`error: ${(err as Error).message}`);
  }
}
for (const opts of job.ingest ?? []) await ingest({ ...opts, concurrency: 0 });
const answer: ChildAnswer = { native: nativeCodecs !== undefined, decoded };
process.stdout.write(JSON.stringify(answer));
