// `dmac validate PATH...`: the pull-request check for clusters/. Offline: schemas come from crds/.
import type { Command } from "commander";
import { customResourceDefinitions } from "../../../crds/index.js";
import { formatDiagnostic, validateFiles, type CrdLike } from "../../../crds/validation/index.js";

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("Validate custom-resource YAML files (IngestJob, Dataset, CatalogEntry) against the generated schemas and CEL rules")
    .argument("<paths...>", "YAML files or directories (searched recursively for *.yaml, *.yml)")
    .option("--quiet", "print only problems")
    .action(async (paths: string[], options: { quiet?: boolean }) => {
      const report = await validateFiles(paths, customResourceDefinitions as unknown as CrdLike[]);
      for (const diagnostic of report.diagnostics) console.error(formatDiagnostic(diagnostic));
      const summary = `${report.files} files: ${report.validated} dmac resources validated, ${report.skipped} other objects skipped, ${report.diagnostics.length} errors`;
      if (report.diagnostics.length > 0) {
        console.error(summary);
        process.exitCode = 1;
      } else if (!options.quiet) {
        console.log(summary);
      }
    });
}
