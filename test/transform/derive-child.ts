// Child process for the kill -9 test: one derived update of TARGET from SOURCE that kills itself
// with SIGKILL at a chosen point: "stage:N" after the Nth chunk written to staging (before the
// journal), "apply:N" after the Nth staged chunk copied into place (after the journal).
import { derive, computeLocal } from "../../dataplane/transform/derive.js";
import type { TransformOptions } from "../../dataplane/transform/options.js";

const [source, target, transformJson, killAt] = process.argv.slice(2);
if (source === undefined || target === undefined || transformJson === undefined || killAt === undefined) throw new Error("usage: derive-child SOURCE TARGET TRANSFORM_JSON stage:N|apply:N");
const [phase, n] = killAt.split(":") as ["stage" | "apply", string];
const die = () => process.kill(process.pid, "SIGKILL");
await derive({
  source,
  target,
  transform: JSON.parse(transformJson) as TransformOptions,
  layout: { sourceName: "test/source" },
  compute: async (work) => {
    if (phase === "stage") {
      const set = work.staging.set.bind(work.staging);
      let written = 0;
      work.staging.set = async (key, value) => {
        await set(key, value);
        if (++written === Number(n)) die();
      };
    }
    return computeLocal(work);
  },
  hooks: {
    afterChunk: (done) => {
      if (phase === "apply" && done === Number(n)) die();
    },
  },
});
process.stdout.write("done\n");
