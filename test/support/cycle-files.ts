// NODD file lists for the fixture writers in test/dataplane/fixtures.ts: the forecast (fNNN) or
// nowcast (nNNN) files of one cycle, by hour. Every aggregation test builds its inputs this way.
import type { CycleFile } from "../dataplane/fixtures.js";

/** The forecast files of `cycle` at these lead hours (f001 = 1). */
export const forecasts = (cycle: Date, hours: number[]): CycleFile[] => hours.map((hour) => ({ cycle, kind: "f", hour }));

/** The nowcast files of `cycle` at these steps (n006 = the cycle time itself). */
export const nowcasts = (cycle: Date, hours: number[]): CycleFile[] => hours.map((hour) => ({ cycle, kind: "n", hour }));
