// Work on the indices [from, to) with at most `lanes` calls in flight. The first failure stops
// handing out indices; the calls already running are waited for before it is rethrown, so no
// caller frees a buffer (or reports an error) while a lane is still using it.
export async function inLanes(from: number, to: number, lanes: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = from;
  let failed = false;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < to && !failed; i = next++) await work(i);
  };
  const settled = await Promise.allSettled(
    Array.from({ length: Math.max(0, Math.min(lanes, to - from)) }, () =>
      lane().catch((err: unknown) => {
        failed = true;
        throw err;
      }),
    ),
  );
  const rejected = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (rejected !== undefined) throw rejected.reason;
}
