// Builds native/build/dmac_codecs.node with the system C compiler against Node's own headers
// (<node prefix>/include/node) and Debian's libdeflate-dev and liblz4-dev. Runs at `npm ci`
// (postinstall). node-gyp is not used: it downloads headers from nodejs.org, which machines
// without internet cannot reach, and one C file needs no build system.
//
// A machine without a compiler or the libraries still works: the data plane falls back to
// node:zlib and lz4-napi (slower). DMAC_NATIVE_REQUIRED=1 makes a failed build an error (CI).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, "dmac_codecs.c");
const out = join(here, "build", "dmac_codecs.node");
const required = process.env.DMAC_NATIVE_REQUIRED === "1";
const headers = [join(dirname(dirname(process.execPath)), "include", "node"), "/usr/include/node", "/usr/local/include/node"].find((d) => existsSync(join(d, "node_api.h")));

function give_up(reason) {
  const message = `dmac native codecs not built: ${reason}. The data plane will use node:zlib and lz4-napi (slower). Install a C compiler, libdeflate-dev and liblz4-dev, then run \`npm run build:native\`.`;
  if (required) {
    console.error(message);
    process.exit(1);
  }
  console.warn(message);
  process.exit(0);
}

if (existsSync(out) && statSync(out).mtimeMs > statSync(source).mtimeMs && process.argv[2] !== "--force") process.exit(0);
if (headers === undefined) give_up(`no node_api.h under ${dirname(dirname(process.execPath))}/include/node`);
mkdirSync(dirname(out), { recursive: true });
const partial = `${out}.${process.pid}.tmp`;
const cc = process.env.CC ?? "cc";
// -Werror only where the build is required (CI): elsewhere a newer compiler's new warning
// should not silently switch a machine to the slow path.
const args = ["-O3", "-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra", ...(required ? ["-Werror"] : []), "-fPIC", "-shared", "-fvisibility=hidden", `-I${headers}`, source, "-o", partial, "-ldeflate", "-llz4"];
const run = spawnSync(cc, args, { stdio: ["ignore", "inherit", "pipe"], encoding: "utf8" });
if (run.error !== undefined) give_up(`${cc}: ${run.error.message}`);
if (run.status !== 0) give_up(`${cc} ${args.join(" ")} failed:\n${run.stderr}`);
// Renamed into place so a reader never loads a half-written library.
renameSync(partial, out);
console.log(`dmac native codecs built: ${out}`);
