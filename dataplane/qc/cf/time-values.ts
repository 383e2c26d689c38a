// CF 1.11 §5: a coordinate variable must be strictly monotonic and have no missing values. For
// time this matters twice: the QARTOD tests run along it, and the ingest orders steps by it.
import { makeUnpacker } from "../packing.js";
import type { QcValues, QcVariable } from "../types.js";
import type { CfFinding } from "./findings.js";

export function checkTimeValues(variable: QcVariable, values: QcValues): CfFinding[] {
  const unpack = makeUnpacker(variable);
  const at = (i: number) => unpack(Number(values[i]));
  const add = (code: string, message: string): CfFinding[] => [{ severity: "error", code, variable: variable.name, message }];
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(at(i))) return add("time.missing-values", `time coordinate value at index ${i} is missing (fill, NaN or outside the valid range)`);
  }
  if (values.length < 2) return [];
  const direction = Math.sign(at(1) - at(0));
  for (let i = 1; i < values.length; i++) {
    const step = Math.sign(at(i) - at(i - 1));
    if (step === 0 || step !== direction) {
      return add("time.not-monotonic", `time coordinate is not strictly monotonic at index ${i} (${at(i - 1)} then ${at(i)})`);
    }
  }
  return [];
}
