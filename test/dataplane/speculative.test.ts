// Appends copy files while the ingest still inspects the rest (executor/speculative.ts). Every
// runTask call on this thread is recorded (the real runTask still does the work), so the tests
// see which file was copied when and how often, and compare the store with xarray's combination
// of the sources and with a run on worker threads, where nothing is speculative.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { basename, join } from "node:path";
import type { IngestTask, TaskResult } from "../../dataplane/task.js";

const spy = vi.hoisted(() => ({
  /** "run:<task id>" per runTask call and "inspect:<file>" per inspect progress event, in order. */
  log: [] as string[],
  calls: [] as IngestTask[],
  /** While set, runTask calls wait for it before copying (to hold copies "running"). */
  gate: undefined as Promise<void> | undefined,
}));

vi.mock("../../dataplane/executor/run-task.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../dataplane/executor/run-task.js")>();
  return {
    ...real,
    runTask: async (task: IngestTask): Promise<TaskResult> => {
      spy.calls.push(task);
      spy.log.push(`run:${task.id}`);
      if (spy.gate !== undefined) await spy.gate;
      return real.runTask(task);
    },
  };
});

// Chains of multi-step chunks are copied chunk by chunk inline: each of their tasks counts as one copy.
vi.mock("../../dataplane/executor/chain-by-chunk.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../dataplane/executor/chain-by-chunk.js")>();
  return {
    ...real,
    runChainByChunk: async (chain: readonly IngestTask[]): Promise<TaskResult[]> => {
      for (const task of chain) {
        spy.calls.push(task);
        spy.log.push(`run:${task.id}`);
      }
      return real.runChainByChunk(chain);
    },
  };
});

import { buildHierarchy, FileStore, ingest, openSource, readRegion, runLocal, type Candidate, type DatasetTemplate, type IngestOptions, type IngestReport, type LedgerStep } from "../../dataplane/index.js";
import { SpeculativeCopy, oneStepChunks, sameWrites } from "../../dataplane/executor/speculative.js";
import { readFileFacts } from "../../dataplane/aggregate/file-facts.js";
import { compareWithXarray } from "./xarray.js";
import { cycleAt, fvcomFile, romsFile, tempDir, truncatedCopy } from "./fixtures.js";
import { forecasts } from "../support/cycle-files.js";
import { storeDigest, storeFiles } from "./store-snapshot.js";

const tmp = tempDir("dmac-spec-");
afterAll(() => tmp.cleanup());
const c00 = cycleAt("2023-10-22T00:00:00Z");
const HOUR = 3_600_000;

beforeEach(() => {
  spy.log.length = 0;
  spy.calls.length = 0;
  spy.gate = undefined;
});

function gate(): { open: () => void } {
  let open = (): void => undefined;
  spy.gate = new Promise<void>((resolve) => (open = resolve));
  return { open };
}

/** Lets pending promise callbacks (and runTask's first awaits) run. */
const settleDown = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

