// `dmac convert`'s count options (--inline-threshold, --level, -j): digits only, so an empty or
// hexadecimal value is refused naming the option instead of being read as a number. Parsed
// in-process by commander: option errors come before any file is touched.
import { describe, expect, it } from "vitest";
import { Command } from "commander";
import { registerConvert } from "../../apps/cli/commands/convert.js";

/** Parses a convert command line; resolves with the option error, if any. */
async function optionError(args: string[]): Promise<string | undefined> {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  registerConvert(program);
  for (const c of program.commands) c.exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  try {
    // --out and --references together: the action refuses them before reading any input.
    await program.parseAsync(["convert", "x.nc", "--out", "o.zarr", "--references", "r.json", ...args], { from: "user" });
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}

describe("dmac convert count options", () => {
  it("refuse an empty, hexadecimal, exponent or negative count, naming the option and the value", async () => {
    for (const option of ["--inline-threshold", "--level", "--concurrency"]) {
      for (const bad of ["", "0x10", "1e3", "-1", "2.5"]) {
        expect(await optionError([option, bad]), `${option} ${JSON.stringify(bad)}`).toContain(`${option} must be a non-negative integer, got ${JSON.stringify(bad)}`);
      }
    }
  });

  it("take 0 and plain digits (the error is then the action's, about --out and --references)", async () => {
    for (const option of ["--inline-threshold", "--level", "--concurrency"]) {
      for (const good of ["0", "12"]) expect(await optionError([option, good])).toMatch(/exactly one of --out STORE/);
    }
  });
});
