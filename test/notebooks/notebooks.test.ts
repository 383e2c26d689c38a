// The notebooks (notebooks/*.ipynb) a scientist runs, executed top to bottom against a live local
// platform: startLocalPlatform ingests the shipped samples, then each notebook runs with Debian's
// jupyter-nbclient and python3 kernel (/usr/bin/python3: xarray, zarr, dask, matplotlib from
// Debian) pointed at the platform by its two settings (DMAC_API_BASE, DMAC_STORAGE_OPTIONS). A cell
// that raises fails the test; every notebook must produce its figures, each a PNG that is not blank.
// The platform's sample derived Dataset (CBOFS's daily maximum water level, a derived IngestJob) is
// there too: analyse.ipynb must find it and check it against its own dask computation.
// The notebooks in Git carry no outputs, and the Nebari ConfigMap ships every one of them.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalPlatform, type LocalPlatform } from "../../apps/local-platform/index.js";
import { notebookFiles } from "../../infra/nebari-users.js";
import { createLogger } from "../../operators/runtime/index.js";
import { until } from "../support/until.js";

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, "../..");
const notebooksDir = join(repoRoot, "notebooks");
const artifacts = join(repoRoot, "test-artifacts", "notebooks");
const silent = createLogger("test", "silent", new Writable({ write: (_c, _e, cb) => cb() }));

/** Figures each notebook draws (its plt.show() cells). */
const FIGURES: Record<string, number> = { "find.ipynb": 1, "look.ipynb": 3, "analyse.ipynb": 2, "model-vs-observations.ipynb": 2 };

interface Cell {
  cell_type: string;
  outputs?: unknown[];
  execution_count?: number | null;
}
interface Executed {
  notebook: string;
  /** Everything the cells printed. */
  text: string;
  error: string | null;
  errors: Array<{ cell: number; ename: string; evalue: string }>;
  pngs: Array<{ cell: number; bytes: number; width: number; height: number; colours: number; nonWhite: number }>;
}

const notebooks = readdirSync(notebooksDir).filter((f) => f.endsWith(".ipynb")).sort();

/** The sample derived Dataset (crds/samples.ts): CBOFS's daily maximum water level, kept current by npm start. */
const DERIVED = "maracoos-cbofs-zeta-daily-max";

describe("notebooks in Git", () => {
  it("are the tasks, kept without outputs, on the python3 kernel, and all shipped to Nebari", () => {
    expect(notebooks).toEqual(Object.keys(FIGURES).sort());
    for (const name of notebooks) {
      const nb = JSON.parse(readFileSync(join(notebooksDir, name), "utf8")) as { cells: Cell[]; metadata: { kernelspec?: { name?: string } } };
      expect(nb.metadata.kernelspec?.name, name).toBe("python3");
      for (const [k, cell] of nb.cells.entries()) {
        if (cell.cell_type !== "code") continue;
        expect(cell.outputs, `${name} cell ${k}: outputs are stripped in Git`).toEqual([]);
        expect(cell.execution_count, `${name} cell ${k}`).toBeNull();
      }
    }
    expect(Object.keys(notebookFiles())).toEqual(expect.arrayContaining([...notebooks, "dmac_access.py", "environment.yml"]));
  });
});

describe("notebooks against a live local platform", () => {
  const dir = mkdtempSync(join(tmpdir(), "dmac-notebooks-"));
  let platform: LocalPlatform | undefined;
  afterAll(async () => {
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeAll(async () => {
    platform = await startLocalPlatform({ dataDir: dir, portBase: 0, repoRoot, log: silent });
    const viewerUrl = platform.viewerUrl;
    // The model samples the notebooks read (the platform also ships station observations).
    await until(
      "both model samples in the data API",
      async () => {
        const listed = (await (await fetch(`${viewerUrl}/data/datasets`)).json()) as string[];
        return ["gcoos-ngofs2-nowcast", "maracoos-cbofs-best-forecast"].every((id) => listed.includes(id));
      },
      240_000,
      { intervalMs: 500 },
    );
    // The notebooks search the catalog by time: wait until every collection carries its extents.
    await until(
      "both model collections in the STAC API with their time extents",
      async () => {
        const body = (await (await fetch(`${viewerUrl}/catalog/collections`)).json()) as { collections?: Array<{ id: string; extent: { temporal: { interval: Array<Array<string | null>> } } }> };
        const models = (body.collections ?? []).filter((c) => ["cbofs-best-forecast", "gcoos-ngofs2-nowcast"].includes(c.id));
        return models.length === 2 && models.every((c) => c.extent.temporal.interval[0]?.[1] !== null);
      },
      120_000,
      { intervalMs: 500 },
    );
    await until(
      "the derived daily maximum in the data API",
      async () => ((await (await fetch(`${viewerUrl}/data/datasets`)).json()) as string[]).includes(DERIVED),
      120_000,
      { intervalMs: 500 },
    );
    mkdirSync(artifacts, { recursive: true });
  }, 400_000);

  for (const name of Object.keys(FIGURES)) {
    it(`${name} runs top to bottom without an error cell and draws its ${FIGURES[name]} figure(s), none blank`, async () => {
      const { stdout } = await run("/usr/bin/python3", [join(repoRoot, "test", "notebooks", "run_notebook.py"), join(notebooksDir, name), join(artifacts, name)], {
        // The kernel draws with Jupyter's inline backend (PNG outputs): an MPLBACKEND from outside would replace it.
        env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== "MPLBACKEND")), DMAC_API_BASE: platform!.viewerUrl, DMAC_STORAGE_OPTIONS: "{}" },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 540_000,
      });
      const result = JSON.parse(stdout) as Executed;
      expect(result.error, `${name}: ${result.error ?? ""}`).toBeNull();
      expect(result.errors).toEqual([]);
      expect(result.pngs).toHaveLength(FIGURES[name] as number);
      if (name === "analyse.ipynb") expect(result.text).toContain("the derived daily max of zeta equals the dask computation");
      for (const png of result.pngs) {
        expect(png.width * png.height, `${name} cell ${png.cell}`).toBeGreaterThan(100 * 100);
        // Not blank: many colours (a field, not a frame) and a good share of the picture drawn on.
        expect(png.colours, `${name} cell ${png.cell}`).toBeGreaterThan(100);
        expect(png.nonWhite, `${name} cell ${png.cell}`).toBeGreaterThan(0.05);
      }
    }, 600_000);
  }
});