// A copy whose outcome never settles would hang finish(): fail fast instead.
describe("SpeculativeCopy", { timeout: 20_000 }, () => {
  let files: string[];
  let template: DatasetTemplate;
  let n = 0;
  beforeAll(async () => {
    files = forecasts(c00, [1, 2, 3, 4]).map((f) => romsFile(join(tmp.path, "unit"), f));
    template = (await readFileFacts({ input: files[0] as string })).template;
  });

  const file = (i: number): string => files[i] as string;
  const cand = (i: number, t: number, id = file(i)): Candidate => ({ id, source: basename(id), times: [t] });
  const copier = (lanes: number, existing: Record<string, LedgerStep[]> = {}): { spec: SpeculativeCopy; store: string } => {
    const store = join(tmp.path, `unit-${n++}.zarr`);
    return { store, spec: new SpeculativeCopy({ type: "append", existing, template, hierarchyFor: (lengths) => buildHierarchy(template, lengths, {}), store: { url: store, zarrFormat: 2 }, lanes }) };
  };
  const launched = (): Array<[string, number[]]> => spy.calls.map((t) => [basename(t.id), t.steps.map((s) => s.target)]);

  it("settled out of order, files are copied in input order at the partial plan's targets", async () => {
    const { spec, store } = copier(4);
    spec.settle(2, cand(2, 3 * HOUR));
    spec.settle(1, cand(1, 2 * HOUR));
    expect(spy.calls).toEqual([]);
    spec.settle(0, cand(0, HOUR));
    expect(launched()).toEqual([0, 1, 2].map((i) => [basename(file(i)), [i]]));
    // Each task's arrays are sized by the plan of the files seen when it started.
    expect(spy.calls.map((t) => t.arrays.find((a) => a.variable === "zeta")?.zarray.shape[0])).toEqual([1, 2, 3]);

    const done = await spec.finish();
    expect([...done.keys()]).toEqual([file(0), file(1), file(2)]);
    for (const [i, id] of [file(0), file(1), file(2)].entries()) {
      const o = done.get(id);
      expect(o?.error).toBeUndefined();
      expect(o).toMatchObject({ group: "", writes: [{ source: 0, target: i }], result: { id, chunks: expect.any(Number) } });
      expect(o?.result?.chunks).toBeGreaterThan(0);
    }
    // The chunks hold the sources' values at those indices.
    const meta = buildHierarchy(template, { "": 3 }, {}).arrays.zeta?.meta;
    if (meta === undefined) throw new Error("no zeta array");
    const stored = await readRegion({ store: new FileStore(store), path: "zeta", meta, format: 2 });
    const per = stored.length / 3;
    for (let i = 0; i < 3; i++) {
      const src = await openSource(file(i));
      const want = await src.read("zeta", [0, 0, 0], [1, 5, 7]);
      src.close();
      const step = stored.subarray(i * per, (i + 1) * per);
      expect(want.length).toBe(per);
      expect(Buffer.from(step.buffer, step.byteOffset, step.byteLength)).toEqual(Buffer.from(want.buffer, want.byteOffset, want.byteLength));
    }
  });

  it("a refused file (null) is passed over and takes no index", async () => {
    const { spec } = copier(2);
    spec.settle(0, cand(0, HOUR));
    spec.settle(1, null);
    spec.settle(2, cand(2, 3 * HOUR));
    expect(launched()).toEqual([
      [basename(file(0)), [0]],
      [basename(file(2)), [1]],
    ]);
    expect([...(await spec.finish()).keys()]).toEqual([file(0), file(2)]);
  });

  it("a tie with, or a time before, the latest first time stops launching for good", async () => {
    const tie = copier(4);
    tie.spec.settle(0, cand(0, HOUR));
    tie.spec.settle(1, cand(1, HOUR));
    tie.spec.settle(2, cand(2, 3 * HOUR));
    expect(launched()).toEqual([[basename(file(0)), [0]]]);
    expect([...(await tie.spec.finish()).keys()]).toEqual([file(0)]);

    spy.calls.length = 0;
    const earlier = copier(4);
    earlier.spec.settle(0, cand(0, 2 * HOUR));
    earlier.spec.settle(1, cand(1, 3 * HOUR));
    earlier.spec.settle(2, cand(2, HOUR));
    earlier.spec.settle(3, cand(3, 4 * HOUR));
    expect(launched()).toEqual([
      [basename(file(0)), [0]],
      [basename(file(1)), [1]],
    ]);
    expect([...(await earlier.spec.finish()).keys()]).toEqual([file(0), file(1)]);
  });

  it("targets follow the store's committed steps; a file the partial plan refuses is not copied", async () => {
    const existing = { "": [HOUR, 2 * HOUR].map((t) => ({ t, source: `old-${t}.nc` })) };
    const { spec } = copier(2, existing);
    spec.settle(0, cand(0, 1.5 * HOUR)); // between two committed steps: refused by append
    spec.settle(1, cand(1, 3 * HOUR));
    expect(launched()).toEqual([[basename(file(1)), [2]]]);
    expect(spy.calls[0]?.arrays[0]?.zarray.shape[0]).toBe(3);
    await spec.finish();
  });

  it("finish() waits for started copies, returns only them and drops the queued ones", async () => {
    const hold = gate();
    const { spec } = copier(1);
    spec.settle(0, cand(0, HOUR));
    spec.settle(1, cand(1, 2 * HOUR));
    spec.settle(2, cand(2, 3 * HOUR));
    await settleDown();
    expect(launched()).toEqual([[basename(file(0)), [0]]]);
    let finished = false;
    const done = spec.finish().then((m) => {
      finished = true;
      return m;
    });
    await settleDown();
    expect(finished).toBe(false); // the running copy is still held at the gate
    hold.open();
    const outcomes = await done;
    expect([...outcomes.keys()]).toEqual([file(0)]);
    expect(outcomes.get(file(0))?.result?.id).toBe(file(0));
    // Neither the dropped copies nor later settles start anything.
    spec.settle(3, cand(3, 4 * HOUR));
    await settleDown();
    expect(launched()).toEqual([[basename(file(0)), [0]]]);
  });

  it("a failing copy comes back as { error } and frees its lane", async () => {
    const missing = join(tmp.path, "unit", "gone", "nos.cbofs.fields.f009.20231022.t00z.nc");
    const { spec } = copier(1);
    spec.settle(0, cand(0, HOUR, missing));
    spec.settle(1, cand(1, 2 * HOUR));
    // The second copy starts once the first has failed (one lane); finish() would drop it before.
    await vi.waitFor(() => expect(spy.calls).toHaveLength(2));
    const outcomes = await spec.finish().catch((err: unknown) => {
      throw new Error(`finish() must not throw: ${(err as Error).message}`);
    });
    expect(outcomes.get(missing)).toEqual({ group: "", writes: [{ source: 0, target: 0 }], error: expect.stringContaining("gone/nos.cbofs.fields.f009.20231022.t00z.nc: cannot read") });
    expect(outcomes.get(missing)?.result).toBeUndefined();
    expect(outcomes.get(file(1))?.result?.chunks).toBeGreaterThan(0);
  });

  it("best forecast: a file with a shorter lead for a planned step is not copied early, and stops the rest", async () => {
    const store = join(tmp.path, `unit-${n++}.zarr`);
    const spec = new SpeculativeCopy({ type: "best-forecast", existing: {}, template, hierarchyFor: (lengths) => buildHierarchy(template, lengths, {}), store: { url: store, zarrFormat: 2 }, lanes: 4 });
    const c0 = c00.getTime();
    const fc = (i: number, cycleMs: number, t: number): Candidate => ({ ...cand(i, t), cycleMs, kind: "forecast" });
    spec.settle(0, fc(0, c0, c0 + HOUR));
    spec.settle(1, { ...fc(1, c0, c0 + 2 * HOUR), times: [c0 + 2 * HOUR, c0 + 3 * HOUR] });
    // A newer cycle's first valid time is later than every earlier first time, but it takes 03:00
    // (planned for file 1) with a shorter lead: copying it now would give that chunk two writers.
    spec.settle(2, fc(2, c0 + 2 * HOUR, c0 + 3 * HOUR));
    spec.settle(3, fc(3, c0, c0 + 5 * HOUR));
    expect(launched()).toEqual([
      [basename(file(0)), [0]],
      [basename(file(1)), [1, 2]],
    ]);
    expect([...(await spec.finish()).keys()]).toEqual([file(0), file(1)]);
  });

  it("oneStepChunks and sameWrites", () => {
    expect(oneStepChunks(buildHierarchy(template, { "": 2 }, {}), template)).toBe(true);
    expect(oneStepChunks(buildHierarchy(template, { "": 8 }, { chunking: { ocean_time: 4 } }), template)).toBe(false);
    // Only arrays along the aggregation dimension count: chunking another dimension does not matter.
    expect(oneStepChunks(buildHierarchy(template, { "": 2 }, { chunking: { eta_rho: 2 } }), template)).toBe(true);
    // The coordinate is written by the planner, not by tasks: its chunking does not matter either.
    const h = buildHierarchy(template, { "": 8 }, { axisChunk: 1024 });
    expect(h.arrays.ocean_time?.meta.chunks).toEqual([1024]);
    expect(oneStepChunks(h, template)).toBe(true);
    const w = [
      { source: 0, target: 3 },
      { source: 1, target: 4 },
    ];
    expect(sameWrites(w, w.map((x) => ({ ...x })))).toBe(true);
    expect(sameWrites(w, [{ source: 0, target: 3 }])).toBe(false);
    expect(sameWrites(w, [w[1], w[0]] as typeof w)).toBe(false);
    expect(sameWrites([{ source: 0, target: 0 }], [{ source: 0, target: 1 }])).toBe(false);
  });
});

