// QC throughput on a CBOFS-sized field: 24 time steps x 20 levels x 100 x 150 float32 values
// (7.2 M values), all four QARTOD tests, read one time step at a time. Not a test; run with
//   npx tsc -p tsconfig.json --outDir /tmp/qc-bench && node /tmp/qc-bench/test/qc/bench.js
import { createVariableChecker } from "../../dataplane/qc/qartod.js";
import type { QcVariable } from "../../dataplane/qc/types.js";

const [T, Z, Y, X] = [24, 20, 100, 150];
const perStep = Z * Y * X;
const variable: QcVariable = { name: "temp", dtype: "<f4", dims: ["ocean_time", "s_rho", "eta_rho", "xi_rho"], shape: [T, Z, Y, X], attrs: {}, fillValue: 1e37 };
const step = (t: number) => Float32Array.from({ length: perStep }, (_, i) => 10 + 0.1 * t + (i % 97) * 0.01 + (i % 13 === 0 && t === 7 ? 8 : 0));
const slabs = Array.from({ length: T }, (_, t) => step(t));

for (const run of [1, 2, 3]) {
  const before = process.memoryUsage().rss;
  const started = performance.now();
  const checker = createVariableChecker(variable, {
    variable: "temp",
    grossRange: { failMin: -2, failMax: 35, suspectMin: 0, suspectMax: 30 },
    spike: { suspectThreshold: 2, failThreshold: 4 },
    rateOfChange: { threshold: 3 },
    flatLine: { tolerance: 0.0001, suspectCount: 3, failCount: 5 },
  }, 0);
  for (const slab of slabs) checker.push(slab, 1);
  const result = checker.finish();
  const seconds = (performance.now() - started) / 1000;
  const values = T * perStep;
  console.log(`run ${run}: ${values} values in ${seconds.toFixed(2)} s = ${(values / seconds / 1e6).toFixed(1)} M values/s; spike fails ${result.tests.spike?.counts.fail}; rss +${((process.memoryUsage().rss - before) / 2 ** 20).toFixed(0)} MiB`);
}
