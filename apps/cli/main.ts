// The `dmac` command-line program. Each subcommand lives in its own module under
// ./commands and registers itself here; later features add a module and one line below.
import { Command } from "commander";
import { registerValidate } from "./commands/validate.js";
import { registerControlPlane } from "./commands/control-plane.js";
import { registerConvert } from "./commands/convert.js";
import { registerServe } from "./commands/serve.js";
import { registerOperator } from "./commands/operator.js";
import { registerUp } from "./commands/up.js";
import { registerEventBridge } from "./commands/event-bridge.js";

export function buildProgram(): Command {
  const program = new Command("dmac")
    .description("IOOS Next-Gen DMAC: declarative ingest of ocean model data to Zarr, STAC and EDR")
    .version("0.1.0")
    .showHelpAfterError();
  registerValidate(program);
  registerControlPlane(program);
  registerConvert(program);
  registerServe(program);
  registerOperator(program);
  registerUp(program);
  registerEventBridge(program);
  return program;
}

const isEntry = process.argv[1] !== undefined && /(?:^|[\\/])(?:dmac(?:\.js)?|main\.[jt]s)$/.test(process.argv[1]);
if (isEntry) {
  await buildProgram().parseAsync(process.argv);
}