describe("ingest() append with speculative copies (ROMS, inline)", () => {
  let files: string[]; // in time order, f001..f006
  let otherGrid: string;
  let cut: string;
  /** The in-order store, checked against xarray: every other order must give exactly this store. */
  let reference: Awaited<ReturnType<typeof storeDigest>>;
  beforeAll(() => {
    const src = join(tmp.path, "roms");
    files = forecasts(c00, [1, 2, 3, 4, 5, 6]).map((f) => romsFile(src, f));
    otherGrid = romsFile(join(tmp.path, "shifted"), { cycle: c00, kind: "f", hour: 7 }, { lonShift: 0.5 });
    cut = truncatedCopy(romsFile(join(tmp.path, "tocut"), { cycle: c00, kind: "f", hour: 8 }), join(tmp.path, "cut", "nos.cbofs.fields.f008.20231022.t00z.nc"), 0.5);
  });
  const at = (order: number[]): string[] => order.map((i) => files[i - 1] as string);

  interface Counted {
    report: IngestReport;
    /** runTask calls per file of `files`, in time order. */
    copies: number[];
    /** Some copy started before the last file's inspection began. */
    copiedWhileInspecting: boolean;
  }
  async function counted(store: string, inputs: string[], extra: Partial<IngestOptions> = {}): Promise<Counted> {
    spy.log.length = 0;
    spy.calls.length = 0;
    const report = await ingest({ store, inputs, ...extra, onProgress: (p) => p.phase === "inspect" && spy.log.push(`inspect:${p.file}`) });
    const firstRun = spy.log.findIndex((e) => e.startsWith("run:"));
    const lastInspect = spy.log.findLastIndex((e) => e.startsWith("inspect:"));
    const unknown = spy.calls.filter((t) => !files.includes(t.id)).map((t) => t.id);
    expect(unknown, "runTask called for a file that is not a good input").toEqual([]);
    return { report, copies: files.map((f) => spy.calls.filter((t) => t.id === f).length), copiedWhileInspecting: firstRun >= 0 && firstRun < lastInspect };
  }
  // bytesWritten counts rewrites of the time coordinate's shared chunk, whose size depends on
  // the order files finish in; the stores themselves are compared byte for byte below.
  const withoutStore = (x: IngestReport): Omit<IngestReport, "store" | "bytesWritten"> => {
    const { store: _store, bytesWritten: _bytes, ...rest } = x;
    return rest;
  };
  /**
   * The same inputs run without speculation give the same report and the same store: on two
   * worker threads, or inline through an explicit executor (speculation is for the default one).
   */
  const sameWithoutSpeculation = async (store: string, inputs: string[], r: IngestReport, how: "threads" | "inline"): Promise<void> => {
    const other = `${store.replace(/\.zarr$/, "")}-${how}.zarr`;
    const o = await ingest({ store: other, inputs, ...(how === "threads" ? { concurrency: 2 } : { executor: runLocal }) });
    expect(withoutStore(r)).toEqual(withoutStore(o));
    const [a, b] = await Promise.all([storeDigest(store), storeDigest(other)]);
    expect(Object.keys(a.metadata)).toContain(".zmetadata");
    expect(a.metadata).toEqual(b.metadata);
    expect(a.chunkKeys).toEqual(b.chunkKeys);
    expect(a.arrays).toEqual(b.arrays);
  };
  const expectReference = async (store: string): Promise<void> => {
    expect(reference, "the in-order test sets the reference store").toBeDefined();
    expect(await storeDigest(store)).toEqual(reference);
  };

  it("inputs in time order: each file copied once, mostly while inspecting; equals xarray and the threaded run", async () => {
    const store = join(tmp.path, "in-order.zarr");
    const r = await counted(store, files);
    expect(r.report.files.map((f) => f.status)).toEqual(Array(6).fill("ingested"));
    expect(r.report.timeSteps).toBe(6);
    expect(r.report.lengths).toEqual({ "": 6 });
    expect(r.copies).toEqual([1, 1, 1, 1, 1, 1]);
    expect(r.copiedWhileInspecting).toBe(true);
    const cmp = await compareWithXarray({ store, concatDim: "ocean_time", sources: files.map((p) => [p, 0]) });
    expect(cmp.detail).toBe("");
    expect(cmp.identical).toBe(true);
    expect(cmp.times).toHaveLength(6);
    await sameWithoutSpeculation(store, files, r.report, "threads");
    reference = await storeDigest(store);
  });

  it("inputs in reverse time order: the early copy of the first input is redone, nothing more", async () => {
    const store = join(tmp.path, "reverse.zarr");
    const inputs = [...files].reverse();
    const r = await counted(store, inputs);
    expect(r.report.files.every((f) => f.status === "ingested")).toBe(true);
    expect(r.report.lengths).toEqual({ "": 6 });
    expect(r.copiedWhileInspecting).toBe(true);
    expect(Math.max(...r.copies)).toBe(2);
    // f006 is inspected first, copied to index 0, then f005 stops the speculation.
    expect(r.copies).toEqual([1, 1, 1, 1, 1, 2]);
    await expectReference(store);
    await sameWithoutSpeculation(store, inputs, r.report, "threads");
  });

  it("interleaved order 1,3,2,4,5,6: the copy ahead of its place is redone", async () => {
    const store = join(tmp.path, "interleaved.zarr");
    const inputs = at([1, 3, 2, 4, 5, 6]);
    const r = await counted(store, inputs);
    expect(r.report.files.every((f) => f.status === "ingested")).toBe(true);
    expect(r.copies).toEqual([1, 1, 2, 1, 1, 1]);
    await expectReference(store);
    await sameWithoutSpeculation(store, inputs, r.report, "inline");
  });

  it("refused files in the middle are passed over: reported with their reason, never copied", async () => {
    const store = join(tmp.path, "refused.zarr");
    const inputs = [...at([1, 2]), otherGrid, ...at([3, 4]), cut, ...at([5, 6])];
    const r = await counted(store, inputs);
    const byInput = new Map(r.report.files.map((f) => [f.input, f]));
    expect(files.map((f) => byInput.get(f)?.status)).toEqual(Array(6).fill("ingested"));
    expect(byInput.get(otherGrid)).toMatchObject({ status: "refused", timeSteps: 0, reason: expect.stringMatching(new RegExp(`^${otherGrid}: does not match the dataset's grid: variable lon_rho differs`)) });
    expect(byInput.get(cut)).toMatchObject({ status: "refused", timeSteps: 0, reason: expect.stringMatching(new RegExp(`^${cut}: truncated`)) });
    expect(r.report.lengths).toEqual({ "": 6 });
    expect(r.copies).toEqual([1, 1, 1, 1, 1, 1]);
    expect(r.copiedWhileInspecting).toBe(true);
    await expectReference(store);
    await sameWithoutSpeculation(store, inputs, r.report, "inline");
  });

  it("a refused first input: the next good file becomes the grid and speculation still runs", async () => {
    const store = join(tmp.path, "refused-first.zarr");
    const r = await counted(store, [cut, ...at([2, 1, 3, 4, 5, 6])]);
    expect(r.report.files[0]).toMatchObject({ input: cut, status: "refused" });
    expect(r.copies).toEqual([1, 2, 1, 1, 1, 1]);
    expect(r.copiedWhileInspecting).toBe(true);
    await expectReference(store);
  });

  it("a second run over the same inputs copies nothing and changes no byte; a later run copies only new files", async () => {
    const store = join(tmp.path, "again.zarr");
    const first = await counted(store, at([1, 2, 3, 4]));
    expect(first.copies).toEqual([1, 1, 1, 1, 0, 0]);
    const before = storeFiles(store);
    const again = await counted(store, at([1, 2, 3, 4]));
    expect(again.copies).toEqual([0, 0, 0, 0, 0, 0]);
    expect(again.report.timeSteps).toBe(0);
    expect(again.report.files.map((f) => f.status)).toEqual(Array(4).fill("skipped"));
    expect(storeFiles(store)).toEqual(before);

    // All six, newest first: f006 is copied early to index 4 (after the committed four), then
    // f005 stops the speculation and the final plan moves f006 to index 5.
    const more = await counted(store, [...files].reverse());
    expect(more.copies).toEqual([0, 0, 0, 0, 1, 2]);
    expect(more.report.timeSteps).toBe(2);
    expect(more.report.lengths).toEqual({ "": 6 });
    await expectReference(store);
    const last = await counted(store, files);
    expect(last.copies).toEqual([0, 0, 0, 0, 0, 0]);
    await expectReference(store);
  });

  it("multi-step time chunks: no copy before inspection ends, each file copied once even reversed", async () => {
    const store = join(tmp.path, "chunked.zarr");
    const r = await counted(store, [...files].reverse(), { chunking: { ocean_time: 4 } });
    expect(r.report.files.every((f) => f.status === "ingested")).toBe(true);
    expect(r.copies).toEqual([1, 1, 1, 1, 1, 1]);
    expect(r.copiedWhileInspecting).toBe(false);
    const inspects = spy.log.filter((e) => e.startsWith("inspect:")).length;
    expect(inspects).toBe(6);
    expect(spy.log.slice(0, inspects).every((e) => e.startsWith("inspect:"))).toBe(true);
    const cmp = await compareWithXarray({ store, concatDim: "ocean_time", sources: files.map((p) => [p, 0]) });
    expect(cmp.detail).toBe("");
    expect(cmp.identical).toBe(true);
  });
});

