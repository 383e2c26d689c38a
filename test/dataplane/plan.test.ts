// The aggregation planner is pure: these cases pin its rules without any file I/O.
import { describe, expect, it } from "vitest";
import { planAggregation, type Candidate } from "../../dataplane/index.js";

const H = 3_600_000;
const day = Date.UTC(2023, 9, 22);
const forecast = (cycleH: number, lead: number): Candidate => ({ id: `c${cycleH}f${lead}`, source: `c${cycleH}f${lead}.nc`, times: [day + (cycleH + lead) * H], kind: "forecast", cycleMs: day + cycleH * H });

describe("planAggregation", () => {
  it("append orders by time, skips steps already present, refuses earlier ones", () => {
    const existing = { "": [{ t: day + 5 * H, source: "a.nc" }] };
    const plan = planAggregation("append", existing, [
      { id: "late", source: "late.nc", times: [day + 7 * H, day + 8 * H] },
      { id: "dup", source: "dup.nc", times: [day + 5 * H] },
      { id: "mid", source: "mid.nc", times: [day + 5 * H, day + 6 * H] },
      { id: "early", source: "early.nc", times: [day + 1 * H] },
      { id: "unordered", source: "u.nc", times: [day + 9 * H, day + 9 * H] },
    ]);
    expect(plan.groups[""]?.map((s) => (s.t - day) / H)).toEqual([5, 6, 7, 8]);
    const by = Object.fromEntries(plan.files.map((f) => [f.id, f]));
    expect(by.mid?.writes).toEqual([{ source: 1, target: 1 }]);
    expect(by.late?.writes).toEqual([{ source: 0, target: 2 }, { source: 1, target: 3 }]);
    expect(by.dup?.status).toBe("skip");
    expect(by.early?.status).toBe("refuse");
    expect(by.unordered?.reason).toMatch(/not strictly increasing/);
  });

  it("best forecast keeps the smallest lead, ties to the newer cycle, and overwrites in place", () => {
    const first = planAggregation("best-forecast", {}, [forecast(0, 6), forecast(0, 7), forecast(0, 8)]);
    expect(first.groups[""]?.map((s) => s.leadMs! / H)).toEqual([6, 7, 8]);
    const second = planAggregation("best-forecast", first.groups, [forecast(6, 1), forecast(6, 2), forecast(6, 3), { ...forecast(6, 0), kind: "nowcast" }]);
    // valid 7 and 8 now come from cycle 6 (leads 1, 2); valid 9 is new.
    expect(second.groups[""]?.map((s) => [(s.t - day) / H, s.leadMs! / H])).toEqual([[6, 6], [7, 1], [8, 2], [9, 3]]);
    const by = Object.fromEntries(second.files.map((f) => [f.id, f]));
    expect(by.c6f1?.writes).toEqual([{ source: 0, target: 1 }]);
    expect(by.c6f0?.status).toBe("skip");
    // Re-running the same cycle changes nothing.
    const again = planAggregation("best-forecast", second.groups, [forecast(6, 1)]);
    expect(again.files[0]?.status).toBe("skip");
    expect(again.groups).toEqual(second.groups);
  });

  it("no aggregation inserts a step before or between existing ones: the file is refused and the axis kept", () => {
    const axis = [2, 4, 6].map((h) => ({ t: day + h * H, source: `f${h}.nc` }));
    const append = planAggregation("append", { "": axis }, [{ id: "mid", source: "mid.nc", times: [day + 5 * H, day + 7 * H] }, { id: "first", source: "first.nc", times: [day + 1 * H] }]);
    expect(append.groups[""]).toEqual(axis);
    const why = Object.fromEntries(append.files.map((f) => [f.id, f.reason]));
    expect(why.mid).toMatch(/^time 2023-10-22T05:00:00Z falls between 2023-10-22T04:00:00Z and 2023-10-22T06:00:00Z \(indices 1 and 2\)/);
    expect(why.first).toMatch(/^time 2023-10-22T01:00:00Z falls before the first time 2023-10-22T02:00:00Z/);
    // Within one run the planned axis counts too: a later file cannot slip between two earlier ones.
    const oneRun = planAggregation("append", {}, [{ id: "a", source: "a.nc", times: [day + 1 * H, day + 3 * H] }, { id: "b", source: "b.nc", times: [day + 2 * H] }]);
    expect(oneRun.files.find((f) => f.id === "b")?.reason).toMatch(/falls between 2023-10-22T01:00:00Z and 2023-10-22T03:00:00Z/);

    const best = planAggregation("best-forecast", {}, [forecast(0, 2), forecast(0, 4), forecast(0, 6)]);
    const late = planAggregation("best-forecast", best.groups, [forecast(0, 3), forecast(0, 7), forecast(3, 2)]);
    // valid 3 (lead 3) and valid 5 (cycle 3, lead 2) are between stored steps; valid 7 extends the axis.
    expect(late.groups[""]?.map((s) => (s.t - day) / H)).toEqual([2, 4, 6, 7]);
    expect(late.files.filter((f) => f.status === "refuse").map((f) => f.id).sort()).toEqual(["c0f3", "c3f2"]);
    expect(late.files.find((f) => f.id === "c3f2")?.reason).toMatch(/^time 2023-10-22T05:00:00Z falls between/);
  });

  it("model run takes one cycle and keeps nowcast and forecast apart", () => {
    const plan = planAggregation("model-run", {}, [forecast(6, 1), forecast(6, 2), { ...forecast(0, 7) }, { id: "n", source: "n.nc", times: [day + 6 * H], kind: "nowcast", cycleMs: day + 6 * H }]);
    expect(plan.cycleMs).toBe(day + 6 * H);
    expect(Object.keys(plan.groups).sort()).toEqual(["forecast", "nowcast"]);
    expect(plan.files.find((f) => f.id === "c0f7")?.reason).toMatch(/belongs to cycle 2023-10-22T00:00:00Z/);
  });
});
