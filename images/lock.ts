// images/images.lock.json: the image every deployable runs, written by `npm run images`
// (images/build.ts) and read by `npm run synth` (clusters/environments.ts, crds/samples.ts), so the
// rendered tree pins `repository:tag@sha256:digest` and `synth --check` fails when lock and tree disagree.
// Read from the file system at render time, never imported as a module: the lock must not become an
// input of the images it describes.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The images `npm run images` builds; the event bridge gets one when its command exists (issue 17). */
export const imageApps = ["operator", "catalog-api", "data-api", "viewer", "ingest-worker"] as const;
export type ImageApp = (typeof imageApps)[number];

export interface LockedImage {
  /** e.g. ghcr.io/ioos/dmac-operator */
  readonly repository: string;
  readonly tag: string;
  /** Digest of the OCI manifest: the same here, in GHCR and in a mirror (skopeo --preserve-digests). */
  readonly digest: string;
  /** sha256 over everything the build reads (sources, package-lock, Node version, build scripts, Debian package list). */
  readonly inputs: string;
  /** sha256 of the Debian packages (name=version) in the image's base; images/packages/<base>.txt lists them. */
  readonly debianPackages: string;
  /** Seconds since the epoch every timestamp in the image is set to (SOURCE_DATE_EPOCH). */
  readonly sourceDateEpoch: number;
  /** Sum of the gzip-compressed layers (what a pull downloads) and of the uncompressed layer tars. */
  readonly compressedBytes: number;
  readonly uncompressedBytes: number;
}

export interface ImageLock {
  readonly images: Readonly<Record<ImageApp, LockedImage>>;
}

const here = dirname(fileURLToPath(import.meta.url));

/** The committed lock beside this module's source (also found from dist/images/), or $DMAC_IMAGES_LOCK. */
export function lockPath(): string {
  const override = process.env.DMAC_IMAGES_LOCK;
  if (override !== undefined && override !== "") return override;
  for (let dir = here; ; dir = dirname(dir)) {
    for (const candidate of [join(dir, "images.lock.json"), join(dir, "images", "images.lock.json")]) if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return join(here, "images.lock.json");
  }
}

const digestPattern = /^sha256:[a-f0-9]{64}$/;
const tagPattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const repositoryPattern = /^[a-z0-9.-]+(?::[0-9]+)?\/[a-z0-9._/-]+$/;

/** Parses and checks a lock; every error names the file and the field. */
export function parseLock(text: string, where: string): ImageLock {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: not JSON: ${(error as Error).message}`);
  }
  const images = (doc as { images?: unknown } | null)?.images;
  if (typeof images !== "object" || images === null) throw new Error(`${where}: no "images" object`);
  const unknown = Object.keys(images).filter((k) => !(imageApps as readonly string[]).includes(k));
  if (unknown.length > 0) throw new Error(`${where}: unknown image(s) ${unknown.join(", ")} (known: ${imageApps.join(", ")})`);
  for (const app of imageApps) {
    const entry = (images as Record<string, unknown>)[app] as Record<string, unknown> | undefined;
    const at = `${where}: images.${app}`;
    if (entry === undefined) throw new Error(`${at}: missing (run \`npm run images\`)`);
    const check = (field: string, ok: (v: unknown) => boolean, what: string): void => {
      if (!ok(entry[field])) throw new Error(`${at}.${field}: ${JSON.stringify(entry[field])} is not ${what}`);
    };
    check("repository", (v) => typeof v === "string" && repositoryPattern.test(v), "a repository (host/path)");
    check("tag", (v) => typeof v === "string" && tagPattern.test(v) && v !== "latest", "a version tag");
    for (const field of ["digest", "inputs", "debianPackages"]) check(field, (v) => typeof v === "string" && digestPattern.test(v), "sha256:<64 hex>");
    for (const field of ["sourceDateEpoch", "compressedBytes", "uncompressedBytes"]) check(field, (v) => Number.isSafeInteger(v) && (v as number) >= 0, "a whole number");
  }
  return doc as ImageLock;
}

export function readLock(path = lockPath()): ImageLock {
  if (!existsSync(path)) throw new Error(`${path}: no image lock (run \`npm run images\`)`);
  return parseLock(readFileSync(path, "utf8"), path);
}

/** `repository:tag@sha256:...`: the tag for people, the digest for the kubelet. */
export function pinnedReference(image: LockedImage): string {
  return `${image.repository}:${image.tag}@${image.digest}`;
}

/** The pinned reference of one app's image from the committed lock (read once). */
export function pinnedImage(app: ImageApp): string {
  cached ??= readLock();
  return pinnedReference(cached.images[app]);
}
let cached: ImageLock | undefined;