describe("ingest() best-forecast with speculative copies (ROMS, inline)", () => {
  const c06 = cycleAt("2023-10-22T06:00:00Z");
  const copiesOf = (files: string[]): number[] => files.map((f) => spy.calls.filter((t) => t.id === f).length);
  const threaded = async (store: string, inputs: string[], r: IngestReport): Promise<void> => {
    const other = store.replace(/\.zarr$/, "-threads.zarr");
    const o = await ingest({ store: other, inputs, aggregation: { type: "best-forecast" }, concurrency: 2 });
    expect(o.files).toEqual(r.files.map((f) => ({ ...f })));
    const [a, b] = await Promise.all([storeDigest(store), storeDigest(other)]);
    expect(a.arrays).toEqual(b.arrays);
    expect(a.chunkKeys).toEqual(b.chunkKeys);
  };

  it("one cycle in order: every file copied once while inspecting; equals xarray and the threaded run", async () => {
    const files = forecasts(c00, [1, 2, 3, 4, 5, 6]).map((f) => romsFile(join(tmp.path, "bf-one"), f));
    const store = join(tmp.path, "bf-one.zarr");
    spy.log.length = 0;
    spy.calls.length = 0;
    const r = await ingest({ store, inputs: files, aggregation: { type: "best-forecast" }, onProgress: (p) => p.phase === "inspect" && spy.log.push(`inspect:${p.file}`) });
    expect(r.files.map((f) => f.status)).toEqual(Array(6).fill("ingested"));
    expect(copiesOf(files)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(spy.log.findIndex((e) => e.startsWith("run:"))).toBeLessThan(spy.log.findLastIndex((e) => e.startsWith("inspect:")));
    const cmp = await compareWithXarray({ store, concatDim: "ocean_time", sources: files.map((p) => [p, 0]) });
    expect(cmp.detail).toBe("");
    await threaded(store, files, r);
  });

  it("a newer cycle with shorter leads for planned steps stops the early copies; the final run overwrites them", async () => {
    const old = forecasts(c00, [1, 2, 3, 4, 5, 6, 7, 8, 9]).map((f) => romsFile(join(tmp.path, "bf-two"), f));
    // 06z f001-f003 are valid 07:00-09:00, which 00z f007-f009 reach with longer leads.
    const newer = forecasts(c06, [1, 2, 3]).map((f) => romsFile(join(tmp.path, "bf-two"), f));
    const store = join(tmp.path, "bf-two.zarr");
    spy.calls.length = 0;
    const r = await ingest({ store, inputs: [...old, ...newer], aggregation: { type: "best-forecast" } });
    expect(r.files.map((f) => f.status)).toEqual([...Array(6).fill("ingested"), ...Array(3).fill("skipped"), ...Array(3).fill("ingested")]);
    expect(r.lengths).toEqual({ "": 9 });
    // 00z f007-f009 may have been copied early (then superseded); no 06z file is copied twice.
    expect(copiesOf(newer)).toEqual([1, 1, 1]);
    expect(copiesOf(old.slice(0, 6))).toEqual([1, 1, 1, 1, 1, 1]);
    // The store holds 00z for 01:00-06:00 and 06z for 07:00-09:00, as xarray reads the sources.
    const cmp = await compareWithXarray({ store, concatDim: "ocean_time", sources: [...old.slice(0, 6), ...newer].map((p) => [p, 0]) });
    expect(cmp.detail).toBe("");
    await threaded(store, [...old, ...newer], r);
  });
});

describe("ingest() append with speculative copies (FVCOM with Times chars, NetCDF-3)", () => {
  it("char steps of early copies land at the final indices", async () => {
    const src = join(tmp.path, "fvcom");
    const files = forecasts(c00, [1, 2, 3, 4, 5, 6]).map((f) => fvcomFile(src, f, { times: true }));
    const inputs = [files[1], files[0], ...files.slice(2)] as string[];
    const store = join(tmp.path, "fvcom.zarr");
    spy.calls.length = 0;
    const r = await ingest({ store, inputs });
    expect(r.files.every((f) => f.status === "ingested")).toBe(true);
    // f002 was copied early to index 0, then redone at 1.
    expect(files.map((f) => spy.calls.filter((t) => t.id === f).length)).toEqual([1, 2, 1, 1, 1, 1]);
    const cmp = await compareWithXarray({ store, concatDim: "time", undecodable: ["Itime2"], drop: ["siglay", "siglev"], sources: files.map((p) => [p, 0]) });
    expect(cmp.detail).toBe("");
    const plain = join(tmp.path, "fvcom-inline.zarr");
    await ingest({ store: plain, inputs, executor: runLocal });
    const [a, b] = await Promise.all([storeDigest(store), storeDigest(plain)]);
    expect(a.arrays.Times).toBeDefined();
    expect(a).toEqual(b);
  });
});
