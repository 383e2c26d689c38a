// The images themselves: built once with `npm run images` (the Debian bases come from .images/cache
// when they are there: about 1 minute, else about 4), then run as the rendered Deployments run them:
// read-only root, uid 65532, tini as PID 1, no shell. Needs root, mmdebstrap, umoci, skopeo and
// podman (.ci/run installs them; images/containers-conf.sh makes podman run here).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { imageApps, readLock, type ImageApp, type ImageLock } from "../../images/lock.js";
import { ensureImages } from "../support/images.js";

const root = join(import.meta.dirname, "..", "..");
const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
const nodeApps = imageApps.filter((a) => a !== "ingest-worker");
const tools = ["mmdebstrap", "umoci", "skopeo", "podman"].filter((t) => spawnSync("sh", ["-c", `command -v ${t}`]).status !== 0);
let built: ImageLock;
let builtDir: string;
const committed = readLock();

function sh(command: string, args: readonly string[], timeout = 120_000): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(command, args, { cwd: root, encoding: "utf8", timeout, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const name = (app: ImageApp): string => `ghcr.io/ioos/dmac-${app}:${version}`;
/** How the rendered Deployments run our containers, minus the network. */
const restricted = ["run", "--rm", "--pull", "never", "--read-only", "--user", "65532", "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--network", "none"];

// Outside CI a machine without the container tools skips this suite, saying so; in CI it fails.
describe.skipIf(tools.length > 0 && process.env.CI === undefined)("images (npm run images)", () => {
  beforeAll(() => {
    if (tools.length > 0) console.warn(`test/images: missing ${tools.join(", ")}`);
    // Written to a temporary lock: the committed one is what the built images are compared with.
    ({ lock: built, dir: builtDir } = ensureImages());
  }, 1_200_000);

  it.each(nodeApps)("%s: `--version` prints the package version, read-only as 65532", (app) => {
    const r = sh("podman", [...restricted, name(app), "--version"]);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe(version);
    expect(r.status).toBe(0);
  });

  it("ingest-worker: `python -m ingest_worker --help`, read-only as 65532", () => {
    const r = sh("podman", [...restricted, name("ingest-worker"), "python", "-m", "ingest_worker", "--help"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("--tasks");
    // And the Dask entry points the DaskJob's scheduler and worker pods run.
    const dask = sh("podman", [...restricted, name("ingest-worker"), "dask-worker", "--version"]);
    expect(dask.status, dask.stderr).toBe(0);
  });

  it.each(imageApps)("%s: user 65532, tini as PID 1, no shell on the way or in the image", (app) => {
    const config = JSON.parse(sh("podman", ["image", "inspect", name(app)]).stdout)[0].Config as { User: string; Entrypoint: string[]; Cmd?: string[] };
    expect(config.User).toBe("65532:65532");
    expect(config.Entrypoint.slice(0, 2)).toEqual(["/usr/bin/tini", "--"]);
    if (app !== "ingest-worker") expect(config.Entrypoint.slice(2)).toEqual(["/usr/local/bin/node", "/app/bin/dmac.js"]);
    for (const word of [...config.Entrypoint, ...(config.Cmd ?? [])]) expect(word).not.toMatch(/(^|\/)(ba|da)?sh$/);
    const shell = sh("podman", [...restricted, "--entrypoint", "/bin/sh", name(app), "-c", "true"]);
    expect(shell.status).not.toBe(0);
    expect(shell.stderr).toMatch(/no such file or directory/);
  });

  it("the Node images carry the native codecs, loadable against the image's libdeflate and liblz4", () => {
    const r = sh("podman", [...restricted, "--entrypoint", "/usr/local/bin/node", name("data-api"), "-e",
      "console.log(Object.keys(require('/app/native/build/dmac_codecs.node')).sort().join(','))"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("deflate,deflateBound,inflate,lz4,unshuffle");
  });

  it("the viewer image carries its browser bundle, made at build time: no esbuild in the image", () => {
    const r = sh("podman", [...restricted, "--entrypoint", "/usr/local/bin/node", name("viewer"), "-e",
      "import('/app/dist/apps/viewer/bundle.js').then((m) => { const b = m.prebuiltBundle(); let esbuild = true; try { require.resolve('esbuild', { paths: ['/app'] }); } catch { esbuild = false; } console.log(JSON.stringify({ viewer: b?.files.has('viewer.js') ?? false, esbuild })); })"]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual({ viewer: true, esbuild: false });
  });

  // The lock's digests are what the rendered tree pins. From the same inputs (sources, package-lock,
  // Node, build scripts, last commit of the sources) and the same Debian packages, a build gives the
  // same digests. Debian's mirror changes at point releases: then the lock's images (published to
  // GHCR) cannot be rebuilt bit for bit, which is said, not failed; the next `npm run images` takes
  // the new packages. Changed inputs with an unchanged lock fail: the tree would deploy old code.
  it.each(imageApps)("%s: the committed lock's digest is what these inputs build", (app) => {
    const lock = committed.images[app];
    const now = built.images[app];
    expect(now.inputs, `${app}: images/images.lock.json is older than its inputs: commit, then \`npm run images\`, \`npm run synth\`, and commit the lock and the tree`).toBe(lock.inputs);
    if (now.debianPackages !== lock.debianPackages) {
      console.warn(`test/images: ${app}: Debian's packages changed on the mirror since the lock (see git diff --no-index images/packages/ ${join(builtDir, "packages")}); the digest cannot be compared`);
      return;
    }
    expect(now.digest).toBe(lock.digest);
  });
});
