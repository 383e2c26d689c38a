// Assembles images with umoci in one OCI layout (.images/oci): each layer is a deterministic tar
// added verbatim (umoci gzips it), the config's every timestamp is the epoch. The manifest digest in
// the layout is the digest a registry gets: skopeo copies with --preserve-digests.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { deterministicTar, run } from "./exec.js";

export interface ImageConfig {
  readonly user: string;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly workingDir: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface LayerSource {
  /** For the history entry. */
  readonly name: string;
  /** A root whose contents become the layer. */
  readonly dir: string;
}

export interface BuiltImage {
  readonly ref: string;
  readonly digest: string;
  readonly compressedBytes: number;
  readonly uncompressedBytes: number;
}

/** A fresh OCI layout. */
export function initLayout(layout: string): void {
  rmSync(layout, { recursive: true, force: true });
  run("umoci", ["init", "--layout", layout]);
}

/** Tars each layer root once (several images share them) and returns the tar paths. */
export function tarLayers(layers: readonly LayerSource[], tarDir: string, epoch: number): Map<string, string> {
  mkdirSync(tarDir, { recursive: true });
  const tars = new Map<string, string>();
  for (const layer of layers) {
    const tar = join(tarDir, `${layer.name}.tar`);
    if (!existsSync(tar)) deterministicTar(layer.dir, tar, epoch);
    tars.set(layer.name, tar);
  }
  return tars;
}

export function assemble(layout: string, ref: string, layerTars: readonly { name: string; tar: string }[], config: ImageConfig, epoch: number): BuiltImage {
  const image = `${layout}:${ref}`;
  const created = new Date(epoch * 1000).toISOString().replace(/\.000Z$/, "Z");
  run("umoci", ["new", "--image", image]);
  for (const layer of layerTars) {
    run("umoci", ["raw", "add-layer", "--image", image, "--history.created", created, "--history.created_by", `images/build.ts: ${layer.name}`, layer.tar]);
  }
  run("umoci", [
    "config", "--image", image, "--no-history", "--created", created, "--author", "ioos/nextgen-dmac images/build.ts",
    "--architecture", "amd64", "--os", "linux",
    "--config.user", config.user, "--config.workingdir", config.workingDir,
    ...config.entrypoint.flatMap((e) => ["--config.entrypoint", e]),
    ...config.cmd.flatMap((c) => ["--config.cmd", c]),
    ...Object.entries(config.env).flatMap(([k, v]) => ["--config.env", `${k}=${v}`]),
    ...Object.entries(config.labels).sort(([a], [b]) => a.localeCompare(b)).flatMap(([k, v]) => ["--config.label", `${k}=${v}`]),
  ]);
  const index = JSON.parse(readFileSync(join(layout, "index.json"), "utf8")) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  const descriptor = index.manifests.find((m) => m.annotations?.["org.opencontainers.image.ref.name"] === ref);
  if (descriptor === undefined) throw new Error(`umoci: no ${ref} in ${layout}/index.json`);
  const blob = (digest: string): string => join(layout, "blobs", "sha256", digest.slice("sha256:".length));
  const manifest = JSON.parse(readFileSync(blob(descriptor.digest), "utf8")) as { layers: { size: number }[] };
  return {
    ref,
    digest: descriptor.digest,
    compressedBytes: manifest.layers.reduce((n, l) => n + l.size, 0),
    uncompressedBytes: layerTars.reduce((n, l) => n + statSync(l.tar).size, 0),
  };
}

/** Copies an image from the layout into podman's storage under `name` (no registry involved). */
export function loadIntoPodman(layout: string, ref: string, name: string): void {
  run("skopeo", ["copy", "--quiet", "--preserve-digests", `oci:${layout}:${ref}`, `containers-storage:${name}`]);
}

/** Pushes an image from the layout to a registry, keeping its digest. Credentials: `skopeo login` (or REGISTRY_AUTH_FILE). */
export function push(layout: string, ref: string, destination: string): void {
  run("skopeo", ["copy", "--preserve-digests", "--retry-times", "3", `oci:${layout}:${ref}`, `docker://${destination}`], { stdio: ["ignore", "inherit", "inherit"] });
}
