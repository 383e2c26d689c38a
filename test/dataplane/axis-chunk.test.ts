// The time coordinate (and char variables) are written by the planner in chunks of AXIS_CHUNK
// steps in new stores. Stores made before the ledger recorded `axisChunk` have the coordinate in
// the data's time chunks (one step an object); appending to them must keep that layout, or the
// chunks already written would be read with the wrong shape.
import { afterAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AXIS_CHUNK, ingest, openWritableStore, readConsolidated, readRegion, writeRegion, type Ledger } from "../../dataplane/index.js";
import { compareWithXarray } from "./xarray.js";
import { cycleAt, romsFile, tempDir } from "./fixtures.js";
import { forecasts as fc } from "../support/cycle-files.js";

const tmp = tempDir("dmac-axis-");
afterAll(() => tmp.cleanup());

const c00 = cycleAt("2023-10-22T00:00:00Z");
const files = fc(c00, [1, 2, 3, 4, 5]).map((f) => romsFile(join(tmp.path, "src"), f));

describe("chunks of the time coordinate", () => {
  it("a new store keeps its time coordinate in one chunk of AXIS_CHUNK steps and records it", async () => {
    const store = join(tmp.path, "new.zarr");
    const r = await ingest({ store, inputs: files.slice(0, 3) });
    expect(r.files.map((f) => f.status)).toEqual(["ingested", "ingested", "ingested"]);
    await ingest({ store, inputs: files.slice(3) });
    const zarray = JSON.parse(readFileSync(join(store, "ocean_time", ".zarray"), "utf8")) as { chunks: number[]; shape: number[] };
    expect(zarray).toMatchObject({ shape: [5], chunks: [AXIS_CHUNK] });
    expect(existsSync(join(store, "ocean_time", "0"))).toBe(true);
    expect(existsSync(join(store, "ocean_time", "1"))).toBe(false);
    // The data arrays still have one step a chunk.
    expect((JSON.parse(readFileSync(join(store, "zeta", ".zarray"), "utf8")) as { chunks: number[] }).chunks[0]).toBe(1);
    const state = await readConsolidated<Ledger>(await openWritableStore(store));
    expect(state?.ledger?.axisChunk).toBe(AXIS_CHUNK);
    const cmp = await compareWithXarray({ store, concatDim: "ocean_time", sources: files.map((p) => [p, 0]) });
    expect(cmp.detail).toBe("");
    expect(cmp.identical).toBe(true);
  });

  it("a store made before axisChunk existed keeps one step a chunk when appended to", async () => {
    const path = join(tmp.path, "old.zarr");
    await ingest({ store: path, inputs: files.slice(0, 3) });
    // Make it as older versions wrote it: the coordinate in one-step chunks, no axisChunk in the ledger.
    const store = await openWritableStore(path);
    const state = await readConsolidated<Ledger>(store);
    const node = state?.hierarchy.arrays.ocean_time;
    if (state?.ledger === undefined || node === undefined) throw new Error("no ledger or coordinate");
    const values = await readRegion({ store, path: "ocean_time", meta: node.meta, format: 2 });
    rmSync(join(path, "ocean_time", "0"));
    const oneStep = { ...node.meta, chunks: [1] };
    await writeRegion({ store, path: "ocean_time", meta: oneStep, format: 2 }, [0], [values.length], values);
    writeFileSync(join(path, "ocean_time", ".zarray"), JSON.stringify(oneStep));
    const doc = JSON.parse(readFileSync(join(path, ".zmetadata"), "utf8")) as { metadata: Record<string, unknown>; "dmac:ledger": Record<string, unknown> };
    doc.metadata["ocean_time/.zarray"] = oneStep;
    delete doc["dmac:ledger"].axisChunk;
    writeFileSync(join(path, ".zmetadata"), JSON.stringify(doc));

    const r = await ingest({ store: path, inputs: files.slice(3) });
    expect(r.files.map((f) => f.status)).toEqual(["ingested", "ingested"]);
    const zarray = JSON.parse(readFileSync(join(path, "ocean_time", ".zarray"), "utf8")) as { chunks: number[]; shape: number[] };
    expect(zarray).toMatchObject({ shape: [5], chunks: [1] });
    for (const i of [0, 1, 2, 3, 4]) expect(existsSync(join(path, "ocean_time", String(i)))).toBe(true);
    const after = await readConsolidated<Ledger>(store);
    expect(after?.ledger?.axisChunk).toBeUndefined();
    const cmp = await compareWithXarray({ store: path, concatDim: "ocean_time", sources: files.map((p) => [p, 0]) });
    expect(cmp.detail).toBe("");
    expect(cmp.identical).toBe(true);
  });
});
