// A new embedded catalog starts as a copy of the initialised data directory bin/build.mjs makes
// (catalog/store/pglite.ts: no initdb inside `dmac up`, about 450 MiB less at first start); an
// existing catalog is opened as it is, never overwritten by the template. Real PGlite throughout.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makePgliteTemplate, openPgliteClient } from "../../catalog/index.js";

describe("the PGlite data-directory template", () => {
  const dir = mkdtempSync(join(tmpdir(), "pglite-template-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("starts an empty or missing catalog directory from the template and keeps an existing one", async () => {
    const template = join(dir, "template");
    await makePgliteTemplate(template);
    expect(existsSync(join(template, "PG_VERSION"))).toBe(true);

    const catalog = join(dir, "catalog");
    mkdirSync(catalog); // `dmac up` makes the directory before the catalog opens it
    const first = await openPgliteClient(catalog, template);
    await first.query("CREATE TABLE kept (n int)");
    await first.query("INSERT INTO kept VALUES (42)");
    await first.close();
    expect(existsSync(`${catalog}.from-template`)).toBe(false);

    const again = await openPgliteClient(catalog, template);
    expect(await again.query<{ n: number }>("SELECT n FROM kept")).toEqual([{ n: 42 }]);
    await again.close();
    // The template itself is untouched by the catalogs made from it.
    const fresh = await openPgliteClient(join(dir, "missing"), template);
    expect(await fresh.query("SELECT to_regclass('kept') AS t")).toEqual([{ t: null }]);
    await fresh.close();
  }, 180_000);
});
